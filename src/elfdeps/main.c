/* main.c: elfdeps, lists what dynamic programs need to run.
 *
 *   elfdeps [-L DIR]... FILE...
 *
 * Prints "interp PATH" (the PT_INTERP all FILEs share, if any) and one
 * "lib NAME PATH" line per shared library in the DT_NEEDED closure of the
 * FILEs, sorted by name. Libraries are searched in the -L directories in
 * order (default /lib/x86_64-linux-gnu then /usr/lib/x86_64-linux-gnu).
 * Used by scripts/build-rootfs.sh to fill the image's /lib. */
#include <stdio.h>
#include <unistd.h>

#include "lib/err.h"
#include "os/elf_closure.h"

#define MAX_DIRS 32

int main(int argc, char **argv)
{
	const char *dirs[MAX_DIRS];
	size_t ndirs = 0;
	int opt;
	while ((opt = getopt(argc, argv, "hL:")) != -1) {
		if (opt == 'L' && ndirs < MAX_DIRS) {
			dirs[ndirs++] = optarg;
		} else {
			fprintf(opt == 'h' ? stdout : stderr, "usage: elfdeps [-L DIR]... FILE...\n");
			return opt == 'h' ? 0 : 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: elfdeps [-L DIR]... FILE...\n");
		return 1;
	}
	if (ndirs == 0) {
		dirs[ndirs++] = "/lib/x86_64-linux-gnu";
		dirs[ndirs++] = "/usr/lib/x86_64-linux-gnu";
	}
	struct elf_closure c = { 0 };
	int status = 0;
	for (int i = optind; i < argc; i++) {
		if (elf_closure_add_program(&c, argv[i], dirs, ndirs) < 0) {
			fprintf(stderr, "elfdeps: %s\n", err_text());
			status = 1;
			goto out;
		}
	}
	elf_closure_sort(&c);
	if (c.interp)
		printf("interp %s\n", c.interp);
	for (size_t i = 0; i < c.n; i++)
		printf("lib %s %s\n", c.libs[i].name, c.libs[i].path);
	if (fflush(stdout) != 0) {
		perror("elfdeps: writing the list");
		status = 1;
	}
out:
	elf_closure_free(&c);
	return status;
}
