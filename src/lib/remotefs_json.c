/* remotefs_json.c: Go-compatible JSON output for remotefs (see remotefs_json.h). */
#include "lib/remotefs_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rfs_buf_free(struct rfs_buf *b)
{
	free(b->data);
	*b = (struct rfs_buf){0};
}

static bool reserve(struct rfs_buf *b, size_t more)
{
	if (b->oom)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void rfs_buf_put(struct rfs_buf *b, const void *p, size_t n)
{
	if (!reserve(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void rfs_buf_puts(struct rfs_buf *b, const char *s) { rfs_buf_put(b, s, strlen(s)); }

void rfs_buf_printf(struct rfs_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), else 0. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;
	if ((c & 0xe0) == 0xc0)
		len = 2, v = c & 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		len = 3, v = c & 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		len = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

void rfs_json_string(struct rfs_buf *b, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	rfs_buf_put(b, "\"", 1);
	size_t start = 0, i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
				i++;
				continue;
			}
			rfs_buf_put(b, s + start, i - start);
			switch (c) {
			case '"': rfs_buf_puts(b, "\\\""); break;
			case '\\': rfs_buf_puts(b, "\\\\"); break;
			case '\n': rfs_buf_puts(b, "\\n"); break;
			case '\r': rfs_buf_puts(b, "\\r"); break;
			case '\t': rfs_buf_puts(b, "\\t"); break;
			default: {
				char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
				rfs_buf_put(b, esc, sizeof(esc));
			}
			}
			start = ++i;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_seq(s + i, n - i, &cp);
		if (len == 0) {
			rfs_buf_put(b, s + start, i - start);
			rfs_buf_puts(b, "\\ufffd");
			start = ++i;
			continue;
		}
		if (cp == 0x2028 || cp == 0x2029) {
			rfs_buf_put(b, s + start, i - start);
			rfs_buf_puts(b, cp == 0x2028 ? "\\u2028" : "\\u2029");
			i += len;
			start = i;
			continue;
		}
		i += len;
	}
	rfs_buf_put(b, s + start, n - start);
	rfs_buf_put(b, "\"", 1);
}

void rfs_json_fileinfo(struct rfs_buf *b, const struct rfs_fileinfo *fi)
{
	rfs_buf_puts(b, "{\"NameVar\":");
	rfs_json_string(b, fi->name, strlen(fi->name));
	rfs_buf_printf(b, ",\"SizeVar\":%lld,\"ModeVar\":%u,\"ModTimeVar\":%lld,\"IsDirVar\":%s}",
		       (long long)fi->size, (unsigned)fi->mode, (long long)fi->mtime_ns,
		       fi->is_dir ? "true" : "false");
}
