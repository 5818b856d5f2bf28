/* container_v3.c: protocol v3 containers (gcs-protocol.md §4.1, SEED):
 * Create builds the storage from device ids (§7.1, §7.2), the first
 * ExecuteProcess carrying an OciSpecification creates and starts the
 * container, later ones exec into it, and the init's exit tears everything
 * down before the exit code is published (§4.1.7). */
#include "gcs/container.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gcs/handlers.h"
#include "lib/bridge_msg.h"
#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/bridge_proto.h"
#include "lib/oci_json.h"
#include "lib/oci_path.h"
#include "lib/oci_process.h"
#include "lib/oci_settings.h"
#include "lib/oci_spec.h"
#include "os/ctr_devices.h"
#include "os/ctr_mount.h"
#include "os/ctr_runc.h"

int container_v3_map(struct container *c, bool directory, uint32_t key, const char *path, bool ro,
		     bool create_in_uvm, bool attach_only);
int container_v3_unmap(struct container *c, bool directory, uint32_t key);
int container_properties(struct gcs_request *req, struct container *c);
void container_journal_add_dir(const char *path);
void container_journal_remove_dir(const char *path);
void container_run_detached(void (*fn)(void *), void *ctx);

#define MAX_STORAGE 1024
static pthread_mutex_t index_lock = PTHREAD_MUTEX_INITIALIZER;
static bool index_used[MAX_STORAGE];

static int storage_index_take(void)
{
	pthread_mutex_lock(&index_lock);
	int i;
	for (i = 0; i < MAX_STORAGE && index_used[i]; i++)
		;
	if (i < MAX_STORAGE)
		index_used[i] = true;
	pthread_mutex_unlock(&index_lock);
	return i < MAX_STORAGE ? i : err_setmsg(-ENOSPC, "no free storage index");
}

static void storage_index_release(int i)
{
	pthread_mutex_lock(&index_lock);
	if (i >= 0 && i < MAX_STORAGE)
		index_used[i] = false;
	pthread_mutex_unlock(&index_lock);
}

static void storage_dir(const struct container *c, const char *sub, char *buf, size_t size)
{
	if (sub)
		snprintf(buf, size, "%s/%d/%s", container_settings.v3_root, c->storage_index, sub);
	else
		snprintf(buf, size, "%s/%d", container_settings.v3_root, c->storage_index);
}

static int device_path(const struct oci_device_id *d, char **dev)
{
	if (d->kind == OCI_DEVICE_PMEM)
		return ctr_pmem_find(d->number, dev);
	return ctr_scsi_find(0, (uint8_t)d->number, 0, dev);
}

/* Unmounts the storage of C (rootfs, scratch, layers); removes the
 * directory only when everything came off (§4.1.7 steps 4-5). */
static int storage_teardown(struct container *c)
{
	if (c->storage_index < 0)
		return 0;
	char path[4200];
	int first = 0, r;
	storage_dir(c, "rootfs", path, sizeof(path));
	if ((r = ctr_unmount(path, false)) < 0 && !first)
		first = r;
	storage_dir(c, "scratch", path, sizeof(path));
	if ((r = ctr_unmount(path, false)) < 0 && !first)
		first = r;
	for (size_t i = 0; i < c->n_layers; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%zu", i);
		storage_dir(c, name, path, sizeof(path));
		if ((r = ctr_unmount(path, false)) < 0 && !first)
			first = r;
	}
	if (first == 0) {
		storage_dir(c, NULL, path, sizeof(path));
		if ((r = ctr_remove_tree(path)) == 0) {
			container_journal_remove_dir(path);
			storage_index_release(c->storage_index);
			c->storage_index = -1;
		} else {
			first = r;
		}
	}
	return first;
}

static int build_storage(struct container *c, const struct oci_v3_settings *s)
{
	int idx = storage_index_take();
	if (idx < 0)
		return idx;
	c->storage_index = idx;
	char dir[4000], path[4200], base[4200];
	storage_dir(c, NULL, dir, sizeof(dir));
	container_journal_add_dir(dir);
	int r = ctr_mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	size_t n = s->n_layers;
	_cleanup_free_ char **lowers = calloc(n + 1, sizeof(*lowers));
	_cleanup_free_ char *lower_buf = calloc(n + 1, 4200);
	if (!lowers || !lower_buf)
		return err_set(-ENOMEM, "building storage");
	/* §7.1: /tmp/base is the top-most lower layer. */
	snprintf(base, sizeof(base), "%s/base/etc", container_settings.v3_root);
	if ((r = ctr_mkdir_p(base, 0755)) < 0)
		return r;
	snprintf(base, sizeof(base), "%s/base", container_settings.v3_root);
	lowers[0] = base;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *dev = NULL;
		if ((r = device_path(&s->layers[i], &dev)) < 0)
			return err_wrap(r, "layer %zu", i);
		char *target = lower_buf + i * 4200;
		snprintf(target, 4200, "%s/%zu", dir, i);
		struct ctr_disk_mount m = { .dev = dev, .target = target, .read_only = true, .filesystem = "ext4",
					    .retry_ms = 2000 };
		if ((r = ctr_mount_disk(&m)) < 0)
			return err_wrap(r, "layer %zu", i);
		c->n_layers = i + 1;
		lowers[i + 1] = target;
	}
	snprintf(path, sizeof(path), "%s/scratch", dir);
	if (s->has_scratch) {
		_cleanup_free_ char *dev = NULL;
		if ((r = device_path(&s->scratch, &dev)) < 0)
			return err_wrap(r, "scratch");
		/* A brand-new scratch disk has no file system yet. */
		int blank = ctr_device_is_blank(dev);
		if (blank < 0)
			return blank;
		if (blank && (r = ctr_format_ext4(dev)) < 0)
			return r;
		struct ctr_disk_mount m = { .dev = dev, .target = path, .filesystem = "ext4", .retry_ms = 2000 };
		if ((r = ctr_mkdir_p(path, 0755)) < 0 || (r = ctr_mount_disk(&m)) < 0)
			return err_wrap(r, "scratch");
	}
	char rootfs[4200];
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
	return ctr_mount_overlay((const char *const *)lowers, n + 1, path, rootfs);
}

static void v3_unmap_all(struct container *c)
{
	while (c->n_mappings) {
		struct container_mapping *m = &c->mappings[c->n_mappings - 1];
		if (container_v3_unmap(c, m->directory, m->key) < 0) {
			free(m->path);
			c->n_mappings--;
		}
	}
}

static int handle_create_v3(struct gcs_request *req)
{
	const char *id = gcs_request_container_id(req);
	int r = oci_container_id_check(id);
	if (r < 0)
		return container_fail(req, HR_E_INVALIDARG, r);
	const char *text = NULL;
	if ((r = oci_json_get_string(gcs_request_json(req), "ContainerConfig", &text)) < 0 || !text)
		return container_fail(req, HR_INVALID_JSON, r < 0 ? r : err_setmsg(-EINVAL, "ContainerConfig is missing"));
	_cleanup_jobj_ json_object *cfg = NULL;
	if ((r = oci_json_parse(text, strlen(text), &cfg)) < 0)
		return container_fail(req, HR_INVALID_JSON, err_wrap(r, "ContainerConfig"));
	struct oci_v3_settings s;
	if ((r = oci_v3_settings_parse(cfg, &s)) < 0)
		return container_fail(req, HR_INVALID_JSON, r);
	if (!s.n_layers && !s.has_scratch && !s.n_disks && !s.n_dirs) {
		/* Nothing to build (a Create that only selects protocol 3, as
		 * gcsctl sends): no container is recorded, so it can be sent
		 * again on every connection. */
		oci_v3_settings_free(&s);
		json_object_object_add(gcs_request_response(req), "SelectedProtocolVersion", json_object_new_int(3));
		return 0;
	}
	struct container *c;
	if ((r = container_new(id, 3, gcs_request_activity_id(req), &c)) < 0) {
		oci_v3_settings_free(&s);
		return container_fail(req, HR_SYSTEM_EXISTS, r);
	}
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; r == 0 && i < s.n_disks; i++)
		r = container_v3_map(c, false, s.disks[i].lun, s.disks[i].container_path, s.disks[i].read_only,
				     s.disks[i].create_in_uvm, s.disks[i].attach_only);
	for (size_t i = 0; r == 0 && i < s.n_dirs; i++)
		r = container_v3_map(c, true, s.dirs[i].port, s.dirs[i].container_path, s.dirs[i].read_only,
				     s.dirs[i].create_in_uvm, false);
	/* mapped disks/directories only: no root file system to build */
	if (r == 0 && (s.n_layers || s.has_scratch))
		r = build_storage(c, &s);
	if (r == 0 && c->storage_index >= 0) {
		char b[4200];
		storage_dir(c, NULL, b, sizeof(b));
		if (!(c->bundle = strdup(b)))
			r = err_set(-ENOMEM, "creating %s", id);
	}
	if (r < 0) {
		(void)storage_teardown(c);
		if (c->storage_index >= 0) {
			/* something stayed mounted: keep the index (SEED leaks it too) */
			log_warn("container %s: storage %d not fully removed", id, c->storage_index);
		}
		v3_unmap_all(c);
	} else {
		c->status = CONTAINER_CREATED;
	}
	pthread_mutex_unlock(&c->lock);
	oci_v3_settings_free(&s);
	if (r < 0) {
		container_remove(c);
		container_put(c);
		return err_wrap(r, "creating container %s", id);
	}
	container_put(c);
	json_object_object_add(gcs_request_response(req), "SelectedProtocolVersion", json_object_new_int(3));
	return 0;
}
GCS_HANDLER(container_create_v3, BRIDGE_MSG_CREATE, GCS_MODE_UNNEGOTIATED | GCS_MODE_V3, 0, handle_create_v3);

/* ---- init exit: teardown before the exit code is published ---- */

struct teardown {
	struct container *c;
	struct gcs_process *p;
};

static void teardown_run(void *ctx)
{
	struct teardown *t = ctx;
	container_v3_teardown(t->c);
	gcs_process_publish(t->p);
	free(t);
}

void container_v3_teardown(struct container *c)
{
	(void)ctr_runc_delete(c->id, true, NULL);
	pthread_mutex_lock(&c->lock);
	c->status = CONTAINER_TERMINATED;
	v3_unmap_all(c);
	int r = storage_teardown(c);
	pthread_mutex_unlock(&c->lock);
	if (r < 0)
		log_warn("container %s teardown: %s", c->id, err_text());
	container_remove(c);
}

static void v3_init_before_publish(struct gcs_process *p, void *ctx)
{
	struct teardown *t = malloc(sizeof(*t));
	if (!t) {
		gcs_process_publish(p);
		return;
	}
	t->c = ctx;
	t->p = p;
	/* runc and umount block: never on the event loop */
	container_run_detached(teardown_run, t);
}

static void v3_init_after_first_wait(struct gcs_process *p, void *ctx)
{
	(void)p;
	struct container *c = ctx;
	container_notify_exit(c);
	container_put(c);
}

static const struct gcs_process_hooks v3_init_hooks = {
	.before_publish = v3_init_before_publish,
	.after_first_wait = v3_init_after_first_wait,
};

static void v3_exec_before_publish(struct gcs_process *p, void *ctx)
{
	(void)ctx;
	gcs_process_publish(p);
}

static void v3_exec_after_first_wait(struct gcs_process *p, void *ctx)
{
	char *id = ctx;
	ctr_runc_forget_process(id, gcs_process_pid(p));
	free(id);
}

static const struct gcs_process_hooks v3_exec_hooks = {
	.before_publish = v3_exec_before_publish,
	.after_first_wait = v3_exec_after_first_wait,
};

/* Starts a runc process of C (create for the init, exec otherwise) wired
 * to the host's sockets IO; adopts it into the V3 table. */
static int v3_run(struct gcs_request *req, struct container *c, struct gcs_stdio *io, json_object *process,
		  bool init)
{
	bool tty = oci_spec_terminal(init ? oci_json_get(process, "process") : process);
	struct gcs_stdio_pipes pipes = { { -1, -1, -1 }, { -1, -1, -1 }, -1 };
	struct ctr_runc_process rp = { .terminal = tty, .stdio = { -1, -1, -1 }, .pty_master = -1 };
	int r;
	if (!tty) {
		bool want[3] = { io->sock[0] >= 0, io->sock[1] >= 0, io->sock[2] >= 0 };
		if ((r = gcs_stdio_pipes_new(want, &pipes)) < 0)
			return r;
		memcpy(rp.stdio, pipes.child, sizeof(rp.stdio));
	}
	int32_t hr = HR_E_FAIL;
	r = init ? ctr_runc_create(c->id, c->bundle, &rp, &hr) : ctr_runc_exec(c->id, c->bundle, process, &rp, &hr);
	gcs_stdio_pipes_close_child(&pipes);
	if (r < 0) {
		gcs_stdio_pipes_close(&pipes);
		return container_fail(req, hr, r);
	}
	pipes.pty_master = rp.pty_master;
	struct gcs_process_hooks hooks = init ? v3_init_hooks : v3_exec_hooks;
	if (init) {
		hooks.ctx = c;
		pthread_mutex_lock(&c->lock);
		c->refs++; /* dropped after the first answered wait */
		pthread_mutex_unlock(&c->lock);
	} else if (!(hooks.ctx = strdup(c->id))) {
		gcs_stdio_pipes_close(&pipes);
		return err_set(-ENOMEM, "exec");
	}
	struct gcs_process_start start = { .tty = tty, .exit_style = GCS_EXIT_CONTAINER, .container_id = c->id,
					   .hooks = &hooks };
	struct gcs_process *p = NULL;
	if ((r = gcs_process_adopt(gcs_v3_processes, rp.pid, &pipes, &start, &p)) < 0) {
		if (init)
			container_put(c);
		else
			free(hooks.ctx);
		return r;
	}
	if ((r = gcs_process_attach_stdio(p, io)) < 0) {
		gcs_process_unref(p);
		return r;
	}
	if (init) {
		c->init = p;
		c->init_pid = rp.pid;
		int32_t shr = HR_E_FAIL;
		if ((r = container_runtime_start(c, &shr)) < 0) {
			_cleanup_free_ char *why = strdup(err_text());
			(void)ctr_runc_kill(c->id, SIGKILL, false, NULL);
			if (why)
				err_setmsg(r, "%s", why);
			return container_fail(req, shr, r);
		}
	} else {
		gcs_process_unref(p);
	}
	json_object_object_add(gcs_request_response(req), "ProcessId", json_object_new_int(rp.pid));
	return 0;
}

static int v3_start_init(struct gcs_request *req, struct container *c, struct gcs_stdio *io, json_object *spec)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/config.json", c->bundle);
	int r = container_write_file(path, oci_json_text(spec), 0600);
	if (r < 0)
		return r;
	const char *cwd = NULL;
	if (oci_json_get_string(oci_json_get(spec, "process"), "cwd", &cwd) == 0 && cwd && strcmp(cwd, "/") != 0) {
		char rootfs[4200];
		_cleanup_free_ char *full = NULL;
		snprintf(rootfs, sizeof(rootfs), "%s/rootfs", c->bundle);
		if (oci_path_join_confined(rootfs, cwd, &full) == 0)
			(void)ctr_mkdir_p(full, 0755);
	}
	const char *cg = NULL;
	(void)oci_json_get_string(oci_json_get(spec, "linux"), "cgroupsPath", &cg);
	if (cg && *cg)
		c->cgroups_path = strdup(cg);
	else if (asprintf(&c->cgroups_path, "/%s", c->id) < 0)
		c->cgroups_path = NULL;
	json_object_get(spec);
	c->spec = spec;
	c->init_started = true;
	return v3_run(req, c, io, spec, true);
}

int container_execute_v3(struct gcs_request *req, struct bridge_exec *e);
int container_execute_v3(struct gcs_request *req, struct bridge_exec *e)
{
	if (e->create_in_uvm)
		return gcs_exec_external(req, e);
	struct gcs_stdio io;
	int r = gcs_stdio_dial(e, &io); /* §4.1.2 step 2: streams first */
	if (r < 0)
		return r;
	struct container *c;
	if ((r = container_lookup(req, &c)) < 0) {
		gcs_stdio_close(&io);
		return r;
	}
	pthread_mutex_lock(&c->lock);
	bool first = !c->init_started;
	pthread_mutex_unlock(&c->lock);
	if (first && !c->bundle) {
		r = err_setmsg(-ENOENT, "container %s has no layers to run from", c->id);
	} else if (first) {
		if (!e->oci_spec)
			r = err_setmsg(-EINVAL, "the first process of container %s needs an OciSpecification", c->id);
		else
			r = v3_start_init(req, c, &io, e->oci_spec);
	} else {
		_cleanup_jobj_ json_object *process = NULL;
		r = oci_process_from_parameters(e->params, &process);
		if (r == 0)
			r = v3_run(req, c, &io, process, false);
	}
	gcs_stdio_close(&io);
	container_put(c);
	return r;
}

/* ---- Shutdown / GetProperties (§4.1.3, §4.1.6) ---- */

static int shutdown_v3(struct gcs_request *req, int sig)
{
	struct container *c;
	int r = container_lookup(req, &c);
	if (r < 0)
		return r;
	pthread_mutex_lock(&c->lock);
	bool started = c->init_started && c->status != CONTAINER_TERMINATED;
	pthread_mutex_unlock(&c->lock);
	int32_t hr = HR_E_FAIL;
	if (started)
		r = ctr_runc_kill(c->id, sig, false, &hr);
	container_put(c);
	return r < 0 ? container_fail(req, hr, r) : 0;
}

static int handle_shutdown_graceful_v3(struct gcs_request *req)
{
	return shutdown_v3(req, SIGTERM);
}
static int handle_shutdown_forced_v3(struct gcs_request *req)
{
	return shutdown_v3(req, SIGKILL);
}
GCS_HANDLER(container_shutdown_graceful_v3, BRIDGE_MSG_SHUTDOWN_GRACEFUL, GCS_MODE_V3, 0, handle_shutdown_graceful_v3);
GCS_HANDLER(container_shutdown_forced_v3, BRIDGE_MSG_SHUTDOWN_FORCED, GCS_MODE_V3, 0, handle_shutdown_forced_v3);

static int handle_get_properties_v3(struct gcs_request *req)
{
	struct container *c;
	int r = container_lookup(req, &c);
	if (r < 0)
		return r;
	if (!c->init_started) {
		container_put(c);
		json_object_object_add(gcs_request_response(req), "Properties", json_object_new_string("{}"));
		return 0;
	}
	r = container_properties(req, c);
	container_put(c);
	return r;
}
GCS_HANDLER(container_get_properties_v3, BRIDGE_MSG_GET_PROPERTIES, GCS_MODE_V3, 0, handle_get_properties_v3);
