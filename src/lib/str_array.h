/* str_array.h: a counted, malloc'd array of malloc'd strings (char **items
 * with a size_t count beside it), as several plans and parsers collect. */
#ifndef LCOW_STR_ARRAY_H
#define LCOW_STR_ARRAY_H

#include <stddef.h>

/* Appends a copy of s. 0, or -ENOMEM with *items and *n unchanged (no
 * err text: the caller knows what it was collecting). */
int str_array_append(char ***items, size_t *n, const char *s);

/* Frees the n strings and the array. */
void str_array_free(char **items, size_t n);

#endif
