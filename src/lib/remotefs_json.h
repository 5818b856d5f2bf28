/* remotefs_json.h: the JSON remotefs writes, byte for byte as Go's
 * encoding/json.Marshal wrote it.
 *
 * Docker parses remotefs output with Go's JSON decoder; emitting the same
 * bytes as the SEED tool (../shared/spec/gcstools.md §8.2, §8.3) keeps golden
 * comparisons exact: field order, no spaces, no trailing newline, Go's string
 * escaping (HTML-safe \u003c \u003e \u0026, \u2028/\u2029, invalid UTF-8 as
 * \ufffd). Output goes to a growable buffer. Pure. */
#ifndef LCOW_REMOTEFS_JSON_H
#define LCOW_REMOTEFS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rfs_buf {
	char *data;
	size_t len, cap;
	bool oom; /* an allocation failed; data holds what fitted */
};

void rfs_buf_free(struct rfs_buf *b);
void rfs_buf_put(struct rfs_buf *b, const void *p, size_t n);
void rfs_buf_puts(struct rfs_buf *b, const char *s);
void rfs_buf_printf(struct rfs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A JSON string literal (with quotes) for the n bytes at s, Go-escaped. */
void rfs_json_string(struct rfs_buf *b, const char *s, size_t n);

/* What remotefs reports about a file (Go's os.FileInfo reduced, §8.3). */
struct rfs_fileinfo {
	const char *name;
	int64_t size;
	uint32_t mode;     /* a Go os.FileMode */
	int64_t mtime_ns;  /* nanoseconds since the Unix epoch */
	bool is_dir;
};

/* {"NameVar":..,"SizeVar":..,"ModeVar":..,"ModTimeVar":..,"IsDirVar":..} */
void rfs_json_fileinfo(struct rfs_buf *b, const struct rfs_fileinfo *fi);

#endif
