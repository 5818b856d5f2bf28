# vsockexec starts the GCS before anything else: static, libc only.
vsockexec_STATIC := 1
vsockexec_LDLIBS :=
