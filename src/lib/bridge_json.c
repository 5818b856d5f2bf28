/* bridge_json.c: tolerant key lookup and exact integer access on json-c trees. */
#include "lib/bridge_json.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "lib/err.h"

struct json_object *bj_get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;
	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (json_object_object_get_ex(obj, key, &v))
		return v;
	json_object_object_foreach(obj, k, val)
	{
		if (strcasecmp(k, key) == 0)
			return val;
	}
	return NULL;
}

int bj_get_string(struct json_object *obj, const char *key, const char **out)
{
	struct json_object *v = bj_get(obj, key);
	if (!v)
		return -ENOENT;
	if (!json_object_is_type(v, json_type_string))
		return err_setmsg(-EINVAL, "%s: expected a string", key);
	*out = json_object_get_string(v);
	return 0;
}

int bj_get_bool(struct json_object *obj, const char *key, bool *out)
{
	struct json_object *v = bj_get(obj, key);
	if (!v)
		return -ENOENT;
	if (!json_object_is_type(v, json_type_boolean))
		return err_setmsg(-EINVAL, "%s: expected true or false", key);
	*out = json_object_get_boolean(v);
	return 0;
}

static int get_int(struct json_object *obj, const char *key, struct json_object **v)
{
	*v = bj_get(obj, key);
	if (!*v)
		return -ENOENT;
	if (!json_object_is_type(*v, json_type_int))
		return err_setmsg(-EINVAL, "%s: expected an integer", key);
	return 0;
}

int bj_get_u64(struct json_object *obj, const char *key, uint64_t *out)
{
	struct json_object *v;
	int r = get_int(obj, key, &v);
	if (r < 0)
		return r;
	errno = 0;
	int64_t s = json_object_get_int64(v);
	if (s < 0)
		return err_setmsg(-EINVAL, "%s: %lld is negative", key, (long long)s);
	*out = json_object_get_uint64(v);
	return 0;
}

int bj_get_u32(struct json_object *obj, const char *key, uint32_t *out)
{
	uint64_t v;
	int r = bj_get_u64(obj, key, &v);
	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return err_setmsg(-EINVAL, "%s: %llu does not fit in 32 bits", key, (unsigned long long)v);
	*out = (uint32_t)v;
	return 0;
}

int bj_get_i32(struct json_object *obj, const char *key, int32_t *out)
{
	struct json_object *v;
	int r = get_int(obj, key, &v);
	if (r < 0)
		return r;
	int64_t s = json_object_get_int64(v);
	if (s < INT32_MIN || s > INT32_MAX)
		return err_setmsg(-EINVAL, "%s: %lld does not fit in 32 bits", key, (long long)s);
	*out = (int32_t)s;
	return 0;
}

int bj_parse_object(const char *text, size_t len, struct json_object **out)
{
	if (len > INT32_MAX)
		return err_setmsg(-EINVAL, "JSON document too large");
	struct json_tokener *tok = json_tokener_new_ex(64);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	struct json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!obj) {
		if (jerr == json_tokener_continue)
			return err_setmsg(-EINVAL, "invalid JSON: unexpected end of document");
		return err_setmsg(-EINVAL, "invalid JSON at offset %zu: %s", used, json_tokener_error_desc(jerr));
	}
	for (size_t i = used; i < len; i++) {
		if (!isspace((unsigned char)text[i])) {
			json_object_put(obj);
			return err_setmsg(-EINVAL, "invalid JSON: data after the object at offset %zu", i);
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		return err_setmsg(-EINVAL, "invalid JSON: expected an object");
	}
	*out = obj;
	return 0;
}

int bj_parse_embedded(struct json_object *obj, const char *key, struct json_object **out)
{
	const char *s;
	*out = NULL;
	int r = bj_get_string(obj, key, &s);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (!*s)
		return 0;
	r = bj_parse_object(s, strlen(s), out);
	if (r < 0)
		return err_wrap(r, "%s", key);
	return 0;
}

const char *bj_text(struct json_object *obj, size_t *len)
{
	return json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
}

void bj_add_string_nonempty(struct json_object *obj, const char *key, const char *value)
{
	if (value && *value)
		json_object_object_add(obj, key, json_object_new_string(value));
}

void bj_add_bool_true(struct json_object *obj, const char *key, bool value)
{
	if (value)
		json_object_object_add(obj, key, json_object_new_boolean(1));
}

bool bridge_guid_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}
