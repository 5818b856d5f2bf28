/* str_array.c: counted string arrays (see str_array.h). */
#include "lib/str_array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int str_array_append(char ***items, size_t *n, const char *s)
{
	char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	char **v = realloc(*items, (*n + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	v[(*n)++] = copy;
	*items = v;
	return 0;
}

void str_array_free(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}
