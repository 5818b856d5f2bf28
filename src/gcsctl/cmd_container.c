/* cmd_container.c: the protocol 4 container sequence as separate gcsctl
 * commands, one request each (gcs-protocol.md Appendix A), against a
 * long-running GCS that re-dials between them:
 *   mount-scsi, unmount-scsi, combine, uncombine, create, start, exec-in,
 *   shutdown, delete. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gcsctl/command.h"
#include "gcsctl/container_ops.h"
#include "gcsctl/container_spec.h"
#include "gcsctl/session.h"
#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"

static int with_session(int (*fn)(struct gcsctl_session *, void *), void *ctx)
{
	struct gcsctl_session *s;
	if (gcsctl_session_open(&s) < 0)
		return 125;
	int rc = fn(s, ctx);
	gcsctl_session_close(s);
	fflush(stdout);
	_exit(rc);
}

static bool help(int argc, char **argv, const char *usage)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: gcsctl [OPTIONS] %s\n", usage);
		return true;
	}
	return false;
}

static int parse_lun(const char *s, int *lun)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 255)
		return -1;
	*lun = (int)v;
	return 0;
}

/* ---- mount-scsi / unmount-scsi ---- */

struct scsi_args {
	int controller, lun;
	const char *path;
	bool ro, add;
};

static int do_scsi(struct gcsctl_session *s, void *ctx)
{
	struct scsi_args *a = ctx;
	json_object *st = json_object_new_object();
	json_object_object_add(st, "MountPath", json_object_new_string(a->path));
	json_object_object_add(st, "Lun", json_object_new_int(a->lun));
	json_object_object_add(st, "Controller", json_object_new_int(a->controller));
	if (a->add && a->ro) {
		json_object_object_add(st, "ReadOnly", json_object_new_boolean(1));
	} else if (a->add) {
		json_object_object_add(st, "EnsureFilesystem", json_object_new_boolean(1));
		json_object_object_add(st, "Filesystem", json_object_new_string("ext4"));
	}
	return gcsctl_ctr_modify(s, "MappedVirtualDisk", a->add ? "Add" : "Remove", st, "MappedVirtualDisk") < 0 ? 1 : 0;
}

#define SCSI_USAGE "mount-scsi [--ro] [--controller N] LUN PATH\n  mounts SCSI LUN at the UVM path PATH (read-only layer, or a scratch formatted when blank)"
static int run_mount_scsi(int argc, char **argv)
{
	if (help(argc, argv, SCSI_USAGE))
		return 0;
	struct scsi_args a = { .add = true };
	int c;
	static const struct option lo[] = { { "ro", no_argument, NULL, 'r' }, { "controller", required_argument, NULL, 'c' }, { 0 } };
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		if (c == 'r')
			a.ro = true;
		else if (c == 'c' && parse_lun(optarg, &a.controller) == 0 && a.controller < 4)
			continue;
		else
			return gcsctl_usage_error("mount-scsi", "bad option");
	}
	if (argc - optind != 2 || parse_lun(argv[optind], &a.lun) < 0)
		return gcsctl_usage_error("mount-scsi", "expected LUN PATH");
	a.path = argv[optind + 1];
	return with_session(do_scsi, &a);
}
GCSCTL_COMMAND(mount_scsi, "mount-scsi", "MappedVirtualDisk Add: mount a SCSI LUN in the UVM", SCSI_USAGE, run_mount_scsi);

#define UNSCSI_USAGE "unmount-scsi LUN PATH"
static int run_unmount_scsi(int argc, char **argv)
{
	if (help(argc, argv, UNSCSI_USAGE))
		return 0;
	struct scsi_args a = { .add = false };
	if (argc != 3 || parse_lun(argv[1], &a.lun) < 0)
		return gcsctl_usage_error("unmount-scsi", "expected LUN PATH");
	a.path = argv[2];
	return with_session(do_scsi, &a);
}
GCSCTL_COMMAND(unmount_scsi, "unmount-scsi", "MappedVirtualDisk Remove", UNSCSI_USAGE, run_unmount_scsi);

/* ---- combine / uncombine ---- */

struct combine_args {
	const char *id, *rootfs, *scratch;
	char **layers;
	int n;
	bool add;
};

static int do_combine(struct gcsctl_session *s, void *ctx)
{
	struct combine_args *a = ctx;
	json_object *st = json_object_new_object();
	json_object_object_add(st, "ContainerID", json_object_new_string(a->id));
	json_object_object_add(st, "ContainerRootPath", json_object_new_string(a->rootfs));
	if (a->add) {
		json_object *l = json_object_new_array();
		for (int i = 0; i < a->n; i++) {
			json_object *e = json_object_new_object();
			json_object_object_add(e, "Path", json_object_new_string(a->layers[i]));
			json_object_array_add(l, e);
		}
		json_object_object_add(st, "Layers", l);
		if (a->scratch)
			json_object_object_add(st, "ScratchPath", json_object_new_string(a->scratch));
	}
	return gcsctl_ctr_modify(s, "CombinedLayers", a->add ? "Add" : "Remove", st, "CombinedLayers") < 0 ? 1 : 0;
}

#define COMBINE_USAGE "combine [--scratch DIR] ID ROOTFS LAYER_PATH...\n  overlay of the mounted layers (first = top-most) at ROOTFS"
static int run_combine(int argc, char **argv)
{
	if (help(argc, argv, COMBINE_USAGE))
		return 0;
	struct combine_args a = { .add = true };
	static const struct option lo[] = { { "scratch", required_argument, NULL, 's' }, { 0 } };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		if (c != 's')
			return gcsctl_usage_error("combine", "bad option");
		a.scratch = optarg;
	}
	if (argc - optind < 3)
		return gcsctl_usage_error("combine", "expected ID ROOTFS LAYER_PATH...");
	a.id = argv[optind];
	a.rootfs = argv[optind + 1];
	a.layers = argv + optind + 2;
	a.n = argc - optind - 2;
	return with_session(do_combine, &a);
}
GCSCTL_COMMAND(combine, "combine", "CombinedLayers Add: overlay mounted layers into a rootfs", COMBINE_USAGE, run_combine);

#define UNCOMBINE_USAGE "uncombine ID ROOTFS"
static int run_uncombine(int argc, char **argv)
{
	if (help(argc, argv, UNCOMBINE_USAGE))
		return 0;
	if (argc != 3)
		return gcsctl_usage_error("uncombine", "expected ID ROOTFS");
	struct combine_args a = { .id = argv[1], .rootfs = argv[2] };
	return with_session(do_combine, &a);
}
GCSCTL_COMMAND(uncombine, "uncombine", "CombinedLayers Remove", UNCOMBINE_USAGE, run_uncombine);

/* ---- create ---- */

struct create_args {
	const char *id, *bundle, *rootfs, *cwd;
	char **argv, *env[64];
	bool tty;
};

static int do_create(struct gcsctl_session *s, void *ctx)
{
	struct create_args *a = ctx;
	json_object *cfg = json_object_new_object();
	json_object *ver = json_object_new_object();
	json_object_object_add(ver, "Major", json_object_new_int(2));
	json_object_object_add(ver, "Minor", json_object_new_int(1));
	json_object_object_add(cfg, "SchemaVersion", ver);
	json_object_object_add(cfg, "OciBundlePath", json_object_new_string(a->bundle));
	json_object_object_add(cfg, "OciSpecification", gcsctl_container_spec(a->argv, a->env, a->cwd, a->tty, a->rootfs));
	json_object *req = gcsctl_request(s, a->id);
	json_object_object_add(req, "ContainerConfig", json_object_new_string(bj_text(cfg, NULL)));
	json_object_put(cfg);
	return gcsctl_ctr_call(s, BRIDGE_MSG_CREATE, req, "Create") < 0 ? 1 : 0;
}

#define CREATE_USAGE "create [-t] [-e K=V]... [-w DIR] ID BUNDLE ROOTFS -- CMD [ARG]...\n  Create (runc create) with a default spec running CMD"
static int run_create(int argc, char **argv)
{
	if (help(argc, argv, CREATE_USAGE))
		return 0;
	struct create_args a = { 0 };
	int c, n_env = 0;
	optind = 1;
	while ((c = getopt(argc, argv, "+te:w:")) != -1) {
		if (c == 't')
			a.tty = true;
		else if (c == 'e' && n_env < 63 && strchr(optarg, '='))
			a.env[n_env++] = optarg;
		else if (c == 'w')
			a.cwd = optarg;
		else
			return gcsctl_usage_error("create", "bad option");
	}
	if (argc - optind < 4)
		return gcsctl_usage_error("create", "expected ID BUNDLE ROOTFS -- CMD");
	a.id = argv[optind];
	a.bundle = argv[optind + 1];
	a.rootfs = argv[optind + 2];
	a.argv = argv + optind + 3;
	if (!strcmp(a.argv[0], "--"))
		a.argv++;
	if (!a.argv[0])
		return gcsctl_usage_error("create", "no command");
	return with_session(do_create, &a);
}
GCSCTL_COMMAND(create, "create", "Create a protocol 4 container (runc create)", CREATE_USAGE, run_create);

/* ---- start / shutdown / delete ---- */

struct id_args {
	const char *id;
	bool tty, force, detach;
	char **argv;
};

static int do_start(struct gcsctl_session *s, void *ctx)
{
	struct id_args *a = ctx;
	if (gcsctl_ctr_call(s, BRIDGE_MSG_START, gcsctl_request(s, a->id), "Start") < 0)
		return 125;
	if (a->detach) {
		/* no stdio: the init's output goes nowhere, its pid is printed */
		json_object *req = gcsctl_request(s, a->id);
		json_object *settings = json_object_new_object();
		json_object_object_add(settings, "ProcessParameters", json_object_new_string("{}"));
		json_object_object_add(req, "Settings", settings);
		json_object *resp = NULL;
		int r = gcsctl_call(s, BRIDGE_MSG_EXECUTE_PROCESS, req, &resp);
		uint32_t pid = 0;
		if (r == 0)
			bj_get_u32(resp, "ProcessId", &pid);
		else if (r > 0)
			gcsctl_print_failure("ExecuteProcess", resp);
		if (resp)
			json_object_put(resp);
		if (r != 0)
			return 125;
		printf("%u\n", pid);
		return 0;
	}
	int code = gcsctl_ctr_run_process(s, a->id, json_object_new_object(), a->tty);
	return code < 0 ? 125 : code;
}

#define START_USAGE "start [-t] [-d] ID\n  starts the init, streams its stdio, exits with its exit code (-d: print its pid and return)"
static int run_start(int argc, char **argv)
{
	if (help(argc, argv, START_USAGE))
		return 0;
	struct id_args a = { 0 };
	int c;
	optind = 1;
	while ((c = getopt(argc, argv, "+td")) != -1) {
		if (c == 't')
			a.tty = true;
		else if (c == 'd')
			a.detach = true;
		else
			return gcsctl_usage_error("start", "bad option");
	}
	if (argc - optind != 1)
		return gcsctl_usage_error("start", "expected ID");
	a.id = argv[optind];
	return with_session(do_start, &a);
}
GCSCTL_COMMAND(start, "start", "start a container's init and wait for it", START_USAGE, run_start);

static int do_exec_in(struct gcsctl_session *s, void *ctx)
{
	struct id_args *a = ctx;
	json_object *p = json_object_new_object();
	json_object *args = json_object_new_array();
	for (char **v = a->argv; *v; v++)
		json_object_array_add(args, json_object_new_string(*v));
	json_object_object_add(p, "args", args);
	json_object_object_add(p, "cwd", json_object_new_string("/"));
	json_object *env = json_object_new_array();
	json_object_array_add(env, json_object_new_string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	json_object_object_add(p, "env", env);
	json_object *user = json_object_new_object();
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(p, "user", user);
	json_object_object_add(p, "terminal", json_object_new_boolean(a->tty));
	json_object *params = json_object_new_object();
	json_object_object_add(params, "OciProcess", p);
	int code = gcsctl_ctr_run_process(s, a->id, params, a->tty);
	return code < 0 ? 125 : code;
}

#define EXEC_IN_USAGE "exec-in [-t] ID -- CMD [ARG]...\n  runs CMD inside container ID (runc exec), exits with its exit code"
static int run_exec_in(int argc, char **argv)
{
	if (help(argc, argv, EXEC_IN_USAGE))
		return 0;
	struct id_args a = { 0 };
	int c;
	optind = 1;
	while ((c = getopt(argc, argv, "+t")) != -1) {
		if (c != 't')
			return gcsctl_usage_error("exec-in", "bad option");
		a.tty = true;
	}
	if (argc - optind < 2)
		return gcsctl_usage_error("exec-in", "expected ID -- CMD");
	a.id = argv[optind];
	a.argv = argv + optind + 1;
	if (!strcmp(a.argv[0], "--"))
		a.argv++;
	if (!a.argv[0])
		return gcsctl_usage_error("exec-in", "no command");
	return with_session(do_exec_in, &a);
}
GCSCTL_COMMAND(exec_in, "exec-in", "run a process inside a container", EXEC_IN_USAGE, run_exec_in);

static int do_shutdown(struct gcsctl_session *s, void *ctx)
{
	struct id_args *a = ctx;
	return gcsctl_ctr_call(s, a->force ? BRIDGE_MSG_SHUTDOWN_FORCED : BRIDGE_MSG_SHUTDOWN_GRACEFUL,
			       gcsctl_request(s, a->id), "Shutdown") < 0 ? 1 : 0;
}

#define SHUTDOWN_USAGE "shutdown [--force] ID\n  SIGTERM (or SIGKILL) to the container's init"
static int run_shutdown(int argc, char **argv)
{
	if (help(argc, argv, SHUTDOWN_USAGE))
		return 0;
	struct id_args a = { 0 };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			a.force = true;
		else if (!a.id)
			a.id = argv[i];
		else
			return gcsctl_usage_error("shutdown", "expected one ID");
	}
	if (!a.id)
		return gcsctl_usage_error("shutdown", "expected ID");
	return with_session(do_shutdown, &a);
}
GCSCTL_COMMAND(shutdown, "shutdown", "ShutdownGraceful/ShutdownForced of a container", SHUTDOWN_USAGE, run_shutdown);

static int do_delete(struct gcsctl_session *s, void *ctx)
{
	struct id_args *a = ctx;
	return gcsctl_ctr_call(s, BRIDGE_MSG_DELETE_CONTAINER_STATE, gcsctl_request(s, a->id), "DeleteContainerState") < 0
		       ? 1
		       : 0;
}

#define DELETE_USAGE "delete ID\n  DeleteContainerState: runc delete, bundle and scratch directories removed"
static int run_delete(int argc, char **argv)
{
	if (help(argc, argv, DELETE_USAGE))
		return 0;
	if (argc != 2)
		return gcsctl_usage_error("delete", "expected ID");
	struct id_args a = { .id = argv[1] };
	return with_session(do_delete, &a);
}
GCSCTL_COMMAND(delete, "delete", "DeleteContainerState of a container", DELETE_USAGE, run_delete);
