/* init_text.h: the two pieces of kernel text /init reads before it starts
 * the GCS (../shared/spec/gcs-protocol.md §9.1, §9.2 step 7): words of
 * /proc/cmdline and the cgroup v2 controller list.
 *
 * Plain scans with no stdio, strtok or printf: in an emulated VM (qemu
 * TCG) every library routine run for the first time costs translation
 * time, and this is the boot path to the GCS (docs/init.md). Pure code. */
#ifndef LCOW_INIT_TEXT_H
#define LCOW_INIT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True when `text` (len bytes, not necessarily NUL-terminated, as read
 * from /proc/cmdline) holds `word` as a whole blank-separated token, e.g.
 * "hcsshim.cgroup=v1". */
bool init_cmdline_has_word(const char *text, size_t len, const char *word);

/* Writes "+c1 +c2 ... " for the blank-separated controller names in
 * `controllers` (len bytes, as read from cgroup.controllers) into out,
 * NUL-terminated. Returns its length, 0 for an empty list, or -ENOSPC
 * when it does not fit in size bytes. */
int init_cgroup_enable_line(const char *controllers, size_t len, char *out, size_t size);

#endif
