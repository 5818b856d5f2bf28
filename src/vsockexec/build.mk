# vsockexec starts the GCS before anything else: static, on musl (as init).
vsockexec_STATIC := 1
vsockexec_LIBC := musl
vsockexec_MUSL_SRCS := lib/err.c lib/port_args.c lib/vsockexec_args.c os/boot_dial.c
vsockexec_LDLIBS :=
