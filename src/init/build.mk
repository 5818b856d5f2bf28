# /init runs before any library exists in the VM: static, libc only.
init_STATIC := 1
init_LDLIBS :=
