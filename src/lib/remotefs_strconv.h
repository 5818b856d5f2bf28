/* remotefs_strconv.h: Go strconv number parsing and quoting, with Go's error
 * wording.
 *
 * remotefs reports unparsable arguments with the text Go's strconv produced
 * (`strconv.ParseUint: parsing "x": invalid syntax`, ../shared/spec/
 * gcstools.md §8.4), which Docker shows to the user, so the checks (sign,
 * digits, range per bit size) and the messages follow Go exactly. Pure. */
#ifndef LCOW_REMOTEFS_STRCONV_H
#define LCOW_REMOTEFS_STRCONV_H

#include <stddef.h>
#include <stdint.h>

/* strconv.ParseUint(s, base, bits): base 0 (prefix-detected), 8 or 10.
 * 0 on success; -EINVAL (syntax) or -ERANGE with the Go message in msg. */
int go_parse_uint(const char *s, int base, int bits, uint64_t *out, char *msg, size_t msglen);
/* strconv.ParseInt(s, base, bits): an optional sign, then as ParseUint. */
int go_parse_int(const char *s, int base, int bits, long long *out, char *msg, size_t msglen);

/* strconv.Quote(s) into buf (always NUL-terminated); returns the full length. */
size_t go_quote(const char *s, char *buf, size_t buflen);

#endif
