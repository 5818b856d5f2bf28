# elfdeps reads ELF files itself; it needs no library beyond libc.
elfdeps_LDLIBS :=
