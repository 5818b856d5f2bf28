# /init runs before any library exists in the VM: static, on musl, whose
# start-up runs a fraction of glibc's code (docs/init.md). Its ELF entry
# point reads the clock first, for the boot timeline (entry_clock.c).
init_STATIC := 1
init_LIBC := musl
init_MUSL_SRCS := lib/err.c lib/init_args.c lib/init_text.c lib/port_args.c \
	os/boot_dial.c os/init_cgroup.c os/init_child.c os/init_entropy.c \
	os/init_log.c os/init_mounts.c os/init_net.c
init_LDLIBS := -Wl,-e,init_entry
