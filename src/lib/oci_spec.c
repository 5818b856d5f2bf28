/* oci_spec.c: V4 OCI spec rewriting on a json-c tree (see oci_spec.h). */
#include "lib/oci_spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/oci_json.h"
#include "lib/oci_path.h"
#include "lib/oci_user.h"
#include "lib/str_array.h"

#define ANN_CONTAINER_TYPE "io.kubernetes.cri.container-type"
#define ANN_SANDBOX_ID "io.kubernetes.cri.sandbox-id"
#define ANN_RLIMIT_CORE "io.microsoft.lcow.rlimitcore"
#define ANN_SHM_SIZE "io.microsoft.lcow.shm.size-kb"

static const char *annotation(json_object *spec, const char *key)
{
	json_object *a = oci_json_get(oci_json_get(spec, "annotations"), key);
	return a && json_object_is_type(a, json_type_string) ? json_object_get_string(a) : NULL;
}

int oci_spec_kind(json_object *spec, enum oci_kind *kind, const char **sandbox_id)
{
	*sandbox_id = NULL;
	const char *t = annotation(spec, ANN_CONTAINER_TYPE);
	if (!t) {
		*kind = OCI_KIND_STANDALONE;
		return 0;
	}
	if (strcmp(t, "sandbox") == 0) {
		*kind = OCI_KIND_SANDBOX;
		return 0;
	}
	if (strcmp(t, "container") == 0) {
		*kind = OCI_KIND_WORKLOAD;
		*sandbox_id = annotation(spec, ANN_SANDBOX_ID);
		if (!*sandbox_id || !**sandbox_id)
			return err_setmsg(-EINVAL, "workload container without the %s annotation", ANN_SANDBOX_ID);
		return oci_container_id_check(*sandbox_id);
	}
	return err_setmsg(-EINVAL, "unknown %s \"%.32s\"", ANN_CONTAINER_TYPE, t);
}

void oci_spec_plan_free(struct oci_spec_plan *p)
{
	free(p->hostname);
	str_array_free(p->mkdirs, p->n_mkdirs);
	memset(p, 0, sizeof(*p));
}

bool oci_spec_has_mount(json_object *spec, const char *destination)
{
	json_object *mounts = oci_json_get(spec, "mounts");
	if (!mounts || !json_object_is_type(mounts, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		const char *d = NULL;
		if (oci_json_get_string(json_object_array_get_idx(mounts, i), "destination", &d) == 0 && d &&
		    strcmp(d, destination) == 0)
			return true;
	}
	return false;
}

bool oci_spec_owns_pid_namespace(json_object *spec)
{
	json_object *ns = oci_json_get(oci_json_get(spec, "linux"), "namespaces");
	if (!ns || !json_object_is_type(ns, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(ns); i++) {
		json_object *e = json_object_array_get_idx(ns, i);
		const char *type = NULL, *path = NULL;
		if (oci_json_get_string(e, "type", &type) == 0 && type && strcmp(type, "pid") == 0 &&
		    oci_json_get_string(e, "path", &path) == 0 && (!path || !*path))
			return true;
	}
	return false;
}

bool oci_spec_has_hooks(json_object *spec, const char *kind)
{
	json_object *list = oci_json_get(oci_json_get(spec, "hooks"), kind);
	return list && json_object_is_type(list, json_type_array) && json_object_array_length(list) > 0;
}

const char *oci_spec_root_path(json_object *spec)
{
	const char *p = NULL;
	if (oci_json_get_string(oci_json_get(spec, "root"), "path", &p) < 0)
		return NULL;
	return p;
}

bool oci_spec_terminal(json_object *process)
{
	bool t = false;
	if (oci_json_get_bool(process, "terminal", &t) < 0)
		return false;
	return t;
}

char *oci_hosts_file(const char *hostname)
{
	char *out = NULL;
	const char *dot = strchr(hostname, '.');
	int r;
	if (dot)
		r = asprintf(&out, "127.0.0.1 localhost\n127.0.0.1 %s %.*s\n\n", hostname, (int)(dot - hostname), hostname);
	else
		r = asprintf(&out, "127.0.0.1 localhost\n127.0.0.1 %s\n\n", hostname);
	if (r < 0)
		return NULL;
	char *full = NULL;
	r = asprintf(&full, "%s%s", out,
		     "# The following lines are desirable for IPv6 capable hosts\n"
		     "::1     ip6-localhost ip6-loopback\n"
		     "fe00::0 ip6-localnet\n"
		     "ff00::0 ip6-mcastprefix\n"
		     "ff02::1 ip6-allnodes\n"
		     "ff02::2 ip6-allrouters\n");
	free(out);
	return r < 0 ? NULL : full;
}

static int check_hostname(const char *h)
{
	size_t n = strlen(h);
	if (n > 255)
		return err_setmsg(-EINVAL, "hostname is longer than 255 characters");
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.' || c == '-'))
			return err_setmsg(-EINVAL, "invalid hostname \"%.64s\"", h);
	}
	return 0;
}

static bool root_readonly(json_object *spec)
{
	bool ro = false;
	(void)oci_json_get_bool(oci_json_get(spec, "root"), "readonly", &ro);
	return ro;
}

static int add_bind_mount(json_object *spec, const char *destination, const char *source, bool ro)
{
	json_object *mounts = oci_json_array_member(spec, "mounts");
	if (!mounts)
		return err_setmsg(-EINVAL, "spec mounts is not an array");
	json_object *m = json_object_new_object();
	json_object *opts = json_object_new_array();
	if (!m || !opts) {
		json_object_put(m);
		json_object_put(opts);
		return err_set(-ENOMEM, "adding mount %s", destination);
	}
	json_object_object_add(m, "destination", json_object_new_string(destination));
	json_object_object_add(m, "type", json_object_new_string("bind"));
	json_object_object_add(m, "source", json_object_new_string(source));
	json_object_array_add(opts, json_object_new_string("bind"));
	if (ro)
		json_object_array_add(opts, json_object_new_string("ro"));
	json_object_object_add(m, "options", opts);
	json_object_array_add(mounts, m);
	return 0;
}

/* Adds /etc/{hostname,hosts,resolv.conf} binds from ROOT when absent; sets
 * the plan's write_* flags when WRITE. */
static int add_etc_mounts(json_object *spec, const char *root, struct oci_spec_plan *plan, bool write)
{
	static const char *const names[] = { "hostname", "hosts", "resolv.conf" };
	bool ro = root_readonly(spec);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char dest[64], src[4200];
		snprintf(dest, sizeof(dest), "/etc/%s", names[i]);
		if (oci_spec_has_mount(spec, dest))
			continue;
		if ((size_t)snprintf(src, sizeof(src), "%s/%s", root, names[i]) >= sizeof(src))
			return err_setmsg(-ENAMETOOLONG, "bundle path too long");
		int r = add_bind_mount(spec, dest, src, ro);
		if (r < 0)
			return r;
		if (write) {
			if (i == 0)
				plan->write_hostname = true;
			else if (i == 1)
				plan->write_hosts = true;
			else
				plan->write_resolv = true;
		}
	}
	return 0;
}

static int set_cgroups_path(json_object *spec, const char *path)
{
	json_object *linux_ = oci_json_object_member(spec, "linux");
	if (!linux_)
		return err_setmsg(-EINVAL, "spec linux is not an object");
	oci_json_set(linux_, "cgroupsPath", json_object_new_string(path));
	return 0;
}

/* io.microsoft.lcow.rlimitcore = "<soft>;<hard>" → RLIMIT_CORE entry. */
static int apply_rlimit_core(json_object *spec)
{
	const char *v = annotation(spec, ANN_RLIMIT_CORE);
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long long soft = strtoull(v, &end, 10);
	if (errno || end == v || *end != ';')
		return err_setmsg(-EINVAL, "invalid %s \"%.64s\"", ANN_RLIMIT_CORE, v);
	const char *h = end + 1;
	unsigned long long hard = strtoull(h, &end, 10);
	if (errno || end == h || *end)
		return err_setmsg(-EINVAL, "invalid %s \"%.64s\"", ANN_RLIMIT_CORE, v);
	json_object *process = oci_json_object_member(spec, "process");
	json_object *rl = process ? oci_json_array_member(process, "rlimits") : NULL;
	if (!rl)
		return err_setmsg(-EINVAL, "spec process.rlimits has the wrong type");
	json_object *e = json_object_new_object();
	json_object_object_add(e, "type", json_object_new_string("RLIMIT_CORE"));
	json_object_object_add(e, "soft", json_object_new_uint64(soft));
	json_object_object_add(e, "hard", json_object_new_uint64(hard));
	json_object_array_add(rl, e);
	return 0;
}

int oci_process_resolve_user(json_object *process, const char *passwd, const char *group)
{
	json_object *user = oci_json_get(process, "user");
	const char *name = NULL;
	int r = oci_json_get_string(user, "username", &name);
	if (r < 0)
		return r;
	if (!name || !*name)
		return 0;
	uint32_t uid, gid;
	if ((r = oci_user_resolve(name, passwd, group, &uid, &gid)) < 0)
		return r;
	oci_json_set(user, "uid", json_object_new_int64(uid));
	oci_json_set(user, "gid", json_object_new_int64(gid));
	oci_json_del(user, "username");
	return 0;
}

static int plan_mkdir(struct oci_spec_plan *plan, const char *path)
{
	if (str_array_append(&plan->mkdirs, &plan->n_mkdirs, path) < 0)
		return err_set(-ENOMEM, "planning directories");
	return 0;
}

/* §6.1.4: sandbox://, sandbox-tmp://, uvm:// sources. hugepages:// and
 * blockdev:// are refused (not supported by this guest). */
static int rewrite_workload_mounts(json_object *spec, const struct oci_spec_context *ctx, struct oci_spec_plan *plan)
{
	json_object *mounts = oci_json_get(spec, "mounts");
	if (!mounts)
		return 0;
	if (!json_object_is_type(mounts, json_type_array))
		return err_setmsg(-EINVAL, "spec mounts is not an array");
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *src = NULL, *dst = NULL;
		int r;
		if ((r = oci_json_get_string(m, "source", &src)) < 0 ||
		    (r = oci_json_get_string(m, "destination", &dst)) < 0)
			return err_wrap(r, "mount %zu", i);
		if (dst && strncmp(dst, "blockdev://", 11) == 0)
			return err_setmsg(-EOPNOTSUPP, "mount %zu: blockdev:// destinations are not supported", i);
		if (!src)
			continue;
		const char *sub = NULL;
		char dir[4200];
		if (strncmp(src, "sandbox://", 10) == 0) {
			sub = src + 10;
			snprintf(dir, sizeof(dir), "%s/sandboxMounts", ctx->sandbox_root);
		} else if (strncmp(src, "sandbox-tmp://", 14) == 0) {
			sub = src + 14;
			snprintf(dir, sizeof(dir), "%s/sandboxTmpfsMounts", ctx->sandbox_root);
		} else if (strncmp(src, "hugepages://", 12) == 0) {
			return err_setmsg(-EOPNOTSUPP, "mount %zu: hugepages:// sources are not supported", i);
		} else if (strncmp(src, "uvm://", 6) == 0) {
			if ((r = oci_path_check_absolute("uvm:// mount source", src + 6)) < 0)
				return err_wrap(r, "mount %zu", i);
			oci_json_set(m, "source", json_object_new_string(src + 6));
			continue;
		} else {
			continue;
		}
		_cleanup_free_ char *full = NULL;
		if ((r = oci_path_join_confined(dir, sub, &full)) < 0)
			return err_wrap(r, "mount %zu", i);
		if ((r = plan_mkdir(plan, full)) < 0)
			return r;
		oci_json_set(m, "source", json_object_new_string(full));
	}
	return 0;
}

static int apply_shm_size(json_object *spec)
{
	const char *v = annotation(spec, ANN_SHM_SIZE);
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long long kb = strtoull(v, &end, 10);
	if (errno || end == v || *end || kb == 0)
		return err_setmsg(-EINVAL, "invalid %s \"%.32s\"", ANN_SHM_SIZE, v);
	json_object *mounts = oci_json_array_member(spec, "mounts");
	if (!mounts)
		return err_setmsg(-EINVAL, "spec mounts is not an array");
	for (size_t i = json_object_array_length(mounts); i-- > 0;) {
		const char *d = NULL;
		if (oci_json_get_string(json_object_array_get_idx(mounts, i), "destination", &d) == 0 && d &&
		    strcmp(d, "/dev/shm") == 0)
			json_object_array_del_idx(mounts, i, 1);
	}
	char size[64];
	snprintf(size, sizeof(size), "size=%lluk", kb);
	json_object *m = json_object_new_object();
	json_object *o = json_object_new_array();
	json_object_object_add(m, "destination", json_object_new_string("/dev/shm"));
	json_object_object_add(m, "type", json_object_new_string("tmpfs"));
	json_object_object_add(m, "source", json_object_new_string("shm"));
	const char *words[] = { "nosuid", "noexec", "nodev", "mode=1777", size };
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		json_object_array_add(o, json_object_new_string(words[i]));
	json_object_object_add(m, "options", o);
	json_object_array_add(mounts, m);
	return 0;
}

int oci_spec_prepare_v4(json_object *spec, enum oci_kind kind, const struct oci_spec_context *ctx,
			struct oci_spec_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	if (!json_object_is_type(spec, json_type_object))
		return err_setmsg(-EINVAL, "OCI spec is not an object");
	const char *hostname = NULL;
	int r = oci_json_get_string(spec, "hostname", &hostname);
	if (r < 0)
		return r;
	if (kind == OCI_KIND_WORKLOAD) {
		if (hostname && *hostname)
			return err_setmsg(-EINVAL, "a workload container may not set a hostname");
	} else {
		if (!hostname || !*hostname)
			hostname = ctx->uvm_hostname ? ctx->uvm_hostname : "localhost";
		if ((r = check_hostname(hostname)) < 0)
			return r;
		if (!(plan->hostname = strdup(hostname)))
			return err_set(-ENOMEM, "copying hostname");
	}

	char cg[512];
	switch (kind) {
	case OCI_KIND_STANDALONE:
		r = add_etc_mounts(spec, ctx->bundle, plan, true);
		snprintf(cg, sizeof(cg), "%s/%s", ctx->cgroup_parent, ctx->container_id);
		break;
	case OCI_KIND_SANDBOX:
		plan->write_hostname = plan->write_hosts = plan->write_resolv = true;
		r = 0;
		snprintf(cg, sizeof(cg), "%s/%s/%s", ctx->cgroup_parent, ctx->container_id, ctx->container_id);
		break;
	default:
		if (!ctx->sandbox_root)
			return err_setmsg(-ENOENT, "pod %s does not exist", ctx->sandbox_id ? ctx->sandbox_id : "?");
		r = rewrite_workload_mounts(spec, ctx, plan);
		if (r == 0)
			r = add_etc_mounts(spec, ctx->sandbox_root, plan, false);
		if (r == 0)
			r = apply_shm_size(spec);
		snprintf(cg, sizeof(cg), "%s/%s/%s", ctx->cgroup_parent, ctx->sandbox_id, ctx->container_id);
		break;
	}
	if (r < 0)
		goto fail;
	if (kind != OCI_KIND_STANDALONE && (r = apply_rlimit_core(spec)) < 0)
		goto fail;
	json_object *process = oci_json_get(spec, "process");
	if (process && (r = oci_process_resolve_user(process, ctx->passwd, ctx->group)) < 0)
		goto fail;
	if ((r = set_cgroups_path(spec, cg)) < 0)
		goto fail;
	oci_json_del(spec, "windows");
	plan->owns_pid_namespace = oci_spec_owns_pid_namespace(spec);
	return 0;
fail:
	oci_spec_plan_free(plan);
	return r;
}
