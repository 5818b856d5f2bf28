/* bridge_json.h: json-c helpers shared by the bridge, the GCS handlers and gcsctl.
 *
 * The host's encoder matches keys case-insensitively and the guest should
 * too (§0.2): every getter looks for the exact key first, then ignores case.
 * Integers stay integers (json-c keeps int64/uint64 exactly, DESIGN.md).
 * Getters return 0, -ENOENT (absent or null) or -EINVAL (wrong type/range,
 * with err text naming the key). Pure: no I/O. */
#ifndef LCOW_BRIDGE_JSON_H
#define LCOW_BRIDGE_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cleanup.h"

static inline void bj_put_cleanup(struct json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(bj_put_cleanup)))

/* Member KEY of OBJ (exact match preferred, then case-insensitive); NULL
 * when OBJ is not an object, the key is absent or its value is null. */
struct json_object *bj_get(struct json_object *obj, const char *key);

int bj_get_string(struct json_object *obj, const char *key, const char **out);
int bj_get_bool(struct json_object *obj, const char *key, bool *out);
int bj_get_u32(struct json_object *obj, const char *key, uint32_t *out);
int bj_get_i32(struct json_object *obj, const char *key, int32_t *out);
int bj_get_u64(struct json_object *obj, const char *key, uint64_t *out);

/* Parses exactly one JSON object (trailing whitespace allowed, §1.4).
 * -EINVAL with err text on anything else. */
int bj_parse_object(const char *text, size_t len, struct json_object **out);
/* Parses the embedded JSON document held as a string in OBJ[KEY] (§3.4 ⧉).
 * Absent, null or "" gives *out = NULL and 0. */
int bj_parse_embedded(struct json_object *obj, const char *key, struct json_object **out);

/* Compact serialisation without slash escaping (owned by OBJ). */
const char *bj_text(struct json_object *obj, size_t *len);

/* Adds KEY only when the value is not empty (§0.2 "omitted when empty"). */
void bj_add_string_nonempty(struct json_object *obj, const char *key, const char *value);
void bj_add_bool_true(struct json_object *obj, const char *key, bool value);

/* True for the 36-character 8-4-4-4-12 hex form (either case). */
bool bridge_guid_valid(const char *s);

#endif
