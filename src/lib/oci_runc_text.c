/* oci_runc_text.c: runc error text → HRESULT and log extraction (see
 * oci_runc_text.h). */
#include "lib/oci_runc_text.h"

#include <stdlib.h>
#include <string.h>

#include "lib/bridge_proto.h"
#include "lib/oci_json.h"

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int32_t oci_runc_error_hresult(const char *text)
{
	if (!text)
		return HR_E_FAIL;
	size_t n = strlen(text);
	while (n && strchr(" \t\r\n", text[n - 1]))
		n--;
	if ((strncmp(text, "container", 9) == 0 && ends_with(text, n, "does not exist")) ||
	    strstr(text, "container does not exist"))
		return HR_SYSTEM_NOT_FOUND;
	if (strstr(text, "container with id exists") || strstr(text, "container with given ID already exists"))
		return HR_SYSTEM_EXISTS;
	if (strstr(text, "invalid id format") || strstr(text, "invalid container ID format"))
		return HR_E_INVALIDARG;
	const char *c = strstr(text, "container");
	if (c && strstr(c, "that is not stopped"))
		return HR_INVALID_STATE;
	if (strstr(text, "container still running"))
		return HR_INVALID_STATE;
	if (strstr(text, "container not running"))
		return HR_SYSTEM_STOPPED;
	return HR_E_FAIL;
}

char *oci_runc_log_last_error(const char *log, size_t len)
{
	char *found = NULL;
	const char *p = log, *end = log + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		json_object *line = NULL;
		if (e > p && *p == '{' && oci_json_parse(p, (size_t)(e - p), &line) == 0) {
			const char *level = NULL, *msg = NULL;
			if (oci_json_get_string(line, "level", &level) == 0 && level &&
			    (strcmp(level, "error") == 0 || strcmp(level, "fatal") == 0 || strcmp(level, "panic") == 0) &&
			    oci_json_get_string(line, "msg", &msg) == 0 && msg) {
				free(found);
				found = strdup(msg);
			}
			json_object_put(line);
		}
		p = e + 1;
	}
	return found;
}

char *oci_runc_stderr_last_line(const char *text, size_t len)
{
	while (len && strchr(" \t\r\n", text[len - 1]))
		len--;
	if (!len)
		return NULL;
	size_t start = len;
	while (start && text[start - 1] != '\n')
		start--;
	while (start < len && strchr(" \t\r", text[start]))
		start++;
	return strndup(text + start, len - start);
}
