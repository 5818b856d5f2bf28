/* kconfig_parse.c: reads a kernel .config into a sorted symbol table.
 *
 * The grammar is the one scripts/kconfig/confdata.c writes (see
 * kconfig_parse.h). Pure code: the caller hands in the bytes. */
#include "lib/kconfig_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/err.h"

#define PREFIX "CONFIG_"
#define PREFIX_LEN (sizeof(PREFIX) - 1)
#define NOT_SET_SUFFIX " is not set"

static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Length of the symbol name at S (after CONFIG_), 0 if there is none. */
static size_t name_length(const char *s, size_t len)
{
	size_t n = 0;
	while (n < len && is_name_char(s[n]))
		n++;
	return n;
}

static bool is_number(const char *s, size_t len)
{
	size_t i = 0;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < len; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
				return false;
		return true;
	}
	if (len > 0 && s[0] == '-')
		i = 1;
	if (i == len)
		return false;
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Unescapes the quoted string at S (S[0] == '"') into a new buffer. The
 * closing quote must end the value. */
static int parse_string(const char *s, size_t len, unsigned line, char **out)
{
	_cleanup_free_ char *buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	size_t o = 0, i = 1;
	for (; i < len && s[i] != '"'; i++) {
		if (s[i] == '\\') {
			if (++i == len)
				break;
		}
		buf[o++] = s[i];
	}
	if (i >= len)
		return err_setmsg(-EINVAL, "line %u: unterminated string", line);
	if (i + 1 != len)
		return err_setmsg(-EINVAL, "line %u: text after the closing quote", line);
	buf[o] = '\0';
	*out = TAKE_PTR(buf);
	return 0;
}

static int append(struct kconfig *cfg, size_t *cap, const char *name, size_t name_len, enum kconfig_kind kind,
		  char *value, unsigned line)
{
	if (cfg->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct kconfig_entry *n = realloc(cfg->entries, ncap * sizeof(*n));
		if (!n) {
			free(value);
			return -ENOMEM;
		}
		cfg->entries = n;
		*cap = ncap;
	}
	char *copy = strndup(name, name_len);
	if (!copy) {
		free(value);
		return -ENOMEM;
	}
	cfg->entries[cfg->count++] = (struct kconfig_entry){ .name = copy, .kind = kind, .value = value, .line = line };
	return 0;
}

/* "CONFIG_NAME=VALUE" */
static int parse_assignment(struct kconfig *cfg, size_t *cap, const char *s, size_t len, unsigned line)
{
	size_t n = name_length(s + PREFIX_LEN, len - PREFIX_LEN);
	const char *name = s + PREFIX_LEN;
	if (n == 0 || PREFIX_LEN + n >= len || s[PREFIX_LEN + n] != '=')
		return err_setmsg(-EINVAL, "line %u: not a CONFIG_NAME=VALUE assignment", line);
	const char *v = s + PREFIX_LEN + n + 1;
	size_t vlen = len - PREFIX_LEN - n - 1;
	if (vlen == 0)
		return err_setmsg(-EINVAL, "line %u: CONFIG_%.*s has an empty value", line, (int)n, name);

	if (vlen == 1 && (v[0] == 'y' || v[0] == 'm' || v[0] == 'n'))
		return append(cfg, cap, name, n, v[0] == 'y' ? KCONFIG_YES : v[0] == 'm' ? KCONFIG_MODULE : KCONFIG_NO,
			      NULL, line);
	if (v[0] == '"') {
		char *str = NULL;
		int r = parse_string(v, vlen, line, &str);
		if (r < 0)
			return r;
		return append(cfg, cap, name, n, KCONFIG_STRING, str, line);
	}
	if (is_number(v, vlen)) {
		char *num = strndup(v, vlen);
		if (!num)
			return -ENOMEM;
		return append(cfg, cap, name, n, KCONFIG_NUMBER, num, line);
	}
	return err_setmsg(-EINVAL, "line %u: CONFIG_%.*s has an unrecognised value '%.*s'", line, (int)n, name,
			  (int)(vlen > 40 ? 40 : vlen), v);
}

/* "# CONFIG_NAME is not set", or any other comment (returns 0, adds nothing). */
static int parse_comment(struct kconfig *cfg, size_t *cap, const char *s, size_t len, unsigned line)
{
	const size_t head = 2 + PREFIX_LEN, tail = sizeof(NOT_SET_SUFFIX) - 1;
	if (len <= head + tail || memcmp(s, "# " PREFIX, head) != 0)
		return 0;
	size_t n = name_length(s + head, len - head);
	if (n == 0 || head + n + tail != len || memcmp(s + head + n, NOT_SET_SUFFIX, tail) != 0)
		return 0;
	return append(cfg, cap, s + head, n, KCONFIG_NOT_SET, NULL, line);
}

static int compare_entries(const void *a, const void *b)
{
	const struct kconfig_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

/* Sorts by name and keeps only the last assignment of each symbol. */
static void sort_and_dedupe(struct kconfig *cfg)
{
	if (cfg->count == 0)
		return;
	qsort(cfg->entries, cfg->count, sizeof(*cfg->entries), compare_entries);
	size_t o = 0;
	for (size_t i = 0; i < cfg->count; i++) {
		if (i + 1 < cfg->count && strcmp(cfg->entries[i].name, cfg->entries[i + 1].name) == 0) {
			free(cfg->entries[i].name);
			free(cfg->entries[i].value);
			continue;
		}
		cfg->entries[o++] = cfg->entries[i];
	}
	cfg->count = o;
}

int kconfig_parse(const char *text, size_t len, struct kconfig *out)
{
	*out = (struct kconfig){ 0 };
	if (len > 0 && memchr(text, '\0', len))
		return err_setmsg(-EINVAL, "contains NUL bytes: not a kernel .config text file");

	size_t cap = 0;
	unsigned line = 0;
	for (size_t pos = 0; pos < len;) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - s) : len - pos;
		pos += l + (nl ? 1 : 0);
		line++;
		while (l > 0 && (s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
			l--;
		if (l == 0)
			continue;
		int r;
		if (s[0] == '#')
			r = parse_comment(out, &cap, s, l, line);
		else if (l > PREFIX_LEN && memcmp(s, PREFIX, PREFIX_LEN) == 0)
			r = parse_assignment(out, &cap, s, l, line);
		else
			r = err_setmsg(-EINVAL, "line %u: neither a comment nor a CONFIG_ assignment", line);
		if (r < 0)
			return r;
	}
	if (out->count == 0)
		return err_setmsg(-EINVAL, "no CONFIG_ lines: not a kernel .config");
	sort_and_dedupe(out);
	return 0;
}

const struct kconfig_entry *kconfig_lookup(const struct kconfig *cfg, const char *name)
{
	if (strncmp(name, PREFIX, PREFIX_LEN) == 0)
		name += PREFIX_LEN;
	size_t lo = 0, hi = cfg->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(cfg->entries[mid].name, name);
		if (c == 0)
			return &cfg->entries[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void kconfig_free(struct kconfig *cfg)
{
	for (size_t i = 0; i < cfg->count; i++) {
		free(cfg->entries[i].name);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	*cfg = (struct kconfig){ 0 };
}
