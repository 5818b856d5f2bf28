/* oci_json.c: case-tolerant, type-checked access to json-c trees (see
 * oci_json.h). */
#include "lib/oci_json.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "lib/err.h"

static const char *find_key(json_object *obj, const char *key)
{
	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (json_object_object_get_ex(obj, key, NULL))
		return key;
	json_object_object_foreach(obj, k, v) {
		(void)v;
		if (strcasecmp(k, key) == 0)
			return k;
	}
	return NULL;
}

json_object *oci_json_get(json_object *obj, const char *key)
{
	const char *k = find_key(obj, key);
	json_object *v = NULL;
	if (!k || !json_object_object_get_ex(obj, k, &v))
		return NULL;
	return v;
}

int oci_json_get_string(json_object *obj, const char *key, const char **out)
{
	json_object *v = oci_json_get(obj, key);
	*out = NULL;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return err_setmsg(-EINVAL, "%s: expected a string", key);
	*out = json_object_get_string(v);
	return 0;
}

int oci_json_get_bool(json_object *obj, const char *key, bool *out)
{
	json_object *v = oci_json_get(obj, key);
	*out = false;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return err_setmsg(-EINVAL, "%s: expected true or false", key);
	*out = json_object_get_boolean(v);
	return 0;
}

int oci_json_get_u64(json_object *obj, const char *key, uint64_t max, uint64_t *out)
{
	json_object *v = oci_json_get(obj, key);
	*out = 0;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return err_setmsg(-EINVAL, "%s: expected an integer", key);
	/* json-c keeps values above INT64_MAX as unsigned; negative ones are
	 * signed and must be refused here. */
	if (json_object_get_int64(v) < 0)
		return err_setmsg(-EINVAL, "%s: negative value", key);
	uint64_t u = json_object_get_uint64(v);
	if (u > max)
		return err_setmsg(-EINVAL, "%s: %" PRIu64 " is above %" PRIu64, key, u, max);
	*out = u;
	return 0;
}

int oci_json_get_i64(json_object *obj, const char *key, int64_t *out)
{
	json_object *v = oci_json_get(obj, key);
	*out = 0;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return err_setmsg(-EINVAL, "%s: expected an integer", key);
	*out = json_object_get_int64(v);
	return 0;
}

int oci_json_parse(const char *text, size_t len, json_object **out)
{
	*out = NULL;
	if (len > INT32_MAX)
		return err_setmsg(-EINVAL, "JSON document too large");
	json_tokener *tok = json_tokener_new_ex(64);
	if (!tok)
		return err_set(-ENOMEM, "allocating JSON parser");
	json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!obj || e != json_tokener_success) {
		json_object_put(obj);
		return err_setmsg(-EINVAL, "invalid JSON: %s",
				  e == json_tokener_continue ? "document ends early" : json_tokener_error_desc(e));
	}
	for (size_t i = used; i < len; i++) {
		if (!strchr(" \t\r\n", text[i])) {
			json_object_put(obj);
			return err_setmsg(-EINVAL, "invalid JSON: data after the document");
		}
	}
	*out = obj;
	return 0;
}

const char *oci_json_text(json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

void oci_json_del(json_object *obj, const char *key)
{
	const char *k;
	while ((k = find_key(obj, key)) != NULL)
		json_object_object_del(obj, k);
}

void oci_json_set(json_object *obj, const char *key, json_object *val)
{
	oci_json_del(obj, key);
	json_object_object_add(obj, key, val);
}

static json_object *typed_member(json_object *obj, const char *key, json_type type)
{
	json_object *v = oci_json_get(obj, key);
	if (v)
		return json_object_is_type(v, type) ? v : NULL;
	v = type == json_type_object ? json_object_new_object() : json_object_new_array();
	if (!v)
		return NULL;
	oci_json_set(obj, key, v);
	return v;
}

json_object *oci_json_object_member(json_object *obj, const char *key)
{
	return typed_member(obj, key, json_type_object);
}

json_object *oci_json_array_member(json_object *obj, const char *key)
{
	return typed_member(obj, key, json_type_array);
}
