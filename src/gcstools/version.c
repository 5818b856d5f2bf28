/* version.c: `gcstools version` prints the commit the binary was built from. */
#include <stdio.h>

#include "gcstools/command.h"

static int version_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("gcstools %s\n", LCOW_VERSION);
	return 0;
}

GCSTOOLS_COMMAND(version, "version", "print the commit this binary was built from", version_main);
