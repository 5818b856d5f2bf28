/* oci_runc_state.c: runc's state.json and /proc/<pid>/stat read for the
 * in-GCS start and delete (see oci_runc_state.h). */
#include "lib/oci_runc_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/oci_json.h"
#include "lib/oci_path.h"
#include "lib/str_array.h"

void oci_runc_state_free(struct oci_runc_state *s)
{
	str_array_free(s->cgroup_paths, s->n_cgroup_paths);
	s->cgroup_paths = NULL;
	s->n_cgroup_paths = 0;
}

static int add_cgroup_path(struct oci_runc_state *s, const char *path, const char *root)
{
	size_t rl = strlen(root);
	int r = oci_path_check_absolute("cgroup path", path);
	if (r < 0)
		return r;
	if (strncmp(path, root, rl) != 0 || path[rl] != '/' || !path[rl + 1])
		return err_setmsg(-EINVAL, "cgroup path %s is not below %s", path, root);
	for (size_t i = 0; i < s->n_cgroup_paths; i++)
		if (strcmp(s->cgroup_paths[i], path) == 0)
			return 0; /* v1 co-mounted controllers name one directory twice */
	if (str_array_append(&s->cgroup_paths, &s->n_cgroup_paths, path) < 0)
		return err_set(-ENOMEM, "cgroup paths");
	return 0;
}

int oci_runc_state_parse(const char *text, size_t len, const char *cgroup_root, struct oci_runc_state *out)
{
	memset(out, 0, sizeof(*out));
	_cleanup_jobj_ json_object *st = NULL;
	int r = oci_json_parse(text, len, &st);
	if (r < 0)
		return err_wrap(r, "state.json");
	if (!json_object_is_type(st, json_type_object))
		return err_setmsg(-EINVAL, "state.json is not an object");
	int64_t pid = 0;
	uint64_t start = 0;
	if ((r = oci_json_get_i64(st, "init_process_pid", &pid)) < 0 ||
	    (r = oci_json_get_u64(st, "init_process_start", UINT64_MAX, &start)) < 0)
		return err_wrap(r, "state.json");
	if (pid <= 0 || pid > INT32_MAX)
		return err_setmsg(-EINVAL, "state.json: init_process_pid %lld is not a pid", (long long)pid);
	out->init_pid = (pid_t)pid;
	out->init_start = start;
	const char *rdt = NULL;
	if ((r = oci_json_get_string(st, "intel_rdt_path", &rdt)) < 0)
		return err_wrap(r, "state.json");
	out->has_intel_rdt = rdt && *rdt;
	json_object *paths = oci_json_get(st, "cgroup_paths");
	if (paths && !json_object_is_type(paths, json_type_object))
		return err_setmsg(-EINVAL, "state.json: cgroup_paths is not an object");
	if (paths) {
		json_object_object_foreach(paths, key, val)
		{
			(void)key;
			const char *p = json_object_is_type(val, json_type_string) ? json_object_get_string(val) : NULL;
			if (!p) {
				oci_runc_state_free(out);
				return err_setmsg(-EINVAL, "state.json: cgroup path of %s is not a string", key);
			}
			if ((r = add_cgroup_path(out, p, cgroup_root)) < 0) {
				oci_runc_state_free(out);
				return err_wrap(r, "state.json");
			}
		}
	}
	json_object *post = oci_json_get(oci_json_get(oci_json_get(st, "config"), "hooks"), "poststop");
	out->has_poststop = post && json_object_is_type(post, json_type_array) && json_object_array_length(post) > 0;
	return 0;
}

int oci_proc_stat_parse(const char *text, size_t len, char *state, uint64_t *start_time)
{
	const char *end = text + len, *p = NULL;
	for (const char *q = text; q < end; q++)
		if (*q == ')')
			p = q;
	if (!p)
		return err_setmsg(-EINVAL, "/proc stat: no command name");
	p++;
	/* field 3 is the first after the name; field 22 is the 20th */
	for (int field = 3; field <= 22; field++) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			return err_setmsg(-EINVAL, "/proc stat: field %d is missing", field);
		const char *tok = p;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (field == 3)
			*state = *tok;
		if (field == 22) {
			uint64_t v = 0;
			for (const char *c = tok; c < p; c++) {
				if (*c < '0' || *c > '9' || v > (UINT64_MAX - 9) / 10)
					return err_setmsg(-EINVAL, "/proc stat: start time is not a number");
				v = v * 10 + (uint64_t)(*c - '0');
			}
			*start_time = v;
		}
	}
	return 0;
}
