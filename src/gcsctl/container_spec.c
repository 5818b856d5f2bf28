/* container_spec.c: gcsctl's default OCI spec (see container_spec.h). */
#include "gcsctl/container_spec.h"

#include <string.h>

#include "lib/cleanup.h"

static json_object *strings(const char *const *v)
{
	json_object *a = json_object_new_array();
	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static json_object *mount(const char *dst, const char *type, const char *src, const char *const *opts)
{
	json_object *m = json_object_new_object();
	json_object_object_add(m, "destination", json_object_new_string(dst));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(src));
	if (opts)
		json_object_object_add(m, "options", strings(opts));
	return m;
}

json_object *gcsctl_container_spec(char *const *argv, char *const *env, const char *cwd, bool tty, const char *root)
{
	static const char *const caps[] = { "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
					    "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
					    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
					    NULL };
	json_object *spec = json_object_new_object();
	json_object_object_add(spec, "ociVersion", json_object_new_string("1.0.2"));
	json_object *p = json_object_new_object();
	json_object_object_add(p, "terminal", json_object_new_boolean(tty));
	json_object *user = json_object_new_object();
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(p, "user", user);
	json_object_object_add(p, "args", strings((const char *const *)argv));
	json_object *e = json_object_new_array();
	bool has_path = false;
	for (char *const *v = env; v && *v; v++) {
		has_path |= strncmp(*v, "PATH=", 5) == 0;
		json_object_array_add(e, json_object_new_string(*v));
	}
	if (!has_path)
		json_object_array_add(e, json_object_new_string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	if (tty)
		json_object_array_add(e, json_object_new_string("TERM=xterm"));
	json_object_object_add(p, "env", e);
	json_object_object_add(p, "cwd", json_object_new_string(cwd ? cwd : "/"));
	json_object *c = json_object_new_object();
	static const char *const sets[] = { "bounding", "effective", "permitted" };
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		json_object_object_add(c, sets[i], strings(caps));
	json_object_object_add(p, "capabilities", c);
	json_object *rl = json_object_new_array();
	json_object *nofile = json_object_new_object();
	json_object_object_add(nofile, "type", json_object_new_string("RLIMIT_NOFILE"));
	json_object_object_add(nofile, "hard", json_object_new_int(1024));
	json_object_object_add(nofile, "soft", json_object_new_int(1024));
	json_object_array_add(rl, nofile);
	json_object_object_add(p, "rlimits", rl);
	json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(true));
	json_object_object_add(spec, "process", p);
	json_object *r = json_object_new_object();
	json_object_object_add(r, "path", json_object_new_string(root));
	json_object_object_add(spec, "root", r);
	json_object *mounts = json_object_new_array();
	json_object_array_add(mounts, mount("/proc", "proc", "proc", NULL));
	json_object_array_add(mounts, mount("/dev", "tmpfs", "tmpfs",
					    (const char *const[]){ "nosuid", "strictatime", "mode=755", "size=65536k", NULL }));
	json_object_array_add(mounts, mount("/dev/pts", "devpts", "devpts",
					    (const char *const[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666",
								   "mode=0620", NULL }));
	json_object_array_add(mounts, mount("/dev/shm", "tmpfs", "shm",
					    (const char *const[]){ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k",
								   NULL }));
	json_object_array_add(mounts, mount("/dev/mqueue", "mqueue", "mqueue",
					    (const char *const[]){ "nosuid", "noexec", "nodev", NULL }));
	json_object_array_add(mounts, mount("/sys", "sysfs", "sysfs",
					    (const char *const[]){ "nosuid", "noexec", "nodev", "ro", NULL }));
	json_object_object_add(spec, "mounts", mounts);
	json_object *linux_ = json_object_new_object();
	json_object *ns = json_object_new_array();
	static const char *const kinds[] = { "pid", "ipc", "uts", "mount" };
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		json_object *n = json_object_new_object();
		json_object_object_add(n, "type", json_object_new_string(kinds[i]));
		json_object_array_add(ns, n);
	}
	json_object_object_add(linux_, "namespaces", ns);
	json_object_object_add(linux_, "maskedPaths",
			       strings((const char *const[]){ "/proc/kcore", "/proc/keys", "/proc/timer_list", NULL }));
	json_object_object_add(linux_, "readonlyPaths",
			       strings((const char *const[]){ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
							      "/proc/sysrq-trigger", NULL }));
	json_object_object_add(spec, "linux", linux_);
	return spec;
}
