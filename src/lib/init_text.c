/* init_text.c: scans of /proc/cmdline and cgroup.controllers for /init
 * (see init_text.h). */
#include "lib/init_text.h"

#include <errno.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\0';
}

/* Finds the next token at or after *pos; returns its start and sets *pos
 * past it, or returns len when there is none. */
static size_t next_token(const char *text, size_t len, size_t *pos, size_t *tlen)
{
	size_t i = *pos;
	while (i < len && is_blank(text[i]))
		i++;
	size_t start = i;
	while (i < len && !is_blank(text[i]))
		i++;
	*pos = i;
	*tlen = i - start;
	return start;
}

bool init_cmdline_has_word(const char *text, size_t len, const char *word)
{
	size_t wlen = strlen(word), pos = 0, tlen;
	while (pos < len) {
		size_t start = next_token(text, len, &pos, &tlen);
		if (tlen == wlen && tlen && memcmp(text + start, word, wlen) == 0)
			return true;
	}
	return false;
}

int init_cgroup_enable_line(const char *controllers, size_t len, char *out, size_t size)
{
	size_t n = 0, pos = 0, tlen;
	if (size == 0)
		return -ENOSPC;
	while (pos < len) {
		size_t start = next_token(controllers, len, &pos, &tlen);
		if (!tlen)
			break;
		if (n + tlen + 3 > size)
			return -ENOSPC;
		out[n++] = '+';
		memcpy(out + n, controllers + start, tlen);
		n += tlen;
		out[n++] = ' ';
	}
	out[n] = '\0';
	return (int)n;
}
