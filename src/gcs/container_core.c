/* container_core.c: the container table, its options and start-up, lookups
 * for requests, the exit hooks and the exit notification (gcs-protocol.md
 * §4.2 state, §4.4, §6.3). */
#include "gcs/container.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/bridge_proto.h"
#include "lib/oci_json.h"
#include "os/ctr_cgroup.h"
#include "os/ctr_devices.h"
#include "os/ctr_runc.h"
#include "os/ctr_runc_state.h"
#include "os/ctr_spawn.h"
#include "os/gcs_reaper.h"
#include "os/gcs_spawn.h"

struct container_settings container_settings = {
	.cgroup_parent = "/pods",
	.v3_root = "/tmp",
	.state_dir = "/run/gcsrunc",
	.device_timeout_ms = 120000,
};
static long long device_timeout_ms = 120000;

GCS_OPTION(cgroup_parent, "cgroup-parent", false, "PATH",
	   "parent cgroup of V4 containers (default /pods)", goflag_set_string, &container_settings.cgroup_parent);
GCS_OPTION(v3_root, "v3-root", false, "DIR",
	   "where V3 containers get /<index> storage directories (default /tmp)", goflag_set_string,
	   &container_settings.v3_root);
GCS_OPTION(runc_state_dir, "runc-state-dir", false, "DIR",
	   "helper state of the OCI runtime (default /run/gcsrunc)", goflag_set_string,
	   &container_settings.state_dir);
GCS_OPTION(device_timeout, "device-timeout-ms", false, "MS",
	   "longest wait for a SCSI/PMEM device to appear (default 120000)", goflag_set_int, &device_timeout_ms);

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct container **table;
static size_t table_len;

/* Helpers (runc, mkfs) are started and reaped through the GCS reaper. */
static int reaper_spawn(char *const argv[], const int fd[3], pid_t *pid, void **handle)
{
	struct gcs_reaper_sync *s = calloc(1, sizeof(*s));
	if (!s)
		return err_set(-ENOMEM, "starting %s", argv[0]);
	struct gcs_spawn_opts o = {
		.argv = argv,
		.envp = (char *const[]){ "PATH=/sbin:/usr/sbin:/bin:/usr/bin", NULL },
		.fd = { fd[0], fd[1], fd[2] },
		.on_exit = gcs_reaper_sync_exit,
		.ctx = s,
	};
	int r = gcs_spawn(&o, pid);
	if (r < 0) {
		free(s);
		return r;
	}
	*handle = s;
	return 0;
}

static int reaper_wait(pid_t pid, void *handle, int *status)
{
	(void)pid;
	struct gcs_reaper_sync *s = handle;
	int r = gcs_reaper_sync_wait(s);
	*status = s->status;
	free(s);
	return r < 0 ? r : 0;
}

static const struct ctr_spawn_ops reaper_ops = { reaper_spawn, reaper_wait };

static int container_table_resolver(const char *id, struct gcs_proc_table **out, int32_t *hresult)
{
	struct container *c = container_get(id);
	if (!c) {
		*hresult = HR_SYSTEM_NOT_FOUND;
		return err_setmsg(-ENOENT, "container %s does not exist", id);
	}
	pthread_mutex_lock(&c->lock);
	int r = 0;
	if (c->status == CONTAINER_CREATING || !c->procs) {
		*hresult = HR_INVALID_STATE;
		r = err_setmsg(-EBUSY, "container %s is still being created", id);
	} else {
		*out = c->procs;
	}
	pthread_mutex_unlock(&c->lock);
	container_put(c);
	return r;
}

static int container_init(void)
{
	if (gcs_config.runtime && *gcs_config.runtime)
		ctr_runc_set_binary(gcs_config.runtime);
	if (gcs_config.sysfs_root && *gcs_config.sysfs_root)
		ctr_devices_set_sysfs_root(gcs_config.sysfs_root);
	if (device_timeout_ms < 0 || device_timeout_ms > 240000)
		return err_setmsg(-EINVAL, "-device-timeout-ms must be 0..240000 (below the host's 5 minute limit)");
	ctr_devices_set_timeout_ms((unsigned)device_timeout_ms);
	ctr_runc_set_state_dir(container_settings.state_dir);
	ctr_spawn_set_ops(&reaper_ops);
	gcs_set_container_table_resolver(container_table_resolver);
	return container_cleanup_stale();
}
GCS_INIT(containers, 50, container_init);

int container_new(const char *id, int protocol, const char *activity_id, struct container **out)
{
	struct container *c = calloc(1, sizeof(*c));
	if (!c || !(c->id = strdup(id)) ||
	    !(c->activity_id = strdup(activity_id ? activity_id : "00000000-0000-0000-0000-000000000000"))) {
		if (c)
			free(c->id);
		free(c);
		return err_set(-ENOMEM, "creating container %s", id);
	}
	pthread_mutex_init(&c->lock, NULL);
	c->refs = 2; /* the table's and the caller's */
	c->protocol = protocol;
	c->status = CONTAINER_CREATING;
	c->exit_type = "UnexpectedExit";
	c->storage_index = -1;
	c->init_pipes = (struct gcs_stdio_pipes){ { -1, -1, -1 }, { -1, -1, -1 }, -1 };
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table_len; i++) {
		if (strcmp(table[i]->id, id) == 0) {
			pthread_mutex_unlock(&table_lock);
			free(c->id);
			free(c->activity_id);
			free(c);
			return err_setmsg(-EEXIST, "container %s already exists", id);
		}
	}
	struct container **t = realloc(table, (table_len + 1) * sizeof(*t));
	if (!t) {
		pthread_mutex_unlock(&table_lock);
		free(c->id);
		free(c->activity_id);
		free(c);
		return err_set(-ENOMEM, "creating container %s", id);
	}
	table = t;
	table[table_len++] = c;
	pthread_mutex_unlock(&table_lock);
	*out = c;
	return 0;
}

struct container *container_get(const char *id)
{
	struct container *found = NULL;
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table_len; i++) {
		if (strcmp(table[i]->id, id) == 0) {
			found = table[i];
			pthread_mutex_lock(&found->lock);
			found->refs++;
			pthread_mutex_unlock(&found->lock);
			break;
		}
	}
	pthread_mutex_unlock(&table_lock);
	return found;
}

void container_put(struct container *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	int refs = --c->refs;
	pthread_mutex_unlock(&c->lock);
	if (refs > 0)
		return;
	if (c->init)
		gcs_process_unref(c->init);
	gcs_stdio_pipes_close(&c->init_pipes);
	if (c->procs)
		gcs_proc_table_free(c->procs);
	json_object_put(c->spec);
	for (size_t i = 0; i < c->n_mappings; i++)
		free(c->mappings[i].path);
	free(c->mappings);
	free(c->id);
	free(c->activity_id);
	free(c->bundle);
	free(c->scratch_dir);
	free(c->sandbox_id);
	free(c->cgroups_path);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void container_remove(struct container *c)
{
	bool found = false;
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table_len; i++) {
		if (table[i] == c) {
			table[i] = table[--table_len];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&table_lock);
	if (found)
		container_put(c);
}

char *container_sandbox_root(const char *sandbox_id)
{
	struct container *s = container_get(sandbox_id);
	if (!s)
		return NULL;
	char *root = NULL;
	pthread_mutex_lock(&s->lock);
	if (s->kind == OCI_KIND_SANDBOX && s->bundle && s->status != CONTAINER_CREATING)
		root = strdup(s->bundle);
	pthread_mutex_unlock(&s->lock);
	container_put(s);
	return root;
}

int container_fail(struct gcs_request *req, int32_t hresult, int r)
{
	gcs_request_set_hresult(req, hresult);
	return r < 0 ? r : -EIO;
}

int container_lookup(struct gcs_request *req, struct container **out)
{
	const char *id = gcs_request_container_id(req);
	struct container *c = container_get(id);
	if (!c)
		return container_fail(req, HR_SYSTEM_NOT_FOUND, err_setmsg(-ENOENT, "container %s does not exist", id));
	pthread_mutex_lock(&c->lock);
	bool creating = c->status == CONTAINER_CREATING;
	pthread_mutex_unlock(&c->lock);
	if (creating) {
		container_put(c);
		return container_fail(req, HR_INVALID_STATE,
				      err_setmsg(-EBUSY, "container %s is still being created", id));
	}
	*out = c;
	return 0;
}

void container_notify_exit(struct container *c)
{
	pthread_mutex_lock(&c->lock);
	bool send = !c->notified;
	c->notified = true;
	const char *type = c->protocol == 3 ? "UnexpectedExit" : c->exit_type;
	pthread_mutex_unlock(&c->lock);
	if (send)
		gcs_notify_container(c->id, c->activity_id, type, 0);
}

/* ---- runtime start and delete ---- */

int container_runtime_start(struct container *c, int32_t *hr)
{
	if (!oci_spec_has_hooks(c->spec, "poststart")) {
		int r = ctr_runc_state_start(c->id, c->init_pid);
		if (r != -ENOTSUP) {
			if (r < 0)
				*hr = HR_E_FAIL;
			return r;
		}
		log_debug("container %s: %s start: %s", c->id, ctr_runc_binary(), err_text());
	}
	return ctr_runc_start(c->id, c->bundle, hr);
}

int container_runtime_delete(struct container *c, int32_t *hr)
{
	pthread_mutex_lock(&c->lock);
	bool reaped = c->status == CONTAINER_TERMINATED;
	pthread_mutex_unlock(&c->lock);
	if (reaped && c->owns_pid_namespace && !oci_spec_has_hooks(c->spec, "poststop")) {
		int r = ctr_runc_state_delete(c->id);
		if (r != -ENOTSUP) {
			if (r < 0)
				*hr = HR_E_FAIL;
			return r;
		}
		log_debug("container %s: %s delete: %s", c->id, ctr_runc_binary(), err_text());
	}
	return ctr_runc_delete(c->id, false, hr);
}

/* ---- process hooks ---- */

struct detached {
	void (*fn)(void *);
	void *ctx;
};

static void *detached_main(void *arg)
{
	struct detached d = *(struct detached *)arg;
	free(arg);
	d.fn(d.ctx);
	return NULL;
}

void container_run_detached(void (*fn)(void *), void *ctx);
void container_run_detached(void (*fn)(void *), void *ctx)
{
	struct detached *d = malloc(sizeof(*d));
	pthread_attr_t attr;
	pthread_t t;
	if (d) {
		d->fn = fn;
		d->ctx = ctx;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 256 * 1024);
		int r = pthread_create(&t, &attr, detached_main, d);
		pthread_attr_destroy(&attr);
		if (r == 0)
			return;
		free(d);
	}
	fn(ctx); /* no thread: do it here rather than never */
}

struct init_exit {
	struct container *c;
	struct gcs_process *p;
};

/* §5.5 step 1: a container sharing the UVM's pid namespace loses every
 * other process when its init exits. runc blocks, so not on the loop. */
static void init_exit_run(void *arg)
{
	struct init_exit *e = arg;
	struct container *c = e->c;
	pthread_mutex_lock(&c->lock);
	bool shared_pid = !c->owns_pid_namespace;
	c->status = CONTAINER_TERMINATED;
	pthread_mutex_unlock(&c->lock);
	if (shared_pid)
		(void)ctr_runc_kill(c->id, SIGKILL, true, NULL);
	gcs_process_publish(e->p);
	free(e);
}

static void init_before_publish_v4(struct gcs_process *p, void *ctx)
{
	struct container *c = ctx;
	pthread_mutex_lock(&c->lock);
	bool own_pid = c->owns_pid_namespace;
	if (own_pid)
		c->status = CONTAINER_TERMINATED;
	pthread_mutex_unlock(&c->lock);
	if (own_pid) {
		/* the kernel ended the namespace with its init: nothing blocks */
		gcs_process_publish(p);
		return;
	}
	struct init_exit *e = malloc(sizeof(*e));
	if (!e) {
		gcs_process_publish(p);
		return;
	}
	e->c = ctx;
	e->p = p;
	container_run_detached(init_exit_run, e);
}

static void init_after_first_wait(struct gcs_process *p, void *ctx)
{
	(void)p;
	container_notify_exit(ctx);
	container_put(ctx); /* the reference taken for the hooks at Create */
}

static void init_signaled(struct gcs_process *p, int sig, void *ctx)
{
	(void)p;
	struct container *c = ctx;
	pthread_mutex_lock(&c->lock);
	if (sig == SIGTERM)
		c->exit_type = "GracefulExit";
	else if (sig == SIGKILL)
		c->exit_type = "ForcedExit";
	pthread_mutex_unlock(&c->lock);
}

const struct gcs_process_hooks container_init_hooks_v4 = {
	.before_publish = init_before_publish_v4,
	.after_first_wait = init_after_first_wait,
	.signaled = init_signaled,
};

/* ---- files ---- */

char *container_read_rootfs_file(const char *root, const char *name)
{
	_cleanup_close_ int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return NULL;
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (16 << 20))
		return NULL;
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return NULL;
	size_t len = 0;
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

int container_write_file(const char *path, const char *text, mode_t mode)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return err_set(-errno, "creating %s", path);
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return err_set(-errno, "writing %s", path);
		}
		off += (size_t)n;
	}
	if (fchmod(fd, mode) < 0)
		return err_set(-errno, "setting the mode of %s", path);
	return 0;
}

static void container_dump(struct gcs_dump *d)
{
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table_len; i++) {
		static const char *const names[] = { "creating", "created", "running", "terminated" };
		gcs_dump_printf(d, "container %s protocol %d %s init %d bundle %s\n", table[i]->id, table[i]->protocol,
				names[table[i]->status], (int)table[i]->init_pid,
				table[i]->bundle ? table[i]->bundle : "-");
	}
	pthread_mutex_unlock(&table_lock);
}
GCS_DUMPER(containers, "containers", container_dump);
