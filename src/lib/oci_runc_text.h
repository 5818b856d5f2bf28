/* oci_runc_text.h: what runc says, turned into something for the host.
 *
 * runc reports failures as text: in its --log file as JSON lines
 * ({"level":"error","msg":...}) and on stderr. The host wants the text in
 * the error record and an HRESULT chosen from it (gcs-protocol.md §6.2
 * "Failure text", §6.5). */
#ifndef LCOW_OCI_RUNC_TEXT_H
#define LCOW_OCI_RUNC_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* §6.5: the HRESULT for runc's error TEXT (E_FAIL when nothing matches). */
int32_t oci_runc_error_hresult(const char *text);

/* The message of the last entry at level error, fatal or panic in a runc
 * JSON log (one object per line; non-JSON lines are skipped). NULL when there
 * is none. The result is malloc'd. crun writes the same shape. */
char *oci_runc_log_last_error(const char *log, size_t len);

/* The last non-empty line of a plain-text error output, trimmed, or NULL.
 * Both runc ("ERRO[0000] ...") and crun ("crun: ...") print one. */
char *oci_runc_stderr_last_line(const char *text, size_t len);

#endif
