/* oci_settings.h: the container-related documents the host sends, parsed
 * into plain structs (gcs-protocol.md §3.5.1, §3.5.2, §3.5.5, §7.2).
 *
 * Only shapes are checked here (types, ranges, absolute paths without ".."
 * components); what the paths mean is the service's business. Strings point
 * into the json-c tree the caller keeps alive, except where noted. */
#ifndef LCOW_OCI_SETTINGS_H
#define LCOW_OCI_SETTINGS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* §7.2 device ids: "scsi:<lun>", "<lun>" (SCSI, controller 0) or
 * "pmem:<n>". */
enum oci_device_kind { OCI_DEVICE_SCSI, OCI_DEVICE_PMEM };
struct oci_device_id {
	enum oci_device_kind kind;
	uint32_t number; /* lun or pmem device number */
};
int oci_device_id_parse(const char *s, struct oci_device_id *out);

/* §3.5.1 V3 mapped disk / mapped directory (also the V3 ModifySettings
 * payloads). */
struct oci_v3_mapped_disk {
	const char *container_path;
	uint8_t lun;
	bool create_in_uvm, read_only, attach_only;
};
struct oci_v3_mapped_dir {
	const char *container_path;
	uint32_t port;
	bool create_in_uvm, read_only;
};

struct oci_v3_settings {
	struct oci_device_id *layers;
	size_t n_layers;
	bool has_scratch;
	struct oci_device_id scratch;
	struct oci_v3_mapped_disk *disks;
	size_t n_disks;
	struct oci_v3_mapped_dir *dirs;
	size_t n_dirs;
};
/* Parses a VMHostedContainerSettings object. Arrays are malloc'd; strings
 * point into OBJ. */
int oci_v3_settings_parse(json_object *obj, struct oci_v3_settings *out);
void oci_v3_settings_free(struct oci_v3_settings *s);

/* §3.5.2 V4 ContainerConfig. */
struct oci_v4_create {
	const char *bundle_path;
	const char *scratch_dir_path; /* NULL when absent */
	json_object *spec;            /* borrowed from the parsed tree */
};
int oci_v4_create_parse(json_object *obj, struct oci_v4_create *out);

/* §3.5.5 ModifySettings, V3 (a)/(b) and V4 (c), in one shape. */
enum oci_modify_request { OCI_MODIFY_ADD, OCI_MODIFY_REMOVE, OCI_MODIFY_UPDATE };
enum oci_modify_resource {
	OCI_RES_MAPPED_VIRTUAL_DISK,
	OCI_RES_SCSI_DEVICE,
	OCI_RES_MAPPED_DIRECTORY,
	OCI_RES_VPMEM_DEVICE,
	OCI_RES_COMBINED_LAYERS,
	OCI_RES_CONTAINER_CONSTRAINTS,
	OCI_RES_NETWORK,
	OCI_RES_VPCI_DEVICE,
	OCI_RES_POD_CGROUP_MEMORY_LIMIT,
	OCI_RES_SECURITY_POLICY,
};
struct oci_modify {
	enum oci_modify_request request;
	enum oci_modify_resource resource;
	json_object *settings;          /* the raw Settings object */
	/* MappedVirtualDisk / SCSIDevice / MappedDirectory / VPMemDevice */
	const char *mount_path;         /* V3: ContainerPath */
	uint8_t controller, lun;
	uint64_t partition;
	bool read_only, block_dev, ensure_filesystem, encrypted;
	bool create_in_uvm, attach_only; /* V3 only */
	const char *filesystem;
	const char **options;           /* malloc'd array, strings borrowed */
	size_t n_options;
	uint32_t port;
	const char *share_name;
	uint32_t device_number;
	bool has_mapping;
	uint64_t mapping_offset, mapping_size;
	/* CombinedLayers */
	const char *container_id;
	const char *root_path;
	const char **layers;            /* malloc'd array, strings borrowed */
	size_t n_layers;
	const char *scratch_path;
	/* ContainerConstraints */
	json_object *linux_resources;
};
/* PROTOCOL is the negotiated version (3 or 4). REQUEST is the top-level
 * request object (it holds "Request" or the RS4 "v2Request"). */
int oci_modify_parse(json_object *request, int protocol, struct oci_modify *out);
void oci_modify_free(struct oci_modify *m);
const char *oci_modify_resource_name(enum oci_modify_resource r);

#endif
