/* remotefs_mode.h: Go os.FileMode <-> Unix mode, as remotefs exchanges them.
 *
 * FileInfo JSON carries a Go FileMode, not st_mode, and mkdir/writefile/
 * openfile receive Go FileModes as octal strings (../shared/spec/
 * gcstools.md §8.3). The bit positions are Go's and fixed. Pure. */
#ifndef LCOW_REMOTEFS_MODE_H
#define LCOW_REMOTEFS_MODE_H

#include <stdint.h>
#include <sys/types.h>

#define GO_MODE_DIR        (UINT32_C(1) << 31)
#define GO_MODE_APPEND     (UINT32_C(1) << 30)
#define GO_MODE_EXCLUSIVE  (UINT32_C(1) << 29)
#define GO_MODE_TEMPORARY  (UINT32_C(1) << 28)
#define GO_MODE_SYMLINK    (UINT32_C(1) << 27)
#define GO_MODE_DEVICE     (UINT32_C(1) << 26)
#define GO_MODE_NAMEDPIPE  (UINT32_C(1) << 25)
#define GO_MODE_SOCKET     (UINT32_C(1) << 24)
#define GO_MODE_SETUID     (UINT32_C(1) << 23)
#define GO_MODE_SETGID     (UINT32_C(1) << 22)
#define GO_MODE_CHARDEVICE (UINT32_C(1) << 21)
#define GO_MODE_STICKY     (UINT32_C(1) << 20)
#define GO_MODE_PERM       UINT32_C(0777)

/* The Go FileMode for a stat(2) st_mode. */
uint32_t go_filemode_from_unix(mode_t st_mode);
/* The Unix permission bits (incl. setuid/setgid/sticky) Go's os package
 * passes to the kernel for a Go FileMode; type bits are dropped. */
mode_t unix_perm_from_go_filemode(uint32_t go_mode);

/* Go's os.FileInfo.Name() for a path: the last element, trailing slashes
 * ignored, "/" for the root. Writes into buf (NUL-terminated). */
void go_path_basename(const char *path, char *buf, size_t buflen);

#endif
