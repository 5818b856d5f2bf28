/* gzip_file.h: a deterministic gzip output file for mkinitrd.
 *
 * The stream has no file name and mtime 0 (zlib's default gzip header), so
 * the same archive bytes always give the same file. Output goes to
 * PATH.tmp and is renamed over PATH only by gzip_file_commit, so a failed
 * build never leaves a half-written image behind. */
#ifndef MKINITRD_GZIP_FILE_H
#define MKINITRD_GZIP_FILE_H

#include <stddef.h>

struct gzip_file;

int gzip_file_open(struct gzip_file **out, const char *path, int level);
/* A cpio_sink_fn: compresses `len` bytes into the file. */
int gzip_file_write(void *gz, const void *buf, size_t len);
/* Finishes the stream, fsyncs and renames PATH.tmp to PATH. */
int gzip_file_commit(struct gzip_file *gz);
/* Frees; removes PATH.tmp unless committed. NULL is fine. */
void gzip_file_close(struct gzip_file *gz);

#endif
