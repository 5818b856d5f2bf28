/* container_v4.c: protocol v4 container operations (gcs-protocol.md §4.2):
 * Create (runc create of standalone, sandbox and workload containers),
 * ExecuteProcess for containers (start the init, exec more), Shutdown,
 * GetProperties (ProcessList, Statistics) and DeleteContainerState. */
#include "gcs/container.h"
#include "gcs/handlers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bridge_msg.h"
#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/bridge_proto.h"
#include "lib/oci_json.h"
#include "lib/oci_path.h"
#include "lib/oci_process.h"
#include "lib/oci_settings.h"
#include "lib/oci_spec.h"
#include "os/ctr_cgroup.h"
#include "os/ctr_mount.h"
#include "os/ctr_runc.h"

static const struct gcs_process_hooks *hooks_for(const struct gcs_process_hooks *base, struct container *c,
						 struct gcs_process_hooks *copy)
{
	*copy = *base;
	copy->ctx = c;
	return copy;
}

/* ---- exec hooks: forget runc's per-process directory after the exit was
 * reported (§4.4, §6.6) ---- */
struct exec_ctx {
	struct container *c;
};

static void exec_before_publish(struct gcs_process *p, void *ctx)
{
	(void)ctx;
	gcs_process_publish(p);
}

static void exec_after_first_wait(struct gcs_process *p, void *ctx)
{
	struct container *c = ctx;
	ctr_runc_forget_process(c->id, gcs_process_pid(p));
	container_put(c);
}

const struct gcs_process_hooks container_exec_hooks = {
	.before_publish = exec_before_publish,
	.after_first_wait = exec_after_first_wait,
};

/* ---- Create ---- */

/* sandbox-only directories (§6.1.3): sandboxMounts, sandboxTmpfsMounts,
 * hugepages made rshared, logs world-writable. */
static int prepare_sandbox_dirs(const char *root)
{
	char path[4200];
	static const char *const binds[] = { "sandboxMounts", "hugepages" };
	for (size_t i = 0; i < ARRAY_SIZE(binds); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, binds[i]);
		int r = ctr_mkdir_p(path, 0755);
		if (r < 0)
			return r;
		if (mount(path, path, NULL, MS_BIND, NULL) < 0 || mount(NULL, path, NULL, MS_SHARED | MS_REC, NULL) < 0)
			return err_set(-errno, "making %s rshared", path);
		container_journal_add(path);
	}
	snprintf(path, sizeof(path), "%s/sandboxTmpfsMounts", root);
	int r = ctr_mkdir_p(path, 0755);
	if (r < 0)
		return r;
	if (mount("tmpfs", path, "tmpfs", 0, NULL) < 0 && errno != EBUSY)
		return err_set(-errno, "mounting tmpfs at %s", path);
	container_journal_add(path);
	if (mount(NULL, path, NULL, MS_SHARED | MS_REC, NULL) < 0)
		return err_set(-errno, "making %s rshared", path);
	snprintf(path, sizeof(path), "%s/logs", root);
	if ((r = ctr_mkdir_p(path, 0777)) < 0)
		return r;
	return chmod(path, 0777) < 0 ? err_set(-errno, "chmod %s", path) : 0;
}

static void unmount_sandbox_dirs(const char *root)
{
	static const char *const names[] = { "sandboxMounts", "sandboxTmpfsMounts", "hugepages" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", root, names[i]);
		(void)ctr_unmount_all_under(path);
		container_journal_remove(path);
	}
}

static int write_etc_files(const struct oci_spec_plan *plan, const char *root)
{
	char path[4200];
	int r;
	if (plan->write_hostname) {
		_cleanup_free_ char *text = NULL;
		if (asprintf(&text, "%s\n", plan->hostname) < 0)
			return err_set(-ENOMEM, "hostname");
		snprintf(path, sizeof(path), "%s/hostname", root);
		if ((r = container_write_file(path, text, 0644)) < 0)
			return r;
	}
	if (plan->write_hosts) {
		_cleanup_free_ char *text = oci_hosts_file(plan->hostname);
		if (!text)
			return err_set(-ENOMEM, "hosts");
		snprintf(path, sizeof(path), "%s/hosts", root);
		if ((r = container_write_file(path, text, 0644)) < 0)
			return r;
	}
	if (plan->write_resolv) {
		/* §8.5: built from the namespace's NICs; this guest configures
		 * no NICs, so the record is empty. */
		snprintf(path, sizeof(path), "%s/resolv.conf", root);
		if ((r = container_write_file(path, "", 0644)) < 0)
			return r;
	}
	return 0;
}

/* §6.2: mkdir -p <rootfs>/<cwd>, inside the rootfs, errors ignored. */
static void make_cwd(json_object *spec)
{
	const char *root = oci_spec_root_path(spec);
	const char *cwd = NULL;
	if (!root || oci_json_get_string(oci_json_get(spec, "process"), "cwd", &cwd) < 0 || !cwd ||
	    strcmp(cwd, "/") == 0)
		return;
	_cleanup_free_ char *full = NULL;
	if (oci_path_join_confined(root, cwd, &full) == 0)
		(void)ctr_mkdir_p(full, 0755);
}

static int create_v4(struct gcs_request *req, struct container *c, json_object *cfg)
{
	struct oci_v4_create cc;
	int r = oci_v4_create_parse(cfg, &cc);
	if (r < 0)
		return container_fail(req, r == -EPROTO ? HR_INVALID_JSON : HR_E_FAIL, r);
	json_object *spec = NULL;
	if (json_object_deep_copy(cc.spec, &spec, NULL) < 0)
		return err_set(-ENOMEM, "copying the spec");
	c->spec = spec;
	const char *sandbox_id = NULL;
	if ((r = oci_spec_kind(spec, &c->kind, &sandbox_id)) < 0)
		return r;
	c->bundle = strdup(cc.bundle_path);
	c->scratch_dir = cc.scratch_dir_path ? strdup(cc.scratch_dir_path) : NULL;
	c->sandbox_id = strdup(c->kind == OCI_KIND_WORKLOAD ? sandbox_id : c->id);
	if (!c->bundle || !c->sandbox_id)
		return err_set(-ENOMEM, "creating %s", c->id);
	const char *root = oci_spec_root_path(spec);
	if (!root || root[0] != '/')
		return err_setmsg(-EINVAL, "root.path must be an absolute UVM path");
	if ((r = oci_path_check_absolute("root.path", root)) < 0)
		return r;
	struct stat st;
	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(-ENOENT, "container root %s", root);
	const char *uname = NULL;
	(void)oci_json_get_string(oci_json_get(oci_json_get(spec, "process"), "user"), "username", &uname);
	c->had_username = uname && *uname;

	_cleanup_free_ char *sandbox_root = c->kind == OCI_KIND_WORKLOAD ? container_sandbox_root(sandbox_id) : NULL;
	_cleanup_free_ char *passwd = container_read_rootfs_file(root, "etc/passwd");
	_cleanup_free_ char *group = container_read_rootfs_file(root, "etc/group");
	char hostname[256] = "localhost";
	/* A UVM nobody named reports the kernel's "(none)", not a valid name. */
	if (gethostname(hostname, sizeof(hostname) - 1) < 0 || strcmp(hostname, "(none)") == 0)
		snprintf(hostname, sizeof(hostname), "localhost");
	struct oci_spec_context ctx = {
		.container_id = c->id,
		.bundle = c->bundle,
		.uvm_hostname = hostname,
		.sandbox_id = c->sandbox_id,
		.sandbox_root = sandbox_root,
		.cgroup_parent = container_settings.cgroup_parent,
		.passwd = passwd,
		.group = group,
	};
	struct oci_spec_plan plan;
	if ((r = oci_spec_prepare_v4(spec, c->kind, &ctx, &plan)) < 0)
		return r;
	c->owns_pid_namespace = plan.owns_pid_namespace;
	const char *cg = NULL;
	(void)oci_json_get_string(oci_json_get(spec, "linux"), "cgroupsPath", &cg);
	c->cgroups_path = cg ? strdup(cg) : NULL;
	c->terminal = oci_spec_terminal(oci_json_get(spec, "process"));

	r = ctr_mkdir_p(c->bundle, 0700);
	if (r == 0 && c->kind == OCI_KIND_SANDBOX)
		r = prepare_sandbox_dirs(c->bundle);
	if (r == 0)
		r = write_etc_files(&plan, c->bundle);
	for (size_t i = 0; r == 0 && i < plan.n_mkdirs; i++) {
		mode_t old = umask(0);
		r = ctr_mkdir_p(plan.mkdirs[i], 0777);
		umask(old);
	}
	oci_spec_plan_free(&plan);
	if (r < 0)
		return r;
	make_cwd(spec);
	char path[4200];
	snprintf(path, sizeof(path), "%s/config.json", c->bundle);
	if ((r = container_write_file(path, oci_json_text(spec), 0600)) < 0)
		return r;

	/* §4.2.1 step 6: runc create without the host's stdio; the init gets
	 * pipes (or a pty) wired to vsock when it is started (§5.2). */
	struct ctr_runc_process rp = { .terminal = c->terminal, .stdio = { -1, -1, -1 }, .pty_master = -1 };
	if (!c->terminal) {
		bool want[3] = { true, true, true };
		if ((r = gcs_stdio_pipes_new(want, &c->init_pipes)) < 0)
			return r;
		memcpy(rp.stdio, c->init_pipes.child, sizeof(rp.stdio));
	}
	int32_t hr = HR_E_FAIL;
	r = ctr_runc_create(c->id, c->bundle, &rp, &hr);
	gcs_stdio_pipes_close_child(&c->init_pipes);
	if (r < 0)
		return container_fail(req, hr, r);
	c->init_pipes.pty_master = rp.pty_master;
	c->init_pid = rp.pid;
	c->procs = gcs_proc_table_new(c->id, GCS_DROP_AFTER_FIRST_WAIT);
	if (!c->procs) {
		(void)ctr_runc_delete(c->id, true, NULL);
		return err_set(-ENOMEM, "creating the process table of %s", c->id);
	}
	struct gcs_process_hooks hooks;
	struct gcs_process_start start = {
		.tty = c->terminal,
		.exit_style = GCS_EXIT_CONTAINER,
		.container_id = c->id,
		.hooks = hooks_for(&container_init_hooks_v4, c, &hooks),
	};
	pthread_mutex_lock(&c->lock);
	c->refs++; /* held by the init's hooks until its exit was reported */
	pthread_mutex_unlock(&c->lock);
	if ((r = gcs_process_adopt(c->procs, rp.pid, &c->init_pipes, &start, &c->init)) < 0) {
		container_put(c);
		(void)ctr_runc_delete(c->id, true, NULL);
		return r;
	}
	return 0;
}

/* Undoes a failed Create (§4.2.1 step 3). */
static void create_rollback(struct container *c)
{
	if (c->init_pid > 0)
		(void)ctr_runc_delete(c->id, true, NULL);
	if (c->bundle) {
		if (c->kind == OCI_KIND_SANDBOX)
			unmount_sandbox_dirs(c->bundle);
		/* The bundle may hold the rootfs mount of CombinedLayers: only
		 * the files this Create wrote are removed. */
		static const char *const files[] = { "config.json", "hostname", "hosts", "resolv.conf", "runc.log" };
		for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
			char path[4200];
			snprintf(path, sizeof(path), "%s/%s", c->bundle, files[i]);
			(void)unlink(path);
		}
	}
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s/%s", container_settings.state_dir, c->id);
	(void)ctr_remove_tree(dir);
}

static int handle_create_v4(struct gcs_request *req)
{
	json_object *msg = gcs_request_json(req);
	const char *id = gcs_request_container_id(req);
	int r = oci_container_id_check(id);
	if (r < 0)
		return container_fail(req, HR_E_INVALIDARG, r);
	const char *text = NULL;
	if ((r = oci_json_get_string(msg, "ContainerConfig", &text)) < 0 || !text)
		return container_fail(req, HR_INVALID_JSON, r < 0 ? r : err_setmsg(-EINVAL, "ContainerConfig is missing"));
	_cleanup_jobj_ json_object *cfg = NULL;
	if ((r = oci_json_parse(text, strlen(text), &cfg)) < 0)
		return container_fail(req, HR_INVALID_JSON, err_wrap(r, "ContainerConfig"));
	struct container *c;
	if ((r = container_new(id, 4, gcs_request_activity_id(req), &c)) < 0)
		return container_fail(req, HR_SYSTEM_EXISTS, r);
	r = create_v4(req, c, cfg);
	if (r < 0) {
		create_rollback(c);
		container_remove(c);
		container_put(c);
		return err_wrap(r, "creating container %s", id);
	}
	pthread_mutex_lock(&c->lock);
	c->status = CONTAINER_CREATED;
	pthread_mutex_unlock(&c->lock);
	container_put(c);
	json_object_object_add(gcs_request_response(req), "SelectedProtocolVersion", json_object_new_int(0));
	return 0;
}
GCS_HANDLER(container_create_v4, BRIDGE_MSG_CREATE, GCS_MODE_V4, 0, handle_create_v4);

/* ---- ExecuteProcess (container part) ---- */

static int start_init(struct container *c, struct gcs_request *req, const struct bridge_exec *e)
{
	pthread_mutex_lock(&c->lock);
	bool created = c->status == CONTAINER_CREATED;
	if (created)
		c->status = CONTAINER_RUNNING;
	pthread_mutex_unlock(&c->lock);
	if (!created)
		return container_fail(req, HR_INVALID_STATE,
				      err_setmsg(-EBUSY, "container %s was already started", c->id));
	struct gcs_stdio io;
	int r = gcs_stdio_dial(e, &io);
	if (r < 0)
		return r;
	if ((r = gcs_process_attach_stdio(c->init, &io)) < 0)
		return r;
	int32_t hr = HR_E_FAIL;
	if ((r = container_runtime_start(c, &hr)) < 0) {
		/* the init never runs: end it so its waiters get an answer,
		 * keeping the start's error text for the host */
		_cleanup_free_ char *why = strdup(err_text());
		(void)ctr_runc_kill(c->id, SIGKILL, false, NULL);
		if (why)
			err_setmsg(r, "%s", why);
		return container_fail(req, hr, r);
	}
	json_object_object_add(gcs_request_response(req), "ProcessId", json_object_new_int(c->init_pid));
	return 0;
}

int container_start_v4_exec(struct container *c, struct gcs_request *req, const struct bridge_exec *e)
{
	json_object *process = NULL;
	if (json_object_deep_copy(e->oci_process, &process, NULL) < 0)
		return err_set(-ENOMEM, "copying OciProcess");
	_cleanup_jobj_ json_object *owned = process;
	int r = oci_process_inherit(process, oci_json_get(c->spec, "process"), c->had_username);
	if (r == 0) {
		const char *root = oci_spec_root_path(c->spec);
		_cleanup_free_ char *passwd = root ? container_read_rootfs_file(root, "etc/passwd") : NULL;
		_cleanup_free_ char *group = root ? container_read_rootfs_file(root, "etc/group") : NULL;
		r = oci_process_resolve_user(process, passwd, group);
	}
	if (r < 0)
		return r;
	bool tty = oci_spec_terminal(process);
	struct gcs_stdio io;
	if ((r = gcs_stdio_dial(e, &io)) < 0)
		return r;
	struct gcs_stdio_pipes pipes = { { -1, -1, -1 }, { -1, -1, -1 }, -1 };
	struct ctr_runc_process rp = { .terminal = tty, .stdio = { -1, -1, -1 }, .pty_master = -1 };
	if (!tty) {
		/* §5.2: runc exec processes get /dev/null for unrequested streams */
		bool want[3] = { io.sock[0] >= 0, io.sock[1] >= 0, io.sock[2] >= 0 };
		if ((r = gcs_stdio_pipes_new(want, &pipes)) < 0) {
			gcs_stdio_close(&io);
			return r;
		}
		memcpy(rp.stdio, pipes.child, sizeof(rp.stdio));
	}
	int32_t hr = HR_E_FAIL;
	r = ctr_runc_exec(c->id, c->bundle, process, &rp, &hr);
	gcs_stdio_pipes_close_child(&pipes);
	if (r < 0) {
		gcs_stdio_pipes_close(&pipes);
		gcs_stdio_close(&io);
		return container_fail(req, hr, r);
	}
	pipes.pty_master = rp.pty_master;
	struct gcs_process_hooks hooks;
	struct gcs_process_start start = {
		.tty = tty,
		.exit_style = GCS_EXIT_CONTAINER,
		.container_id = c->id,
		.hooks = hooks_for(&container_exec_hooks, c, &hooks),
	};
	pthread_mutex_lock(&c->lock);
	c->refs++; /* dropped by exec_after_first_wait */
	pthread_mutex_unlock(&c->lock);
	struct gcs_process *p = NULL;
	if ((r = gcs_process_adopt(c->procs, rp.pid, &pipes, &start, &p)) < 0) {
		container_put(c);
		gcs_stdio_close(&io);
		return r;
	}
	r = gcs_process_attach_stdio(p, &io);
	gcs_process_unref(p);
	if (r < 0)
		return r;
	json_object_object_add(gcs_request_response(req), "ProcessId", json_object_new_int(rp.pid));
	return 0;
}

static int container_execute_v4(struct gcs_request *req, const struct bridge_exec *e)
{
	struct container *c;
	int r = container_lookup(req, &c);
	if (r < 0)
		return r;
	r = e->oci_process ? container_start_v4_exec(c, req, e) : start_init(c, req, e);
	container_put(c);
	return r;
}

int container_execute_v3(struct gcs_request *req, struct bridge_exec *e);

static int handle_execute(struct gcs_request *req)
{
	struct bridge_exec e;
	int r = bridge_msg_parse_exec(gcs_request_json(req), &e);
	if (r < 0)
		return container_fail(req, HR_INVALID_JSON, r);
	if (gcs_request_protocol(req) == BRIDGE_PROTOCOL_V3)
		r = container_execute_v3(req, &e);
	else if (gcs_exec_is_external(req, &e))
		r = gcs_exec_external(req, &e);
	else
		r = container_execute_v4(req, &e);
	bridge_exec_free(&e);
	return r;
}
GCS_HANDLER(container_execute_process, BRIDGE_MSG_EXECUTE_PROCESS, GCS_MODE_V3 | GCS_MODE_V4, 0, handle_execute);

/* ---- Shutdown (§4.2.7) ---- */

static int shutdown_v4(struct gcs_request *req, int sig)
{
	if (bridge_msg_is_null_guid(gcs_request_container_id(req)))
		return gcs_shutdown_uvm(req);
	struct container *c;
	int r = container_lookup(req, &c);
	if (r < 0)
		return r;
	/* Record the exit type first: the init may exit, and its notification
	 * go out, before runc kill itself returns. */
	pthread_mutex_lock(&c->lock);
	const char *before = c->exit_type;
	c->exit_type = sig == SIGTERM ? "GracefulExit" : "ForcedExit";
	pthread_mutex_unlock(&c->lock);
	int32_t hr = HR_E_FAIL;
	r = ctr_runc_kill(c->id, sig, false, &hr);
	if (r < 0) {
		pthread_mutex_lock(&c->lock);
		c->exit_type = before;
		pthread_mutex_unlock(&c->lock);
	}
	container_put(c);
	return r < 0 ? container_fail(req, hr, r) : 0;
}

static int handle_shutdown_graceful_v4(struct gcs_request *req)
{
	return shutdown_v4(req, SIGTERM);
}
static int handle_shutdown_forced_v4(struct gcs_request *req)
{
	return shutdown_v4(req, SIGKILL);
}
GCS_HANDLER(container_shutdown_graceful_v4, BRIDGE_MSG_SHUTDOWN_GRACEFUL, GCS_MODE_V4, 0, handle_shutdown_graceful_v4);
GCS_HANDLER(container_shutdown_forced_v4, BRIDGE_MSG_SHUTDOWN_FORCED, GCS_MODE_V4, 0, handle_shutdown_forced_v4);

/* ---- GetProperties (§4.2.8) ---- */

int container_properties(struct gcs_request *req, struct container *c);
int container_properties(struct gcs_request *req, struct container *c)
{
	json_object *msg = gcs_request_json(req);
	const char *query = NULL;
	int r = oci_json_get_string(msg, "Query", &query);
	if (r < 0)
		return container_fail(req, HR_INVALID_JSON, r);
	_cleanup_jobj_ json_object *props = json_object_new_object();
	if (query && *query) {
		_cleanup_jobj_ json_object *q = NULL;
		if ((r = oci_json_parse(query, strlen(query), &q)) < 0)
			return container_fail(req, HR_INVALID_JSON, err_wrap(r, "Query"));
		json_object *types = oci_json_get(q, "PropertyTypes");
		for (size_t i = 0; types && json_object_is_type(types, json_type_array) &&
				   i < json_object_array_length(types);
		     i++) {
			const char *t = json_object_get_string(json_object_array_get_idx(types, i));
			if (!t)
				continue;
			if (strcmp(t, "ProcessList") == 0 && c->cgroups_path) {
				pid_t *pids = NULL;
				size_t n = 0;
				if ((r = ctr_cgroup_pids(c->cgroups_path, &pids, &n)) < 0)
					return r;
				json_object *list = json_object_new_array();
				for (size_t k = 0; k < n; k++) {
					json_object *e = json_object_new_object();
					json_object_object_add(e, "ProcessId", json_object_new_int(pids[k]));
					json_object_array_add(list, e);
				}
				free(pids);
				if (n)
					json_object_object_add(props, "ProcessList", list);
				else
					json_object_put(list);
			} else if (strcmp(t, "Statistics") == 0 && c->cgroups_path) {
				json_object *m = NULL;
				if ((r = ctr_cgroup_statistics(c->cgroups_path, &m)) < 0)
					return r;
				json_object_object_add(props, "LCOWMetrics", m);
			}
		}
	}
	json_object_object_add(gcs_request_response(req), "Properties",
			       json_object_new_string(oci_json_text(props)));
	return 0;
}

static int handle_get_properties_v4(struct gcs_request *req)
{
	if (bridge_msg_is_null_guid(gcs_request_container_id(req)))
		return container_fail(req, HR_E_FAIL, err_setmsg(-EOPNOTSUPP, "GetProperties is not supported against the UVM"));
	struct container *c;
	int r = container_lookup(req, &c);
	if (r < 0)
		return r;
	r = container_properties(req, c);
	container_put(c);
	return r;
}
GCS_HANDLER(container_get_properties_v4, BRIDGE_MSG_GET_PROPERTIES, GCS_MODE_V4, 0, handle_get_properties_v4);

/* ---- DeleteContainerState (§4.2.11) ---- */

static int handle_delete_state(struct gcs_request *req)
{
	struct container *c;
	int r = container_lookup(req, &c);
	if (r < 0)
		return r;
	int first = 0;
	int32_t first_hr = HR_E_FAIL;
	if (c->kind == OCI_KIND_SANDBOX && c->bundle)
		unmount_sandbox_dirs(c->bundle);
	int32_t hr = HR_E_FAIL;
	r = container_runtime_delete(c, &hr);
	if (r < 0) {
		first = r;
		first_hr = hr;
	}
	if (r == 0 || hr == HR_SYSTEM_NOT_FOUND) {
		char dir[4200];
		snprintf(dir, sizeof(dir), "%s/%s", container_settings.state_dir, c->id);
		(void)ctr_remove_tree(dir);
		if (c->scratch_dir && (r = ctr_remove_tree(c->scratch_dir)) < 0 && !first)
			first = r;
		if (c->bundle && (r = ctr_remove_tree(c->bundle)) < 0 && !first)
			first = r;
		if (c->kind == OCI_KIND_SANDBOX) {
			char pod[4200];
			snprintf(pod, sizeof(pod), "%s/%s", container_settings.cgroup_parent, c->id);
			(void)ctr_cgroup_remove(pod);
		} else if (c->cgroups_path) {
			(void)ctr_cgroup_remove(c->cgroups_path);
		}
	}
	if (first == 0 || first_hr != HR_INVALID_STATE)
		container_remove(c);
	container_put(c);
	return first < 0 ? container_fail(req, first_hr, first) : 0;
}
GCS_HANDLER(container_delete_state_v4, BRIDGE_MSG_DELETE_CONTAINER_STATE, GCS_MODE_V4, 0, handle_delete_state);
