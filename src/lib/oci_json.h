/* oci_json.h: small json-c helpers shared by the OCI/container code.
 *
 * Hosts built with Go's encoding/json match keys case-insensitively, so the
 * guest accepts any casing (gcs-protocol.md §0.2). Getters here return
 * defaults for absent members and an error for members of the wrong type, so
 * a hostile request never turns into a silent zero. */
#ifndef LCOW_OCI_JSON_H
#define LCOW_OCI_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/cleanup.h"

static inline void json_object_put_cleanup(json_object **o) { if (*o) json_object_put(*o); }
#define _cleanup_jobj_ __attribute__((cleanup(json_object_put_cleanup)))

/* The member KEY of OBJ, matching exactly first and then case-insensitively;
 * NULL when OBJ is not an object or the member is absent or null. */
json_object *oci_json_get(json_object *obj, const char *key);

/* Typed getters. Absent/null → *out = default, return 0. Wrong type or out of
 * range → -EINVAL with err text naming KEY. */
int oci_json_get_string(json_object *obj, const char *key, const char **out);
int oci_json_get_bool(json_object *obj, const char *key, bool *out);
int oci_json_get_u64(json_object *obj, const char *key, uint64_t max, uint64_t *out);
int oci_json_get_i64(json_object *obj, const char *key, int64_t *out);

/* Parses TEXT (length LEN) as exactly one JSON value with optional trailing
 * whitespace. Returns -EINVAL with err text on bad JSON. */
int oci_json_parse(const char *text, size_t len, json_object **out);

/* Compact text, no slash escaping: what runc and the host read. The string
 * belongs to OBJ. */
const char *oci_json_text(json_object *obj);

/* Sets member KEY (replacing any casing variant of it). Takes VAL. */
void oci_json_set(json_object *obj, const char *key, json_object *val);
/* Removes member KEY in any casing ("set to null" in the spec). */
void oci_json_del(json_object *obj, const char *key);
/* The object member KEY, created empty if absent. NULL if KEY holds a
 * non-object. */
json_object *oci_json_object_member(json_object *obj, const char *key);
/* The array member KEY, created empty if absent. NULL if KEY holds a
 * non-array. */
json_object *oci_json_array_member(json_object *obj, const char *key);

#endif
