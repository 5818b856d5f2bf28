/* remotefs_taroptions.c: TarOptions JSON and id maps (see remotefs_taroptions.h). */
#include "lib/remotefs_taroptions.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"

DEFINE_CLEANUP_FUNC(json_object, json_object_put)
DEFINE_CLEANUP_FUNC(json_tokener, json_tokener_free)

static int bad(char *msg, size_t msglen, const char *key, const char *want)
{
	snprintf(msg, msglen, "json: cannot unmarshal TarOptions.%s: want %s", key, want);
	return -EINVAL;
}

static int get_bool(json_object *v, const char *key, bool *out, char *msg, size_t msglen)
{
	if (!v)
		return 0; /* null leaves the zero value */
	if (!json_object_is_type(v, json_type_boolean))
		return bad(msg, msglen, key, "a boolean");
	*out = json_object_get_boolean(v);
	return 0;
}

static int get_int(json_object *v, const char *key, int64_t *out, char *msg, size_t msglen)
{
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return bad(msg, msglen, key, "an integer");
	errno = 0;
	*out = json_object_get_int64(v);
	if (errno == ERANGE)
		return bad(msg, msglen, key, "an integer in range");
	return 0;
}

static int get_strings(json_object *v, const char *key, char ***out, size_t *n, char *msg, size_t msglen)
{
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return bad(msg, msglen, key, "an array of strings");
	size_t len = json_object_array_length(v);
	char **arr = calloc(len + 1, sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	*out = arr;
	for (size_t i = 0; i < len; i++) {
		json_object *s = json_object_array_get_idx(v, i);
		if (!s || !json_object_is_type(s, json_type_string))
			return bad(msg, msglen, key, "an array of strings");
		arr[i] = strdup(json_object_get_string(s));
		if (!arr[i])
			return -ENOMEM;
		*n = i + 1;
	}
	return 0;
}

/* Case-insensitive member look-up; the last match wins, as in Go. */
static json_object *member(json_object *obj, const char *name, bool *found)
{
	json_object *hit = NULL;
	*found = false;
	json_object_object_foreach(obj, k, val) {
		if (strcasecmp(k, name) == 0) {
			hit = val;
			*found = true;
		}
	}
	return hit;
}

static int get_idmaps(json_object *v, const char *key, struct rfs_idmap **out, size_t *n, char *msg, size_t msglen)
{
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return bad(msg, msglen, key, "an array of id maps");
	size_t len = json_object_array_length(v);
	struct rfs_idmap *arr = calloc(len + 1, sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	*out = arr;
	*n = len;
	for (size_t i = 0; i < len; i++) {
		json_object *m = json_object_array_get_idx(v, i);
		if (!m || !json_object_is_type(m, json_type_object))
			return bad(msg, msglen, key, "an array of id maps");
		bool f;
		int r;
		if ((r = get_int(member(m, "container_id", &f), key, &arr[i].container_id, msg, msglen)) < 0 ||
		    (r = get_int(member(m, "host_id", &f), key, &arr[i].host_id, msg, msglen)) < 0 ||
		    (r = get_int(member(m, "size", &f), key, &arr[i].size, msg, msglen)) < 0)
			return r;
	}
	return 0;
}

int rfs_taroptions_parse(const char *json, size_t len, struct rfs_taroptions *o, char *msg, size_t msglen)
{
	memset(o, 0, sizeof(*o));
	_cleanup_(json_tokener_free_cleanup) json_tokener *tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	if (len > (size_t)INT32_MAX) {
		snprintf(msg, msglen, "invalid TarOptions JSON: too long");
		return -EINVAL;
	}
	_cleanup_(json_object_put_cleanup) json_object *root = json_tokener_parse_ex(tok, json, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	if (!root && jerr == json_tokener_continue) {
		/* A bare scalar ("null") is only complete at end of input. */
		root = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
		if (jerr == json_tokener_success && !root)
			return 0; /* null: no options */
	}
	if (jerr != json_tokener_success) {
		snprintf(msg, msglen, "invalid TarOptions JSON: %s", json_tokener_error_desc(jerr));
		return -EINVAL;
	}
	for (; end < len; end++) {
		if (json[end] != ' ' && json[end] != '\t' && json[end] != '\n' && json[end] != '\r') {
			snprintf(msg, msglen, "invalid TarOptions JSON: data after the top-level value");
			return -EINVAL;
		}
	}
	if (!root) {
		snprintf(msg, msglen, "invalid TarOptions JSON: empty");
		return -EINVAL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(msg, msglen, "json: cannot unmarshal TarOptions: not an object");
		return -EINVAL;
	}
	bool f;
	int r;
	json_object *chown = member(root, "ChownOpts", &f);
	if (chown) {
		if (!json_object_is_type(chown, json_type_object))
			return bad(msg, msglen, "ChownOpts", "an object");
		o->has_chown_opts = true;
		if ((r = get_int(member(chown, "UID", &f), "ChownOpts.UID", &o->chown_uid, msg, msglen)) < 0 ||
		    (r = get_int(member(chown, "GID", &f), "ChownOpts.GID", &o->chown_gid, msg, msglen)) < 0)
			return r;
	}
	json_object *rebase = member(root, "RebaseNames", &f);
	if (rebase) {
		if (!json_object_is_type(rebase, json_type_object))
			return bad(msg, msglen, "RebaseNames", "an object of strings");
		size_t n = (size_t)json_object_object_length(rebase);
		o->rebase_names = calloc(n + 1, sizeof(*o->rebase_names));
		if (!o->rebase_names)
			return -ENOMEM;
		json_object_object_foreach(rebase, k, val) {
			if (!val || !json_object_is_type(val, json_type_string))
				return bad(msg, msglen, "RebaseNames", "an object of strings");
			struct rfs_rebase *rb = &o->rebase_names[o->n_rebase_names++];
			rb->from = strdup(k);
			rb->to = strdup(json_object_get_string(val));
			if (!rb->from || !rb->to)
				return -ENOMEM;
		}
	}
	if ((r = get_strings(member(root, "IncludeFiles", &f), "IncludeFiles", &o->include_files,
			     &o->n_include_files, msg, msglen)) < 0 ||
	    (r = get_strings(member(root, "ExcludePatterns", &f), "ExcludePatterns", &o->exclude_patterns,
			     &o->n_exclude_patterns, msg, msglen)) < 0 ||
	    (r = get_int(member(root, "Compression", &f), "Compression", &o->compression, msg, msglen)) < 0 ||
	    (r = get_bool(member(root, "NoLchown", &f), "NoLchown", &o->no_lchown, msg, msglen)) < 0 ||
	    (r = get_idmaps(member(root, "UIDMaps", &f), "UIDMaps", &o->uid_maps, &o->n_uid_maps, msg, msglen)) < 0 ||
	    (r = get_idmaps(member(root, "GIDMaps", &f), "GIDMaps", &o->gid_maps, &o->n_gid_maps, msg, msglen)) < 0 ||
	    (r = get_bool(member(root, "IncludeSourceDir", &f), "IncludeSourceDir", &o->include_source_dir, msg,
			  msglen)) < 0 ||
	    (r = get_int(member(root, "WhiteoutFormat", &f), "WhiteoutFormat", &o->whiteout_format, msg, msglen)) < 0 ||
	    (r = get_bool(member(root, "NoOverwriteDirNonDir", &f), "NoOverwriteDirNonDir",
			  &o->no_overwrite_dir_non_dir, msg, msglen)) < 0 ||
	    (r = get_bool(member(root, "InUserNS", &f), "InUserNS", &o->in_userns, msg, msglen)) < 0)
		return r;
	return 0;
}

static void free_strings(char **arr, size_t n)
{
	for (size_t i = 0; arr && i < n; i++)
		free(arr[i]);
	free(arr);
}

void rfs_taroptions_free(struct rfs_taroptions *o)
{
	free_strings(o->include_files, o->n_include_files);
	free_strings(o->exclude_patterns, o->n_exclude_patterns);
	free(o->uid_maps);
	free(o->gid_maps);
	for (size_t i = 0; i < o->n_rebase_names; i++) {
		free(o->rebase_names[i].from);
		free(o->rebase_names[i].to);
	}
	free(o->rebase_names);
	memset(o, 0, sizeof(*o));
}

const char *rfs_taroptions_rebase(const struct rfs_taroptions *o, const char *include)
{
	for (size_t i = o->n_rebase_names; i > 0; i--)
		if (strcmp(o->rebase_names[i - 1].from, include) == 0)
			return o->rebase_names[i - 1].to;
	return NULL;
}

int rfs_idmap_to_host(const struct rfs_idmap *maps, size_t n, int64_t id, bool is_uid, int64_t *out, char *msg,
		      size_t msglen)
{
	(void)is_uid;
	if (n == 0) {
		*out = id;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (id >= maps[i].container_id && id <= maps[i].container_id + maps[i].size - 1) {
			*out = maps[i].host_id + (id - maps[i].container_id);
			return 0;
		}
	}
	snprintf(msg, msglen, "Container ID %lld cannot be mapped to a host ID", (long long)id);
	return -EINVAL;
}

int rfs_idmap_to_container(const struct rfs_idmap *maps, size_t n, int64_t id, bool is_uid, int64_t *out, char *msg,
			   size_t msglen)
{
	(void)is_uid;
	if (n == 0) {
		*out = id;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (id >= maps[i].host_id && id <= maps[i].host_id + maps[i].size - 1) {
			*out = maps[i].container_id + (id - maps[i].host_id);
			return 0;
		}
	}
	snprintf(msg, msglen, "Host ID %lld cannot be mapped to a container ID", (long long)id);
	return -EINVAL;
}
