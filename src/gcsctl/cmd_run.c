/* cmd_run.c: `gcsctl run`: run a container from layer disk files through
 * the GCS, like a host would (gcs-protocol.md Appendix A for protocol 4,
 * Appendix B for protocol 3), print its output and exit with its exit code.
 *
 * The layer files are attached to loop devices and presented to the GCS as
 * SCSI LUNs (controller 0, the 0:0:0:<lun> form) below a sysfs root: the
 * GCS must run with the same `-sysfs-root DIR` (--spawn-gcs adds it).
 * With --attached the disks are already on the VM's SCSI controller 0 (a
 * real utility VM): nothing is presented and FILE only names the disk. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gcsctl/command.h"
#include "gcsctl/container_ops.h"
#include "gcsctl/container_spec.h"
#include "gcsctl/session.h"
#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/cleanup.h"
#include "lib/err.h"
#include "os/ctr_loop.h"

#define USAGE                                                                                          \
	"run [--id ID] [--layer [scsi:]LUN=FILE]... [--scratch [scsi:]LUN=FILE] [--sysfs DIR]\n"       \
	"    [--run-dir DIR] [--attached] [-t] [-N] [-e K=V]... [-w DIR] -- CMD [ARG]...\n"            \
	"  --layer     a read-only ext4 layer disk (first = top-most), shown to the GCS as SCSI LUN\n"  \
	"  --scratch   the writable scratch disk (formatted by the GCS when blank)\n"                    \
	"  --sysfs     the GCS's -sysfs-root (default DIR/sysfs of --listen unix:DIR)\n"                 \
	"  --run-dir   where the GCS puts mounts and bundles, protocol 4 (default /run/gcs)\n"           \
	"  --attached  the LUNs are already attached to the VM (controller 0): no loop devices or\n"    \
	"              sysfs entries are made here, FILE is not opened\n"                                \
	"  -t          allocate a terminal\n"                                                             \
	"  -N          no stdio streams for the container's process (all /dev/null)\n"                  \
	"  --protocol 3 (global) uses Create with hosted settings and the first ExecuteProcess;\n"       \
	"  protocol 4 mounts, combines, creates, starts, waits and removes everything again.\n"         \
	"exit status: the container's exit code (128+N when killed by signal N); 125 on errors"

#define MAX_DISKS 16

struct disk {
	unsigned lun;
	const char *file;
	char *dev;
	char dir[4200]; /* <sysfs>/bus/scsi/devices/0:0:0:<lun> */
	bool scratch;
};

static int parse_disk(const char *arg, bool scratch, struct disk *d)
{
	const char *p = strncmp(arg, "scsi:", 5) == 0 ? arg + 5 : arg;
	char *end;
	unsigned long lun = strtoul(p, &end, 10);
	if (end == p || *end != '=' || lun > 127 || !end[1])
		return -EINVAL;
	d->lun = (unsigned)lun;
	d->file = end + 1;
	d->scratch = scratch;
	return 0;
}

static int mkdirs(const char *path)
{
	char buf[4400];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || !*p) {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return err_set(-errno, "creating %s", buf);
			*p = c;
			if (!c)
				return 0;
		}
	}
}

static int present(struct disk *d, const char *sysfs)
{
	int r = ctr_loop_attach(d->file, 0, 0, !d->scratch, false, &d->dev);
	if (r < 0)
		return r;
	char block[4400];
	if ((size_t)snprintf(d->dir, sizeof(d->dir), "%.4000s/bus/scsi/devices/0:0:0:%u", sysfs, d->lun) >= sizeof(d->dir))
		return err_setmsg(-ENAMETOOLONG, "sysfs path too long");
	snprintf(block, sizeof(block), "%s/block/%s", d->dir, d->dev + 5);
	return mkdirs(block);
}

static void withdraw(struct disk *d)
{
	if (d->dev) {
		char path[4400];
		snprintf(path, sizeof(path), "%s/block/%s", d->dir, d->dev + 5);
		rmdir(path);
		snprintf(path, sizeof(path), "%s/block", d->dir);
		rmdir(path);
		rmdir(d->dir);
		(void)ctr_loop_detach(d->dev);
		free(d->dev);
		d->dev = NULL;
	}
}

struct run_args {
	const char *id, *run_dir;
	struct disk *disks;
	int n;
	char **argv, **env;
	const char *cwd;
	bool tty;
};

static int run_v3(struct gcsctl_session *s, const struct run_args *a)
{
	json_object *params = json_object_new_object();
	json_object_object_add(params, "OciSpecification", gcsctl_container_spec(a->argv, a->env, a->cwd, a->tty, "rootfs"));
	return gcsctl_ctr_run_process(s, a->id, params, a->tty);
}

static int run_v4(struct gcsctl_session *s, const struct run_args *a)
{
	char root[4096], rootfs[4200], scratch[4300], path[4300];
	snprintf(root, sizeof(root), "%s/c/%s", a->run_dir, a->id);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", root);
	snprintf(scratch, sizeof(scratch), "%s/scratch/%s", root, a->id);
	int rc = -1, layers_mounted = 0;
	bool scratch_mounted = false, combined = false, created = false;
	json_object *lpaths = json_object_new_array();
	for (int i = 0; i < a->n; i++) {
		const struct disk *d = &a->disks[i];
		json_object *st = json_object_new_object();
		json_object_object_add(st, "Lun", json_object_new_int((int)d->lun));
		json_object_object_add(st, "Controller", json_object_new_int(0));
		if (d->scratch) {
			json_object_object_add(st, "MountPath", json_object_new_string(root));
			json_object_object_add(st, "EnsureFilesystem", json_object_new_boolean(1));
			json_object_object_add(st, "Filesystem", json_object_new_string("ext4"));
			if (gcsctl_ctr_modify(s, "MappedVirtualDisk", "Add", st, "mounting the scratch disk") < 0)
				goto undo;
			scratch_mounted = true;
		} else {
			snprintf(path, sizeof(path), "%s/mounts/m%u-%s", a->run_dir, d->lun, a->id);
			json_object_object_add(st, "MountPath", json_object_new_string(path));
			json_object_object_add(st, "ReadOnly", json_object_new_boolean(1));
			if (gcsctl_ctr_modify(s, "MappedVirtualDisk", "Add", st, "mounting a layer") < 0)
				goto undo;
			layers_mounted = i + 1;
			json_object *l = json_object_new_object();
			json_object_object_add(l, "Path", json_object_new_string(path));
			json_object_array_add(lpaths, l);
		}
	}
	json_object *cl = json_object_new_object();
	json_object_object_add(cl, "ContainerID", json_object_new_string(a->id));
	json_object_object_add(cl, "ContainerRootPath", json_object_new_string(rootfs));
	json_object_object_add(cl, "Layers", json_object_get(lpaths));
	if (scratch_mounted)
		json_object_object_add(cl, "ScratchPath", json_object_new_string(scratch));
	if (gcsctl_ctr_modify(s, "CombinedLayers", "Add", cl, "combining layers") < 0)
		goto undo;
	combined = true;
	json_object *cfg = json_object_new_object();
	json_object *ver = json_object_new_object();
	json_object_object_add(ver, "Major", json_object_new_int(2));
	json_object_object_add(ver, "Minor", json_object_new_int(1));
	json_object_object_add(cfg, "SchemaVersion", ver);
	json_object_object_add(cfg, "OciBundlePath", json_object_new_string(root));
	json_object_object_add(cfg, "OciSpecification", gcsctl_container_spec(a->argv, a->env, a->cwd, a->tty, rootfs));
	if (scratch_mounted)
		json_object_object_add(cfg, "ScratchDirPath", json_object_new_string(scratch));
	json_object *req = gcsctl_request(s, a->id);
	json_object_object_add(req, "ContainerConfig", json_object_new_string(bj_text(cfg, NULL)));
	json_object_put(cfg);
	if (gcsctl_ctr_call(s, BRIDGE_MSG_CREATE, req, "Create") < 0)
		goto undo;
	created = true;
	if (gcsctl_ctr_call(s, BRIDGE_MSG_START, gcsctl_request(s, a->id), "Start") < 0)
		goto undo;
	rc = gcsctl_ctr_run_process(s, a->id, json_object_new_object(), a->tty);
undo:
	if (combined) {
		json_object *st = json_object_new_object();
		json_object_object_add(st, "ContainerID", json_object_new_string(a->id));
		json_object_object_add(st, "ContainerRootPath", json_object_new_string(rootfs));
		gcsctl_ctr_modify(s, "CombinedLayers", "Remove", st, "removing the overlay");
	}
	for (int i = 0; i < a->n; i++) {
		const struct disk *d = &a->disks[i];
		if (d->scratch ? !scratch_mounted : i >= layers_mounted)
			continue;
		json_object *st = json_object_new_object();
		json_object_object_add(st, "Lun", json_object_new_int((int)d->lun));
		if (d->scratch) {
			json_object_object_add(st, "MountPath", json_object_new_string(root));
		} else {
			snprintf(path, sizeof(path), "%s/mounts/m%u-%s", a->run_dir, d->lun, a->id);
			json_object_object_add(st, "MountPath", json_object_new_string(path));
		}
		gcsctl_ctr_modify(s, "MappedVirtualDisk", "Remove", st, "unmounting a disk");
	}
	if (created)
		gcsctl_ctr_call(s, BRIDGE_MSG_DELETE_CONTAINER_STATE, gcsctl_request(s, a->id), "DeleteContainerState");
	json_object_put(lpaths);
	return rc;
}

static int run_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "id", required_argument, NULL, 'i' },      { "layer", required_argument, NULL, 'l' },
		{ "scratch", required_argument, NULL, 's' }, { "sysfs", required_argument, NULL, 'S' },
		{ "run-dir", required_argument, NULL, 'r' }, { "help", no_argument, NULL, 'h' },
		{ "attached", no_argument, NULL, 'A' },
		{ 0 },
	};
	struct disk disks[MAX_DISKS] = { 0 };
	int n = 0, n_env = 0;
	char *env[64] = { 0 };
	char default_id[64], sysfs_buf[4096];
	snprintf(default_id, sizeof(default_id), "gcsctl-run-%d", (int)getpid());
	struct run_args a = { .id = default_id, .run_dir = "/run/gcs", .disks = disks, .env = env };
	const char *sysfs = NULL;
	bool attached = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+tNe:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': a.id = optarg; break;
		case 'l':
		case 's':
			if (n == MAX_DISKS || parse_disk(optarg, c == 's', &disks[n]) < 0)
				return gcsctl_usage_error("run", "bad disk '%s' (want [scsi:]LUN=FILE)", optarg);
			n++;
			break;
		case 'S': sysfs = optarg; break;
		case 'r': a.run_dir = optarg; break;
		case 't': a.tty = true; break;
		case 'N': gcsctl_opts.no_stdio = true; break;
		case 'A': attached = true; break;
		case 'e':
			if (n_env == 63 || !strchr(optarg, '='))
				return gcsctl_usage_error("run", "bad environment entry '%s'", optarg);
			env[n_env++] = optarg;
			break;
		case 'w': a.cwd = optarg; break;
		case 'h': printf("usage: gcsctl [OPTIONS] %s\n", USAGE); return 0;
		default: return gcsctl_usage_error("run", "unknown option");
		}
	}
	if (optind >= argc)
		return gcsctl_usage_error("run", "no command");
	a.argv = argv + optind;
	a.n = n;
	int layers = 0;
	for (int i = 0; i < n; i++)
		layers += !disks[i].scratch;
	if (!layers)
		return gcsctl_usage_error("run", "at least one --layer is needed");
	if (!sysfs && !attached) {
		if (!gcsctl_opts.listen || strncmp(gcsctl_opts.listen, "unix:", 5) != 0)
			return gcsctl_usage_error("run", "--sysfs is needed unless --listen is unix:DIR");
		snprintf(sysfs_buf, sizeof(sysfs_buf), "%s/sysfs", gcsctl_opts.listen + 5);
		sysfs = sysfs_buf;
	}
	if (sysfs && gcsctl_opts.spawn_gcs && gcsctl_opts.n_gcs_args <= 14) {
		gcsctl_opts.gcs_args[gcsctl_opts.n_gcs_args++] = "-sysfs-root";
		gcsctl_opts.gcs_args[gcsctl_opts.n_gcs_args++] = sysfs;
	}
	int rc = 125;
	for (int i = 0; i < n && !attached; i++) {
		if (present(&disks[i], sysfs) < 0) {
			fprintf(stderr, "gcsctl: %s\n", err_text());
			goto out;
		}
	}
	_cleanup_free_ char *config = NULL;
	if (gcsctl_opts.protocol == 3) {
		/* §3.5.1: device ids; the layer list is top-most first */
		json_object *cfg = json_object_new_object();
		json_object *l = json_object_new_array();
		for (int i = 0; i < n; i++) {
			char id[32];
			snprintf(id, sizeof(id), "scsi:%u", disks[i].lun);
			if (disks[i].scratch) {
				json_object_object_add(cfg, "SandboxDataPath", json_object_new_string(id));
			} else {
				json_object *e = json_object_new_object();
				json_object_object_add(e, "Path", json_object_new_string(id));
				json_object_array_add(l, e);
			}
		}
		json_object_object_add(cfg, "Layers", l);
		config = strdup(bj_text(cfg, NULL));
		json_object_put(cfg);
		gcsctl_opts.bootstrap_config = config;
		gcsctl_opts.container_id = a.id;
	}
	struct gcsctl_session *s;
	if (gcsctl_session_open(&s) < 0)
		goto out;
	int code = gcsctl_session_protocol(s) == 3 ? run_v3(s, &a) : run_v4(s, &a);
	if (code >= 0)
		rc = code;
	gcsctl_session_close(s);
out:
	for (int i = 0; i < n; i++)
		withdraw(&disks[i]);
	fflush(stdout);
	_exit(rc);
}

GCSCTL_COMMAND(run, "run", "run a container from layer disk files (mount, create, start, wait, remove)", USAGE,
	       run_run);
