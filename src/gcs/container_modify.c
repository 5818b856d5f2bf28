/* container_modify.c: ModifySettings (gcs-protocol.md §3.5.5, §4.1.6,
 * §4.2.9): SCSI disks, VPMem layers, overlays, Plan9 shares and container
 * constraints, each with its removal. Answered after the work is done. */
#include "gcs/container.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bridge_msg.h"
#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/bridge_proto.h"
#include "lib/oci_json.h"
#include "lib/oci_settings.h"
#include "os/ctr_devices.h"
#include "os/ctr_loop.h"
#include "os/ctr_mount.h"
#include "os/ctr_plan9.h"
#include "os/ctr_runc.h"
#include "os/gcs_transport.h"

/* §7.3 mount budget once the device is there. */
#define MOUNT_RETRY_MS 5000

int container_mount_scsi(uint8_t controller, uint8_t lun, uint64_t partition, const char *path, bool read_only,
			 const char *filesystem, bool ensure, const char *const *options, size_t n_options);
int container_mount_scsi(uint8_t controller, uint8_t lun, uint64_t partition, const char *path, bool read_only,
			 const char *filesystem, bool ensure, const char *const *options, size_t n_options)
{
	_cleanup_free_ char *dev = NULL;
	int r = ctr_scsi_find(controller, lun, partition, &dev);
	if (r < 0)
		return r;
	struct ctr_disk_mount m = {
		.dev = dev, .target = path, .read_only = read_only, .filesystem = filesystem,
		.ensure_filesystem = ensure, .options = options, .n_options = n_options, .retry_ms = MOUNT_RETRY_MS,
	};
	container_journal_add(path);
	if ((r = ctr_mount_disk(&m)) < 0) {
		container_journal_remove(path);
		return err_wrap(r, "SCSI controller %u lun %u", controller, lun);
	}
	return 0;
}

static int block_dev_link(uint8_t controller, uint8_t lun, uint64_t partition, const char *path)
{
	_cleanup_free_ char *dev = NULL;
	int r = ctr_scsi_find(controller, lun, partition, &dev);
	if (r < 0)
		return r;
	_cleanup_free_ char *parent = strdup(path);
	if (!parent)
		return -ENOMEM;
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if ((r = ctr_mkdir_p(parent, 0700)) < 0)
			return r;
	}
	if (symlink(dev, path) < 0)
		return err_set(-errno, "linking %s to %s", path, dev);
	return 0;
}

static int vpmem_add(const struct oci_modify *m)
{
	_cleanup_free_ char *dev = NULL, *slice = NULL;
	int r = ctr_pmem_find(m->device_number, &dev);
	if (r < 0)
		return r;
	/* §7.4 MappingInfo: several layers packed in one device. A read-only
	 * loop device over the slice stands in for the dm-linear target (same
	 * bytes, no device-mapper needed) and detaches itself on unmount. */
	if (m->has_mapping &&
	    (r = ctr_loop_attach(dev, m->mapping_offset, m->mapping_size, true, true, &slice)) < 0)
		return err_wrap(r, "pmem device %u", m->device_number);
	struct ctr_disk_mount dm = {
		.dev = slice ? slice : dev, .target = m->mount_path, .read_only = true, .filesystem = "ext4",
		.retry_ms = MOUNT_RETRY_MS,
	};
	container_journal_add(m->mount_path);
	if ((r = ctr_mount_disk(&dm)) < 0) {
		container_journal_remove(m->mount_path);
		if (slice)
			(void)ctr_loop_detach(slice);
		return err_wrap(r, "pmem device %u", m->device_number);
	}
	return 0;
}

static int unmount_recorded(const char *path)
{
	int r = ctr_unmount(path, true);
	if (r == 0)
		container_journal_remove(path);
	return r;
}

static int plan9_add(const char *path, uint32_t port, bool ro, const char *share)
{
	int fd = gcs_dial(port);
	if (fd < 0)
		return err_wrap(fd, "dialing the 9p server on port %u", port);
	container_journal_add(path);
	int r = ctr_plan9_mount(fd, path, ro, share);
	close(fd);
	if (r < 0)
		container_journal_remove(path);
	return r;
}

static int modify_uvm(struct gcs_request *req, const struct oci_modify *m)
{
	bool add = m->request == OCI_MODIFY_ADD;
	switch (m->resource) {
	case OCI_RES_MAPPED_VIRTUAL_DISK:
		if (m->encrypted)
			return err_setmsg(-EOPNOTSUPP, "encrypted SCSI disks are not supported");
		if (add) {
			if (!m->mount_path)
				return 0; /* attached only */
			if (m->block_dev)
				return block_dev_link(m->controller, m->lun, m->partition, m->mount_path);
			return container_mount_scsi(m->controller, m->lun, m->partition, m->mount_path, m->read_only,
						    m->filesystem, m->ensure_filesystem, m->options, m->n_options);
		}
		if (m->request == OCI_MODIFY_REMOVE)
			return m->mount_path ? unmount_recorded(m->mount_path) : 0;
		break;
	case OCI_RES_SCSI_DEVICE:
		if (m->request == OCI_MODIFY_REMOVE)
			return ctr_scsi_unplug(m->controller, m->lun);
		break;
	case OCI_RES_MAPPED_DIRECTORY:
		if (add)
			return plan9_add(m->mount_path, m->port, m->read_only, m->share_name);
		if (m->request == OCI_MODIFY_REMOVE)
			return unmount_recorded(m->mount_path);
		break;
	case OCI_RES_VPMEM_DEVICE:
		if (add)
			return vpmem_add(m);
		if (m->request == OCI_MODIFY_REMOVE)
			return unmount_recorded(m->mount_path);
		break;
	case OCI_RES_COMBINED_LAYERS:
		if (add) {
			container_journal_add(m->root_path);
			int r = ctr_mount_overlay(m->layers, m->n_layers, m->scratch_path, m->root_path);
			if (r < 0)
				container_journal_remove(m->root_path);
			return r;
		}
		if (m->request == OCI_MODIFY_REMOVE)
			return unmount_recorded(m->root_path);
		break;
	default:
		return container_fail(req, HR_E_NOTIMPL,
				      err_setmsg(-EOPNOTSUPP, "ResourceType %s is not supported by this guest",
						 oci_modify_resource_name(m->resource)));
	}
	return err_setmsg(-EOPNOTSUPP, "RequestType not supported for %s", oci_modify_resource_name(m->resource));
}

static int handle_modify_v4(struct gcs_request *req)
{
	struct oci_modify m;
	int r = oci_modify_parse(gcs_request_json(req), 4, &m);
	if (r < 0)
		return container_fail(req, r == -EOPNOTSUPP ? HR_E_FAIL : HR_INVALID_JSON, r);
	const char *id = gcs_request_container_id(req);
	if (m.resource == OCI_RES_CONTAINER_CONSTRAINTS) {
		struct container *c;
		if ((r = container_lookup(req, &c)) == 0) {
			int32_t hr = HR_E_FAIL;
			if (!m.linux_resources)
				r = 0;
			else if ((r = ctr_runc_update(c->id, m.linux_resources, &hr)) < 0)
				r = container_fail(req, hr, r);
			container_put(c);
		}
	} else if (!bridge_msg_is_null_guid(id)) {
		r = err_setmsg(-EOPNOTSUPP, "%s is not supported for containers", oci_modify_resource_name(m.resource));
	} else {
		r = modify_uvm(req, &m);
	}
	oci_modify_free(&m);
	return r;
}
GCS_HANDLER(container_modify_v4, BRIDGE_MSG_MODIFY_SETTINGS, GCS_MODE_V4, 0, handle_modify_v4);

/* ---- V3 (§4.1.6): mapped disks and directories of one container ---- */

int container_v3_map(struct container *c, bool directory, uint32_t key, const char *path, bool ro,
		     bool create_in_uvm, bool attach_only);
int container_v3_map(struct container *c, bool directory, uint32_t key, const char *path, bool ro,
		     bool create_in_uvm, bool attach_only)
{
	if (!create_in_uvm)
		return err_setmsg(-EOPNOTSUPP, "mapping straight into a container namespace is not supported");
	for (size_t i = 0; i < c->n_mappings; i++)
		if (c->mappings[i].directory == directory && c->mappings[i].key == key)
			return err_setmsg(-EEXIST, "%s %u is already mapped", directory ? "port" : "lun", key);
	if (!directory && attach_only)
		return 0;
	int r = directory ? plan9_add(path, key, ro, NULL)
			  : container_mount_scsi(0, (uint8_t)key, 0, path, ro, "ext4", false, NULL, 0);
	if (r < 0)
		return r;
	struct container_mapping *v = realloc(c->mappings, (c->n_mappings + 1) * sizeof(*v));
	char *copy = strdup(path);
	if (!v || !copy) {
		free(copy);
		if (v)
			c->mappings = v;
		(void)unmount_recorded(path);
		return err_set(-ENOMEM, "recording mapping %s", path);
	}
	c->mappings = v;
	v[c->n_mappings++] = (struct container_mapping){ copy, key, directory };
	return 0;
}

int container_v3_unmap(struct container *c, bool directory, uint32_t key);
int container_v3_unmap(struct container *c, bool directory, uint32_t key)
{
	for (size_t i = 0; i < c->n_mappings; i++) {
		if (c->mappings[i].directory != directory || c->mappings[i].key != key)
			continue;
		int r = ctr_unmount(c->mappings[i].path, false);
		if (r < 0)
			return r;
		container_journal_remove(c->mappings[i].path);
		if (!directory)
			(void)ctr_scsi_unplug(0, (uint8_t)key);
		free(c->mappings[i].path);
		c->mappings[i] = c->mappings[--c->n_mappings];
		return 0;
	}
	log_warn("removing %s %u that is not mapped", directory ? "port" : "lun", key);
	return 0;
}

static int handle_modify_v3(struct gcs_request *req)
{
	struct container *c;
	int r = container_lookup(req, &c);
	if (r < 0)
		return r;
	struct oci_modify m;
	if ((r = oci_modify_parse(gcs_request_json(req), 3, &m)) < 0) {
		container_put(c);
		return container_fail(req, r == -EOPNOTSUPP ? HR_E_FAIL : HR_INVALID_JSON, r);
	}
	bool dir = m.resource == OCI_RES_MAPPED_DIRECTORY;
	uint32_t key = dir ? m.port : m.lun;
	pthread_mutex_lock(&c->lock);
	if (m.request == OCI_MODIFY_ADD)
		r = container_v3_map(c, dir, key, m.mount_path, m.read_only, m.create_in_uvm, m.attach_only);
	else if (m.request == OCI_MODIFY_REMOVE)
		r = container_v3_unmap(c, dir, key);
	else
		r = err_setmsg(-EOPNOTSUPP, "Update is not supported");
	pthread_mutex_unlock(&c->lock);
	oci_modify_free(&m);
	container_put(c);
	return r;
}
GCS_HANDLER(container_modify_v3, BRIDGE_MSG_MODIFY_SETTINGS, GCS_MODE_V3, 0, handle_modify_v3);
