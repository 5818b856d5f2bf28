# lcow-guest build.
#
#   make                  every program into build/bin/
#   make check            build, then run every test; prints the counts
#   make check SANITIZE=1 the same under AddressSanitizer + UBSan (build/san/)
#   make bench            benchmarks, printing side-by-side ratios
#   make fuzz             libFuzzer targets for FUZZ_SECONDS each
#
# Layout (see docs/architecture.md): src/lib is pure byte-level code, src/os
# touches the kernel, and every other directory src/NAME is one program,
# linked to build/bin/NAME. A program directory may hold a build.mk that sets
# NAME_LDLIBS (replaces the default libraries), NAME_STATIC := 1 (a static
# binary), NAME_LIBC := musl with NAME_MUSL_SRCS (a static binary on musl,
# built from the program's sources and the listed src/lib and src/os files:
# init and vsockexec, whose C-library start-up is on the boot path; see
# docs/init.md) and NAME_LINKS (extra names hard-linked to the program).

SHELL := /bin/bash
CC ?= cc
SANITIZE ?= 0
FUZZ ?= 0
FUZZ_SECONDS ?= 60

ifeq ($(FUZZ),1)
  BUILD ?= build/fuzz
  CC := clang
  MODE_CFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -DFUZZING_BUILD=1
  MODE_LDFLAGS := -fsanitize=address,undefined
else ifeq ($(SANITIZE),1)
  BUILD ?= build/san
  MODE_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  MODE_LDFLAGS := -fsanitize=address,undefined
else
  BUILD ?= build
endif

OPT ?= -O2
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter -Wmissing-prototypes
LCOW_VERSION := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
CPPFLAGS += -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Isrc
CFLAGS += -std=gnu11 $(OPT) -g $(WARN) -MMD -MP $(MODE_CFLAGS)
LDFLAGS += -Wl,--as-needed $(MODE_LDFLAGS)
DEFAULT_LDLIBS := -larchive -lext2fs -lcom_err -ljson-c -lz -lpthread

PROGRAMS := $(filter-out lib os,$(patsubst src/%/,%,$(wildcard src/*/)))
-include $(wildcard src/*/build.mk)

# Image parts: each mk/*.mk adds its targets (kernel, initrd, disks) to
# IMAGE_PARTS; `make image` builds them all and prints a summary.
.DEFAULT_GOAL := all
IMAGE_PARTS :=
OUT ?= out
-include $(wildcard mk/*.mk)

LIB_SRCS := $(wildcard src/lib/*.c)
OS_SRCS := $(wildcard src/os/*.c)
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
OS_OBJS := $(OS_SRCS:src/%.c=$(BUILD)/obj/%.o)
LIBS := $(BUILD)/liblcowos.a $(BUILD)/liblcow.a

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZERS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/fuzzers/%)

BINS := $(PROGRAMS:%=$(BUILD)/bin/%)

# check and image install what they need first (scripts/deps.sh), so a fresh
# Debian 12 machine needs nothing by hand.
.PHONY: all check bench fuzz fuzzers clean deps image
all: $(BINS) $(foreach p,$(PROGRAMS),$(addprefix $(BUILD)/bin/,$($(p)_LINKS)))

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The commit id reaches only the objects that print it, so a new commit
# does not rebuild everything.
VERSION_OBJS := $(BUILD)/obj/gcstools/version.o $(BUILD)/obj/gcs/main.o $(BUILD)/obj/gcs/dump.o
$(VERSION_OBJS): CPPFLAGS += -DLCOW_VERSION=\"$(LCOW_VERSION)\"
$(VERSION_OBJS): $(BUILD)/version.stamp
$(BUILD)/version.stamp: FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = "$(LCOW_VERSION)" ] || echo "$(LCOW_VERSION)" > $@
.PHONY: FORCE
FORCE:

$(BUILD)/liblcow.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/liblcowos.a: $(OS_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# musl programs: objects under $(BUILD)/musl, the kernel's uapi headers
# (linux/, asm/, asm-generic/) reached through a directory of links, since
# musl-gcc searches only musl's own headers. Sanitizer and fuzz builds
# use the default C library (the sanitizers need glibc). These programs are
# single-threaded: LCOW_SINGLE_THREADED keeps err.c's text out of
# thread-local storage.
MUSL_CC ?= musl-gcc
MUSL_BUILDS := $(and $(filter 0,$(SANITIZE)),$(filter 0,$(FUZZ)))
MUSL_INCLUDE := $(BUILD)/musl/include
MUSL_CFLAGS := -std=gnu11 $(OPT) -g $(WARN) -MMD -MP -isystem $(MUSL_INCLUDE) -DLCOW_SINGLE_THREADED
$(MUSL_INCLUDE)/.stamp:
	@mkdir -p $(dir $@)
	ln -sfn /usr/include/linux $(MUSL_INCLUDE)/linux
	ln -sfn /usr/include/asm-generic $(MUSL_INCLUDE)/asm-generic
	ln -sfn /usr/include/$(shell $(CC) -print-multiarch)/asm $(MUSL_INCLUDE)/asm
	@touch $@
$(BUILD)/musl/%.o: src/%.c $(MUSL_INCLUDE)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(CPPFLAGS) $(MUSL_CFLAGS) -c -o $@ $<

# One link rule per program, with its own libraries and static flag.
define program_rule
ifneq ($$(and $$(MUSL_BUILDS),$$(filter musl,$$($(1)_LIBC))),)
$(1)_OBJS := $$(patsubst src/%.c,$$(BUILD)/musl/%.o,$$(wildcard src/$(1)/*.c) $$(addprefix src/,$$($(1)_MUSL_SRCS)))
$$(BUILD)/bin/$(1): $$($(1)_OBJS)
	@mkdir -p $$(dir $$@)
	$$(MUSL_CC) $$(MUSL_CFLAGS) -static -o $$@ $$($(1)_OBJS) $$($(1)_LDLIBS)
else
$(1)_OBJS := $$(patsubst src/%.c,$$(BUILD)/obj/%.o,$$(wildcard src/$(1)/*.c))
$(1)_STATIC_FLAG := $$(if $$(and $$(filter 1,$$($(1)_STATIC)),$$(filter 0,$$(SANITIZE)),$$(filter 0,$$(FUZZ))),-static)
$$(BUILD)/bin/$(1): $$($(1)_OBJS) $$(LIBS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$($(1)_STATIC_FLAG) $$(LDFLAGS) -o $$@ $$($(1)_OBJS) $$(LIBS) $$(if $$(filter undefined,$$(origin $(1)_LDLIBS)),$$(DEFAULT_LDLIBS),$$($(1)_LDLIBS))
endif
$(foreach l,$($(1)_LINKS),
$$(BUILD)/bin/$(l): $$(BUILD)/bin/$(1)
	ln -f $$< $$@
)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rule,$(p))))

$(BUILD)/tests/%: tests/unit/%.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS) $(DEFAULT_LDLIBS) -lcmocka

# Fuzzers: the libraries rebuilt with clang and coverage in build/fuzz.
fuzzers:
	@if [ -n "$(FUZZ_SRCS)" ]; then $(MAKE) --no-print-directory FUZZ=1 BUILD=build/fuzz fuzz-targets; fi

.PHONY: fuzz-targets
fuzz-targets: $(FUZZERS)
build/fuzz/fuzzers/%: tests/fuzz/%.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(LIBS) $(DEFAULT_LDLIBS)

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_TESTS) fuzzers
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run.sh

image: deps
	@$(MAKE) --no-print-directory all $(IMAGE_PARTS)
	@scripts/image-summary.sh $(OUT)

fuzz: fuzzers
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

bench: all
	@BUILD=$(BUILD) bench/run.sh

deps:
	@scripts/deps.sh

clean:
	rm -rf build $(OUT)

-include $(shell find $(BUILD)/obj $(BUILD)/musl $(BUILD)/tests -name '*.d' 2>/dev/null)
