/* elf_closure.h: the shared libraries a set of programs needs at run time,
 * found by following DT_NEEDED recursively (lib/elf_dynamic.h) and
 * resolving each name in a list of directories, the way the dynamic loader
 * would for a program without RPATH on a multiarch Debian system. This is
 * how the image's /lib is filled (docs/rootfs.md): no hand-kept list. */
#ifndef LCOW_ELF_CLOSURE_H
#define LCOW_ELF_CLOSURE_H

#include <stddef.h>

struct elf_library {
	char *name; /* DT_NEEDED name, e.g. libc.so.6 */
	char *path; /* where it was found */
};

struct elf_closure {
	char *interp; /* the one PT_INTERP of all programs, or NULL */
	struct elf_library *libs;
	size_t n, cap;
};

/* Adds the program at `path` and everything it needs. Libraries are
 * searched in `dirs` in order. A name equal to the interpreter's file name
 * (libc's DT_NEEDED on ld-linux-x86-64.so.2) is provided by the interpreter
 * itself and not listed. Static programs add nothing. Returns 0, or a
 * negative errno with err text (unreadable file, library not found,
 * programs asking for different interpreters). */
int elf_closure_add_program(struct elf_closure *c, const char *path, const char *const *dirs, size_t ndirs);

/* Sorts the libraries by name (stable output). */
void elf_closure_sort(struct elf_closure *c);

void elf_closure_free(struct elf_closure *c);

#endif
