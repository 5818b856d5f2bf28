/* oci_settings.c: host container documents → structs (see oci_settings.h). */
#include "lib/oci_settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/oci_json.h"
#include "lib/oci_path.h"

static int parse_decimal(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	if (!*s || strlen(s) > 10)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int oci_device_id_parse(const char *s, struct oci_device_id *out)
{
	if (!s)
		return err_setmsg(-EINVAL, "missing device id");
	const char *num = s;
	out->kind = OCI_DEVICE_SCSI;
	uint32_t max = 127; /* §7.2: a signed 8-bit LUN */
	if (strncmp(s, "scsi:", 5) == 0) {
		num = s + 5;
	} else if (strncmp(s, "pmem:", 5) == 0) {
		num = s + 5;
		out->kind = OCI_DEVICE_PMEM;
		max = 4095;
	}
	if (parse_decimal(num, max, &out->number) < 0)
		return err_setmsg(-EINVAL, "invalid device id \"%.64s\"", s);
	return 0;
}

static int get_array(json_object *obj, const char *key, json_object **arr, size_t *n)
{
	*arr = oci_json_get(obj, key);
	*n = 0;
	if (!*arr)
		return 0;
	if (!json_object_is_type(*arr, json_type_array))
		return err_setmsg(-EINVAL, "%s: expected an array", key);
	*n = json_object_array_length(*arr);
	if (*n > 4096)
		return err_setmsg(-E2BIG, "%s: too many entries", key);
	return 0;
}

static int parse_v3_disk(json_object *o, struct oci_v3_mapped_disk *d)
{
	uint64_t lun;
	int r;
	if ((r = oci_json_get_string(o, "ContainerPath", &d->container_path)) < 0 ||
	    (r = oci_json_get_u64(o, "Lun", 255, &lun)) < 0 ||
	    (r = oci_json_get_bool(o, "CreateInUtilityVM", &d->create_in_uvm)) < 0 ||
	    (r = oci_json_get_bool(o, "ReadOnly", &d->read_only)) < 0 ||
	    (r = oci_json_get_bool(o, "AttachOnly", &d->attach_only)) < 0)
		return r;
	d->lun = (uint8_t)lun;
	if (!d->attach_only && (r = oci_path_check_absolute("ContainerPath", d->container_path)) < 0)
		return r;
	return 0;
}

static int parse_v3_dir(json_object *o, struct oci_v3_mapped_dir *d)
{
	uint64_t port;
	int r;
	if ((r = oci_json_get_string(o, "ContainerPath", &d->container_path)) < 0 ||
	    (r = oci_json_get_u64(o, "Port", UINT32_MAX, &port)) < 0 ||
	    (r = oci_json_get_bool(o, "CreateInUtilityVM", &d->create_in_uvm)) < 0 ||
	    (r = oci_json_get_bool(o, "ReadOnly", &d->read_only)) < 0)
		return r;
	d->port = (uint32_t)port;
	return oci_path_check_absolute("ContainerPath", d->container_path);
}

void oci_v3_settings_free(struct oci_v3_settings *s)
{
	free(s->layers);
	free(s->disks);
	free(s->dirs);
	memset(s, 0, sizeof(*s));
}

int oci_v3_settings_parse(json_object *obj, struct oci_v3_settings *out)
{
	memset(out, 0, sizeof(*out));
	if (!obj || !json_object_is_type(obj, json_type_object))
		return err_setmsg(-EINVAL, "container settings: expected an object");
	json_object *arr;
	size_t n;
	int r;
	if ((r = get_array(obj, "Layers", &arr, &n)) < 0)
		return r;
	out->layers = calloc(n + 1, sizeof(*out->layers));
	if (!out->layers)
		return err_set(-ENOMEM, "parsing layers");
	for (size_t i = 0; i < n; i++) {
		const char *path;
		if ((r = oci_json_get_string(json_object_array_get_idx(arr, i), "Path", &path)) < 0 ||
		    (r = oci_device_id_parse(path, &out->layers[i])) < 0) {
			oci_v3_settings_free(out);
			return err_wrap(r, "layer %zu", i);
		}
	}
	out->n_layers = n;
	const char *scratch;
	if ((r = oci_json_get_string(obj, "SandboxDataPath", &scratch)) < 0) {
		oci_v3_settings_free(out);
		return r;
	}
	if (scratch && *scratch) {
		if ((r = oci_device_id_parse(scratch, &out->scratch)) < 0) {
			oci_v3_settings_free(out);
			return err_wrap(r, "SandboxDataPath");
		}
		out->has_scratch = true;
	}
	if ((r = get_array(obj, "MappedVirtualDisks", &arr, &n)) < 0 ||
	    !(out->disks = calloc(n + 1, sizeof(*out->disks)))) {
		oci_v3_settings_free(out);
		return r < 0 ? r : err_set(-ENOMEM, "parsing mapped disks");
	}
	for (size_t i = 0; i < n; i++) {
		if ((r = parse_v3_disk(json_object_array_get_idx(arr, i), &out->disks[i])) < 0) {
			oci_v3_settings_free(out);
			return err_wrap(r, "mapped disk %zu", i);
		}
	}
	out->n_disks = n;
	if ((r = get_array(obj, "MappedDirectories", &arr, &n)) < 0 ||
	    !(out->dirs = calloc(n + 1, sizeof(*out->dirs)))) {
		oci_v3_settings_free(out);
		return r < 0 ? r : err_set(-ENOMEM, "parsing mapped directories");
	}
	for (size_t i = 0; i < n; i++) {
		if ((r = parse_v3_dir(json_object_array_get_idx(arr, i), &out->dirs[i])) < 0) {
			oci_v3_settings_free(out);
			return err_wrap(r, "mapped directory %zu", i);
		}
	}
	out->n_dirs = n;
	return 0;
}

int oci_v4_create_parse(json_object *obj, struct oci_v4_create *out)
{
	memset(out, 0, sizeof(*out));
	if (!obj || !json_object_is_type(obj, json_type_object))
		return err_setmsg(-EINVAL, "container config: expected an object");
	json_object *ver = oci_json_get(obj, "SchemaVersion");
	uint64_t major = 0, minor = 0;
	int r;
	if ((r = oci_json_get_u64(ver, "Major", UINT32_MAX, &major)) < 0 ||
	    (r = oci_json_get_u64(ver, "Minor", UINT32_MAX, &minor)) < 0)
		return err_wrap(r, "SchemaVersion");
	if (major < 2 || (major == 2 && minor < 1))
		return err_setmsg(-EPROTO, "schema version %llu.%llu is below 2.1",
				  (unsigned long long)major, (unsigned long long)minor);
	if ((r = oci_json_get_string(obj, "OciBundlePath", &out->bundle_path)) < 0 ||
	    (r = oci_json_get_string(obj, "ScratchDirPath", &out->scratch_dir_path)) < 0)
		return r;
	if ((r = oci_path_check_absolute("OciBundlePath", out->bundle_path)) < 0)
		return r;
	if (out->scratch_dir_path && !*out->scratch_dir_path)
		out->scratch_dir_path = NULL;
	if (out->scratch_dir_path && (r = oci_path_check_absolute("ScratchDirPath", out->scratch_dir_path)) < 0)
		return r;
	out->spec = oci_json_get(obj, "OciSpecification");
	if (!out->spec || !json_object_is_type(out->spec, json_type_object))
		return err_setmsg(-EINVAL, "OciSpecification is missing");
	return 0;
}

static const struct {
	const char *name;
	enum oci_modify_resource r;
} resource_names[] = {
	{ "MappedVirtualDisk", OCI_RES_MAPPED_VIRTUAL_DISK },
	{ "SCSIDevice", OCI_RES_SCSI_DEVICE },
	{ "MappedDirectory", OCI_RES_MAPPED_DIRECTORY },
	{ "VPMemDevice", OCI_RES_VPMEM_DEVICE },
	{ "CombinedLayers", OCI_RES_COMBINED_LAYERS },
	{ "ContainerConstraints", OCI_RES_CONTAINER_CONSTRAINTS },
	{ "Network", OCI_RES_NETWORK },
	{ "VPCIDevice", OCI_RES_VPCI_DEVICE },
	{ "PodCgroupMemoryLimit", OCI_RES_POD_CGROUP_MEMORY_LIMIT },
	{ "SecurityPolicy", OCI_RES_SECURITY_POLICY },
	{ "SecurityPolicyFragment", OCI_RES_SECURITY_POLICY },
};

const char *oci_modify_resource_name(enum oci_modify_resource r)
{
	for (size_t i = 0; i < ARRAY_SIZE(resource_names); i++)
		if (resource_names[i].r == r)
			return resource_names[i].name;
	return "?";
}

void oci_modify_free(struct oci_modify *m)
{
	free(m->options);
	free(m->layers);
	m->options = NULL;
	m->layers = NULL;
}

static int string_array(json_object *obj, const char *key, const char *inner, const char ***out, size_t *n_out)
{
	json_object *arr;
	size_t n;
	int r = get_array(obj, key, &arr, &n);
	if (r < 0)
		return r;
	const char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return err_set(-ENOMEM, "parsing %s", key);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (inner)
			r = oci_json_get_string(e, inner, &v[i]);
		else if (!json_object_is_type(e, json_type_string))
			r = err_setmsg(-EINVAL, "%s[%zu]: expected a string", key, i);
		else
			v[i] = json_object_get_string(e);
		if (r == 0 && !v[i])
			r = err_setmsg(-EINVAL, "%s[%zu]: missing", key, i);
		if (r < 0) {
			free(v);
			return r;
		}
	}
	*out = v;
	*n_out = n;
	return 0;
}

static int parse_v4_settings(struct oci_modify *m)
{
	json_object *s = m->settings;
	uint64_t v;
	int r;
	switch (m->resource) {
	case OCI_RES_MAPPED_VIRTUAL_DISK:
		if ((r = oci_json_get_string(s, "MountPath", &m->mount_path)) < 0 ||
		    (r = oci_json_get_u64(s, "Lun", 255, &v)) < 0)
			return r;
		m->lun = (uint8_t)v;
		if ((r = oci_json_get_u64(s, "Controller", 3, &v)) < 0)
			return r;
		m->controller = (uint8_t)v;
		if ((r = oci_json_get_u64(s, "Partition", UINT64_MAX, &m->partition)) < 0 ||
		    (r = oci_json_get_bool(s, "ReadOnly", &m->read_only)) < 0 ||
		    (r = oci_json_get_bool(s, "Encrypted", &m->encrypted)) < 0 ||
		    (r = oci_json_get_bool(s, "BlockDev", &m->block_dev)) < 0 ||
		    (r = oci_json_get_bool(s, "EnsureFilesystem", &m->ensure_filesystem)) < 0 ||
		    (r = oci_json_get_string(s, "Filesystem", &m->filesystem)) < 0 ||
		    (r = string_array(s, "Options", NULL, &m->options, &m->n_options)) < 0)
			return r;
		/* V3-style keys inside an RS4 v2Request (§3.5.5 (b)). */
		if (!m->mount_path && (r = oci_json_get_string(s, "ContainerPath", &m->mount_path)) < 0)
			return r;
		if (m->mount_path && *m->mount_path)
			return oci_path_check_absolute("MountPath", m->mount_path);
		m->mount_path = NULL;
		return 0;
	case OCI_RES_SCSI_DEVICE:
		if ((r = oci_json_get_u64(s, "Lun", 255, &v)) < 0)
			return r;
		m->lun = (uint8_t)v;
		if ((r = oci_json_get_u64(s, "Controller", 3, &v)) < 0)
			return r;
		m->controller = (uint8_t)v;
		return 0;
	case OCI_RES_MAPPED_DIRECTORY:
		if ((r = oci_json_get_string(s, "MountPath", &m->mount_path)) < 0 ||
		    (r = oci_json_get_u64(s, "Port", UINT32_MAX, &v)) < 0 ||
		    (r = oci_json_get_string(s, "ShareName", &m->share_name)) < 0 ||
		    (r = oci_json_get_bool(s, "ReadOnly", &m->read_only)) < 0)
			return r;
		m->port = (uint32_t)v;
		if (!m->mount_path && (r = oci_json_get_string(s, "ContainerPath", &m->mount_path)) < 0)
			return r;
		return oci_path_check_absolute("MountPath", m->mount_path);
	case OCI_RES_VPMEM_DEVICE: {
		if ((r = oci_json_get_string(s, "MountPath", &m->mount_path)) < 0 ||
		    (r = oci_json_get_u64(s, "DeviceNumber", 4095, &v)) < 0)
			return r;
		m->device_number = (uint32_t)v;
		json_object *mi = oci_json_get(s, "MappingInfo");
		if (mi) {
			m->has_mapping = true;
			if ((r = oci_json_get_u64(mi, "DeviceOffsetInBytes", UINT64_MAX, &m->mapping_offset)) < 0 ||
			    (r = oci_json_get_u64(mi, "DeviceSizeInBytes", UINT64_MAX, &m->mapping_size)) < 0)
				return r;
			if (m->mapping_offset % 512 || m->mapping_size % 512 || !m->mapping_size)
				return err_setmsg(-EINVAL, "MappingInfo: offset and size must be non-zero multiples of 512");
		}
		return oci_path_check_absolute("MountPath", m->mount_path);
	}
	case OCI_RES_COMBINED_LAYERS:
		if ((r = oci_json_get_string(s, "ContainerID", &m->container_id)) < 0 ||
		    (r = oci_json_get_string(s, "ContainerRootPath", &m->root_path)) < 0 ||
		    (r = oci_json_get_string(s, "ScratchPath", &m->scratch_path)) < 0 ||
		    (r = string_array(s, "Layers", "Path", &m->layers, &m->n_layers)) < 0)
			return r;
		if ((r = oci_path_check_absolute("ContainerRootPath", m->root_path)) < 0)
			return r;
		if (m->scratch_path && !*m->scratch_path)
			m->scratch_path = NULL;
		if (m->scratch_path && (r = oci_path_check_absolute("ScratchPath", m->scratch_path)) < 0)
			return r;
		for (size_t i = 0; i < m->n_layers; i++)
			if ((r = oci_path_check_absolute("layer path", m->layers[i])) < 0)
				return r;
		return 0;
	case OCI_RES_CONTAINER_CONSTRAINTS:
		m->linux_resources = oci_json_get(s, "Linux");
		return 0;
	default:
		return 0;
	}
}

int oci_modify_parse(json_object *request, int protocol, struct oci_modify *out)
{
	memset(out, 0, sizeof(*out));
	json_object *req = oci_json_get(request, "Request");
	bool v1_shape = protocol < 4;
	if (!req && protocol < 4) {
		req = oci_json_get(request, "v2Request");
		v1_shape = false;
	}
	if (!req || !json_object_is_type(req, json_type_object))
		return err_setmsg(-EINVAL, "ModifySettings: missing Request");
	const char *rt, *type;
	int r;
	if ((r = oci_json_get_string(req, "ResourceType", &rt)) < 0 ||
	    (r = oci_json_get_string(req, "RequestType", &type)) < 0)
		return r;
	if (!type || !*type || strcasecmp(type, "Add") == 0)
		out->request = OCI_MODIFY_ADD;
	else if (strcasecmp(type, "Remove") == 0)
		out->request = OCI_MODIFY_REMOVE;
	else if (strcasecmp(type, "Update") == 0)
		out->request = OCI_MODIFY_UPDATE;
	else
		return err_setmsg(-EOPNOTSUPP, "unsupported RequestType %.32s", type);
	size_t i;
	for (i = 0; i < ARRAY_SIZE(resource_names); i++)
		if (rt && strcasecmp(rt, resource_names[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(resource_names))
		return err_setmsg(-EOPNOTSUPP, "unsupported ResourceType %.64s", rt ? rt : "(none)");
	out->resource = resource_names[i].r;
	out->settings = oci_json_get(req, "Settings");
	if (v1_shape) {
		/* §3.5.5 (a): only disks and directories, with V1 keys. */
		if (out->resource == OCI_RES_MAPPED_VIRTUAL_DISK) {
			struct oci_v3_mapped_disk d = { 0 };
			if ((r = parse_v3_disk(out->settings, &d)) < 0)
				return r;
			out->mount_path = d.container_path;
			out->lun = d.lun;
			out->read_only = d.read_only;
			out->create_in_uvm = d.create_in_uvm;
			out->attach_only = d.attach_only;
			return 0;
		}
		if (out->resource == OCI_RES_MAPPED_DIRECTORY) {
			struct oci_v3_mapped_dir d = { 0 };
			if ((r = parse_v3_dir(out->settings, &d)) < 0)
				return r;
			out->mount_path = d.container_path;
			out->port = d.port;
			out->read_only = d.read_only;
			out->create_in_uvm = d.create_in_uvm;
			return 0;
		}
		return err_setmsg(-EOPNOTSUPP, "ResourceType %s is not supported by protocol 3", rt);
	}
	r = parse_v4_settings(out);
	if (r < 0) {
		oci_modify_free(out);
		return err_wrap(r, "%s settings", rt);
	}
	return 0;
}
