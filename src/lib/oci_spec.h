/* oci_spec.h: rewriting the host's OCI spec for runc (gcs-protocol.md §6.1).
 *
 * The spec is edited in place as a json-c tree so every member the guest does
 * not know survives into config.json (§0.2, DESIGN.md "JSON"). The functions
 * here only decide; files and directories they ask for are made by the
 * caller (src/gcs), which keeps this layer pure and unit-testable. */
#ifndef LCOW_OCI_SPEC_H
#define LCOW_OCI_SPEC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

enum oci_kind { OCI_KIND_STANDALONE, OCI_KIND_SANDBOX, OCI_KIND_WORKLOAD };

/* §4.2.1 step 2: classify by io.kubernetes.cri.container-type. For a
 * workload *SANDBOX_ID is the io.kubernetes.cri.sandbox-id annotation. */
int oci_spec_kind(json_object *spec, enum oci_kind *kind, const char **sandbox_id);

struct oci_spec_context {
	const char *container_id;
	const char *bundle;        /* OciBundlePath: root for hostname/hosts/resolv.conf */
	const char *uvm_hostname;  /* used when spec.hostname is empty */
	const char *sandbox_id;    /* workload: the pod's id; sandbox: its own id */
	const char *sandbox_root;  /* workload: the sandbox's bundle */
	const char *cgroup_parent; /* "/pods" (CURRENT) */
	const char *passwd;        /* <rootfs>/etc/passwd contents or NULL */
	const char *group;         /* <rootfs>/etc/group contents or NULL */
};

struct oci_spec_plan {
	char *hostname;            /* resolved hostname (malloc'd) */
	bool write_hostname, write_hosts, write_resolv; /* files under ctx.bundle */
	char **mkdirs;             /* sandbox mount sources to create (0777) */
	size_t n_mkdirs;
	bool owns_pid_namespace;
};
void oci_spec_plan_free(struct oci_spec_plan *p);

/* §6.1.2-6.1.4: rewrites SPEC for a V4 container of KIND. */
int oci_spec_prepare_v4(json_object *spec, enum oci_kind kind, const struct oci_spec_context *ctx,
			struct oci_spec_plan *plan);

/* §6.1.5 applied to a process object: resolves process.user.username into
 * uid/gid using the passwd/group texts and removes the name. No username →
 * nothing to do. */
int oci_process_resolve_user(json_object *process, const char *passwd, const char *group);

/* §8.5 hosts file text (malloc'd). */
char *oci_hosts_file(const char *hostname);

/* Whether SPEC already mounts something at DESTINATION. */
bool oci_spec_has_mount(json_object *spec, const char *destination);

/* §6.2: true iff linux.namespaces has a pid entry with an empty path. */
bool oci_spec_owns_pid_namespace(json_object *spec);

/* Whether SPEC has at least one hook of KIND ("poststart", "poststop",
 * ...): the GCS leaves start and delete to the runtime then, which runs
 * them. */
bool oci_spec_has_hooks(json_object *spec, const char *kind);

/* root.path, or NULL. */
const char *oci_spec_root_path(json_object *spec);

/* process.terminal */
bool oci_spec_terminal(json_object *process);

#endif
