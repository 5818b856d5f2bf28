/* kconfig_file.h: loading a kernel config file, plain or compressed. */
#ifndef LCOW_KCONFIG_FILE_H
#define LCOW_KCONFIG_FILE_H

#include <stddef.h>

/* Largest decompressed config accepted (real ones are under 300 KiB). */
#define KCONFIG_FILE_MAX (16u << 20)

/* Reads PATH ("-" for stdin) into a new buffer *TEXT of *LEN bytes,
 * decompressing gzip, xz, zstd or bzip2 (e.g. /proc/config.gz, Debian's
 * config.*.xz) transparently. Returns 0 or a negative errno with err_text(). */
int kconfig_file_read(const char *path, char **text, size_t *len);

#endif
