/* remotefs_strconv.c: Go strconv parsing and quoting (see remotefs_strconv.h). */
#include "lib/remotefs_strconv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int num_error(const char *fn, const char *s, int r, char *msg, size_t msglen)
{
	char q[512];
	go_quote(s, q, sizeof(q));
	snprintf(msg, msglen, "strconv.%s: parsing %s: %s", fn, q,
		 r == -ERANGE ? "value out of range" : "invalid syntax");
	return r;
}

/* The digits after any sign; shared by both parsers. */
static int parse_digits(const char *s, int base, int bits, uint64_t *out)
{
	if (!*s)
		return -EINVAL;
	if (base == 0) {
		base = 10;
		if (s[0] == '0') {
			if (s[1] == 'x' || s[1] == 'X') {
				base = 16;
				s += 2;
				if (!*s)
					return -EINVAL;
			} else {
				base = 8;
				s++;
				if (!*s) {
					*out = 0;
					return 0;
				}
			}
		}
	}
	uint64_t max = bits >= 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
	uint64_t v = 0;
	int overflow = 0;
	for (; *s; s++) {
		int d;
		char c = *s;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'Z')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		if (d >= base)
			return -EINVAL;
		if (overflow)
			continue;
		if (v > (max - (uint64_t)d) / (uint64_t)base)
			overflow = 1;
		else
			v = v * (uint64_t)base + (uint64_t)d;
	}
	if (overflow) {
		*out = max;
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int go_parse_uint(const char *s, int base, int bits, uint64_t *out, char *msg, size_t msglen)
{
	int r = parse_digits(s, base, bits, out);
	if (r < 0)
		return num_error("ParseUint", s, r, msg, msglen);
	return 0;
}

int go_parse_int(const char *s, int base, int bits, long long *out, char *msg, size_t msglen)
{
	const char *p = s;
	int neg = 0;
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	uint64_t u;
	int r = parse_digits(p, base, 64, &u);
	if (r == 0) {
		uint64_t cutoff = (uint64_t)1 << (bits - 1);
		if (!neg && u >= cutoff)
			r = -ERANGE;
		else if (neg && u > cutoff)
			r = -ERANGE;
	}
	if (r < 0)
		return num_error("ParseInt", s, r, msg, msglen);
	*out = neg ? (long long)(0 - u) : (long long)u;
	return 0;
}

/* Decodes one UTF-8 sequence; returns its length or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, v = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, v = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

size_t go_quote(const char *s, char *buf, size_t buflen)
{
	size_t used = 0;
#define PUT(...)                                                                              \
	do {                                                                                  \
		char *dst_ = (buf && used < buflen) ? buf + used : NULL;                       \
		int n_ = snprintf(dst_, dst_ ? buflen - used : 0, __VA_ARGS__);                 \
		used += n_ > 0 ? (size_t)n_ : 0;                                               \
	} while (0)
	PUT("\"");
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		size_t n = utf8_len(p, &cp);
		if (n == 0) {
			PUT("\\x%02x", *p);
			p++;
			continue;
		}
		if (n > 1) {
			/* Printable non-ASCII runes are kept as they are. */
			PUT("%.*s", (int)n, (const char *)p);
		} else if (cp == '"' || cp == '\\') {
			PUT("\\%c", (int)cp);
		} else if (cp >= 0x20 && cp < 0x7f) {
			PUT("%c", (int)cp);
		} else {
			switch (cp) {
			case '\a': PUT("\\a"); break;
			case '\b': PUT("\\b"); break;
			case '\f': PUT("\\f"); break;
			case '\n': PUT("\\n"); break;
			case '\r': PUT("\\r"); break;
			case '\t': PUT("\\t"); break;
			case '\v': PUT("\\v"); break;
			default: PUT("\\x%02x", (unsigned)cp); break;
			}
		}
		p += n;
	}
	PUT("\"");
#undef PUT
	if (buf && buflen && used >= buflen)
		buf[buflen - 1] = '\0';
	return used;
}
