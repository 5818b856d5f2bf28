/* oci_process.c: exec process objects (see oci_process.h). */
#include "lib/oci_process.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/bridge_msg.h"
#include "lib/oci_json.h"

static const char *const v3_capabilities[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN",
	"CAP_NET_ADMIN", "CAP_SETGID", "CAP_SETUID", "CAP_CHOWN",
	"CAP_FOWNER", "CAP_DAC_OVERRIDE", "CAP_NET_RAW",
};

int oci_process_from_parameters(json_object *params, json_object **out)
{
	*out = NULL;
	_cleanup_jobj_ json_object *p = json_object_new_object();
	json_object *args = json_object_new_array();
	if (!p || !args) {
		json_object_put(args);
		return err_set(-ENOMEM, "building process");
	}
	json_object_object_add(p, "args", args);
	json_object *cargs = oci_json_get(params, "CommandArgs");
	int r;
	if (cargs && json_object_is_type(cargs, json_type_array) && json_object_array_length(cargs) > 0) {
		for (size_t i = 0; i < json_object_array_length(cargs); i++) {
			json_object *a = json_object_array_get_idx(cargs, i);
			if (!json_object_is_type(a, json_type_string))
				return err_setmsg(-EINVAL, "CommandArgs[%zu] is not a string", i);
			json_object_array_add(args, json_object_new_string(json_object_get_string(a)));
		}
	} else {
		const char *line = NULL;
		if ((r = oci_json_get_string(params, "CommandLine", &line)) < 0)
			return r;
		char **argv = NULL;
		if (!line || (r = bridge_cmdline_split(line, &argv)) < 0 || !argv[0]) {
			bridge_strv_free(argv);
			return r < 0 ? r : err_setmsg(-EINVAL, "the process has no command");
		}
		for (char **a = argv; *a; a++)
			json_object_array_add(args, json_object_new_string(*a));
		bridge_strv_free(argv);
	}
	const char *cwd = NULL;
	if ((r = oci_json_get_string(params, "WorkingDirectory", &cwd)) < 0)
		return r;
	json_object_object_add(p, "cwd", json_object_new_string(cwd && *cwd ? cwd : "/"));
	json_object *env = json_object_new_array();
	json_object_object_add(p, "env", env);
	json_object *penv = oci_json_get(params, "Environment");
	if (penv && json_object_is_type(penv, json_type_object)) {
		json_object_object_foreach(penv, k, v) {
			if (!v || !json_object_is_type(v, json_type_string))
				return err_setmsg(-EINVAL, "Environment %s is not a string", k);
			_cleanup_free_ char *kv = NULL;
			if (asprintf(&kv, "%s=%s", k, json_object_get_string(v)) < 0)
				return err_set(-ENOMEM, "building environment");
			json_object_array_add(env, json_object_new_string(kv));
		}
	}
	bool tty = false;
	if ((r = oci_json_get_bool(params, "EmulateConsole", &tty)) < 0)
		return r;
	json_object_object_add(p, "terminal", json_object_new_boolean(tty));
	json_object *user = json_object_new_object();
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(p, "user", user);
	json_object *caps = json_object_new_object();
	static const char *const sets[] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < ARRAY_SIZE(v3_capabilities); i++)
			json_object_array_add(a, json_object_new_string(v3_capabilities[i]));
		json_object_object_add(caps, sets[s], a);
	}
	json_object_object_add(p, "capabilities", caps);
	json_object *rl = json_object_new_array();
	json_object *nofile = json_object_new_object();
	json_object_object_add(nofile, "type", json_object_new_string("RLIMIT_NOFILE"));
	json_object_object_add(nofile, "hard", json_object_new_int(1024));
	json_object_object_add(nofile, "soft", json_object_new_int(1024));
	json_object_array_add(rl, nofile);
	json_object_object_add(p, "rlimits", rl);
	json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(true));
	*out = TAKE_PTR(p);
	return 0;
}

int oci_process_inherit(json_object *process, json_object *container_process, bool container_had_username)
{
	if (!process || !json_object_is_type(process, json_type_object))
		return err_setmsg(-EINVAL, "OciProcess is not an object");
	json_object *rl = oci_json_get(container_process, "rlimits");
	if (rl)
		oci_json_set(process, "rlimits", json_object_get(rl));
	else
		oci_json_del(process, "rlimits");
	const char *name = NULL;
	int r = oci_json_get_string(oci_json_get(process, "user"), "username", &name);
	if (r < 0)
		return r;
	if ((!name || !*name) && container_had_username) {
		json_object *cu = oci_json_get(container_process, "user");
		if (cu) {
			json_object *copy = NULL;
			if (json_object_deep_copy(cu, &copy, NULL) < 0)
				return err_set(-ENOMEM, "copying the container user");
			oci_json_set(process, "user", copy);
		}
	}
	return 0;
}
