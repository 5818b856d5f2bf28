/* Unit tests for host container documents (src/lib/oci_settings.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "lib/oci_json.h"
#include "lib/oci_settings.h"

static json_object *parse(const char *text)
{
	json_object *o = NULL;
	assert_int_equal(oci_json_parse(text, strlen(text), &o), 0);
	return o;
}

static void test_device_ids_of_each_form(void **state)
{
	(void)state;
	struct oci_device_id d;
	assert_int_equal(oci_device_id_parse("scsi:3", &d), 0);
	assert_int_equal(d.kind, OCI_DEVICE_SCSI);
	assert_int_equal(d.number, 3);
	assert_int_equal(oci_device_id_parse("7", &d), 0);
	assert_int_equal(d.kind, OCI_DEVICE_SCSI);
	assert_int_equal(d.number, 7);
	assert_int_equal(oci_device_id_parse("pmem:1", &d), 0);
	assert_int_equal(d.kind, OCI_DEVICE_PMEM);
	assert_int_equal(oci_device_id_parse("scsi:200", &d), -EINVAL);
	assert_int_equal(oci_device_id_parse("nvme:1", &d), -EINVAL);
	assert_int_equal(oci_device_id_parse("", &d), -EINVAL);
}

static void test_v3_settings_full_document(void **state)
{
	(void)state;
	json_object *o = parse("{\"Layers\":[{\"Path\":\"1\"},{\"Path\":\"scsi:2\"}],\"SandboxDataPath\":\"0\","
			       "\"MappedVirtualDisks\":[{\"ContainerPath\":\"/tmp/vol\",\"Lun\":3,\"CreateInUtilityVM\":true}],"
			       "\"MappedDirectories\":[{\"ContainerPath\":\"/tmp/share\",\"CreateInUtilityVM\":true,"
			       "\"ReadOnly\":true,\"Port\":50001}],\"NetworkAdapters\":[]}");
	struct oci_v3_settings s;
	assert_int_equal(oci_v3_settings_parse(o, &s), 0);
	assert_int_equal(s.n_layers, 2);
	assert_int_equal(s.layers[1].number, 2);
	assert_true(s.has_scratch);
	assert_int_equal(s.scratch.number, 0);
	assert_int_equal(s.n_disks, 1);
	assert_string_equal(s.disks[0].container_path, "/tmp/vol");
	assert_int_equal(s.disks[0].lun, 3);
	assert_true(s.disks[0].create_in_uvm);
	assert_int_equal(s.n_dirs, 1);
	assert_int_equal(s.dirs[0].port, 50001);
	assert_true(s.dirs[0].read_only);
	oci_v3_settings_free(&s);
	json_object_put(o);
}

static void test_v3_settings_without_scratch_and_bad_layer(void **state)
{
	(void)state;
	json_object *o = parse("{\"Layers\":[{\"Path\":\"1\"}],\"SandboxDataPath\":\"\"}");
	struct oci_v3_settings s;
	assert_int_equal(oci_v3_settings_parse(o, &s), 0);
	assert_false(s.has_scratch);
	oci_v3_settings_free(&s);
	json_object_put(o);
	o = parse("{\"Layers\":[{\"Path\":\"../1\"}]}");
	assert_int_equal(oci_v3_settings_parse(o, &s), -EINVAL);
	json_object_put(o);
}

static void test_v3_mapped_disk_path_must_not_escape(void **state)
{
	(void)state;
	json_object *o = parse("{\"MappedVirtualDisks\":[{\"ContainerPath\":\"/tmp/../etc\",\"Lun\":3}]}");
	struct oci_v3_settings s;
	assert_int_equal(oci_v3_settings_parse(o, &s), -EINVAL);
	json_object_put(o);
}

static void test_v4_create_needs_schema_2_1(void **state)
{
	(void)state;
	struct oci_v4_create c;
	json_object *o = parse("{\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"OciBundlePath\":\"/run/gcs/c/a\","
			       "\"OciSpecification\":{\"ociVersion\":\"1.0.2\"},\"ScratchDirPath\":\"/run/gcs/c/a/scratch/a\"}");
	assert_int_equal(oci_v4_create_parse(o, &c), 0);
	assert_string_equal(c.bundle_path, "/run/gcs/c/a");
	assert_string_equal(c.scratch_dir_path, "/run/gcs/c/a/scratch/a");
	assert_non_null(c.spec);
	json_object_put(o);
	o = parse("{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"OciBundlePath\":\"/x\",\"OciSpecification\":{}}");
	assert_int_equal(oci_v4_create_parse(o, &c), -EPROTO);
	json_object_put(o);
	o = parse("{\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"OciBundlePath\":\"/x\"}");
	assert_int_equal(oci_v4_create_parse(o, &c), -EINVAL);
	json_object_put(o);
}

static void test_v4_mapped_virtual_disk_add(void **state)
{
	(void)state;
	json_object *o = parse("{\"ContainerId\":\"00000000-0000-0000-0000-000000000000\",\"Request\":{"
			       "\"ResourceType\":\"MappedVirtualDisk\",\"RequestType\":\"Add\",\"Settings\":{"
			       "\"MountPath\":\"/run/mounts/scsi/m1\",\"Lun\":1,\"Controller\":0,\"ReadOnly\":true,"
			       "\"Options\":[\"ro\"]}}}");
	struct oci_modify m;
	assert_int_equal(oci_modify_parse(o, 4, &m), 0);
	assert_int_equal(m.resource, OCI_RES_MAPPED_VIRTUAL_DISK);
	assert_int_equal(m.request, OCI_MODIFY_ADD);
	assert_string_equal(m.mount_path, "/run/mounts/scsi/m1");
	assert_int_equal(m.lun, 1);
	assert_true(m.read_only);
	assert_int_equal(m.n_options, 1);
	assert_string_equal(m.options[0], "ro");
	oci_modify_free(&m);
	json_object_put(o);
}

static void test_v4_combined_layers_and_case_insensitive_keys(void **state)
{
	(void)state;
	json_object *o = parse("{\"request\":{\"resourcetype\":\"CombinedLayers\",\"Settings\":{"
			       "\"ContainerID\":\"c1\",\"ContainerRootPath\":\"/run/gcs/c/c1/rootfs\","
			       "\"Layers\":[{\"Path\":\"/run/mounts/scsi/m1\"},{\"Path\":\"/run/mounts/scsi/m2\"}],"
			       "\"ScratchPath\":\"/run/gcs/c/c1/scratch/c1\"}}}");
	struct oci_modify m;
	assert_int_equal(oci_modify_parse(o, 4, &m), 0);
	assert_int_equal(m.resource, OCI_RES_COMBINED_LAYERS);
	assert_string_equal(m.container_id, "c1");
	assert_int_equal(m.n_layers, 2);
	assert_string_equal(m.layers[1], "/run/mounts/scsi/m2");
	assert_string_equal(m.scratch_path, "/run/gcs/c/c1/scratch/c1");
	oci_modify_free(&m);
	json_object_put(o);
}

static void test_v4_vpmem_mapping_info(void **state)
{
	(void)state;
	json_object *o = parse("{\"Request\":{\"ResourceType\":\"VPMemDevice\",\"Settings\":{\"DeviceNumber\":2,"
			       "\"MountPath\":\"/run/layers/p2-4096-8192\",\"MappingInfo\":{\"DeviceOffsetInBytes\":4096,"
			       "\"DeviceSizeInBytes\":8192}}}}");
	struct oci_modify m;
	assert_int_equal(oci_modify_parse(o, 4, &m), 0);
	assert_int_equal(m.device_number, 2);
	assert_true(m.has_mapping);
	assert_int_equal(m.mapping_offset, 4096);
	assert_int_equal(m.mapping_size, 8192);
	oci_modify_free(&m);
	json_object_put(o);
}

static void test_v4_refuses_unknown_types_and_hostile_paths(void **state)
{
	(void)state;
	struct oci_modify m;
	json_object *o = parse("{\"Request\":{\"ResourceType\":\"HvSocket\",\"Settings\":{}}}");
	assert_int_equal(oci_modify_parse(o, 4, &m), -EOPNOTSUPP);
	json_object_put(o);
	o = parse("{\"Request\":{\"ResourceType\":\"MappedVirtualDisk\",\"RequestType\":\"Frobnicate\"}}");
	assert_int_equal(oci_modify_parse(o, 4, &m), -EOPNOTSUPP);
	json_object_put(o);
	o = parse("{\"Request\":{\"ResourceType\":\"MappedDirectory\",\"Settings\":{\"MountPath\":\"/run/../../etc\","
		  "\"Port\":564}}}");
	assert_int_equal(oci_modify_parse(o, 4, &m), -EINVAL);
	json_object_put(o);
	o = parse("{\"Request\":{\"ResourceType\":\"MappedVirtualDisk\",\"Settings\":{\"Lun\":-1}}}");
	assert_int_equal(oci_modify_parse(o, 4, &m), -EINVAL);
	json_object_put(o);
}

static void test_v3_request_uses_v1_keys(void **state)
{
	(void)state;
	json_object *o = parse("{\"Request\":{\"ResourceType\":\"MappedVirtualDisk\",\"RequestType\":\"Remove\","
			       "\"Settings\":{\"ContainerPath\":\"/tmp/vol\",\"Lun\":4,\"CreateInUtilityVM\":true}}}");
	struct oci_modify m;
	assert_int_equal(oci_modify_parse(o, 3, &m), 0);
	assert_int_equal(m.request, OCI_MODIFY_REMOVE);
	assert_string_equal(m.mount_path, "/tmp/vol");
	assert_int_equal(m.lun, 4);
	assert_true(m.create_in_uvm);
	oci_modify_free(&m);
	json_object_put(o);
	o = parse("{\"v2Request\":{\"ResourceType\":\"MappedDirectory\",\"Settings\":{\"MountPath\":\"/tmp/s\","
		  "\"Port\":5}}}");
	assert_int_equal(oci_modify_parse(o, 3, &m), 0);
	assert_string_equal(m.mount_path, "/tmp/s");
	assert_int_equal(m.port, 5);
	oci_modify_free(&m);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_ids_of_each_form),
		cmocka_unit_test(test_v3_settings_full_document),
		cmocka_unit_test(test_v3_settings_without_scratch_and_bad_layer),
		cmocka_unit_test(test_v3_mapped_disk_path_must_not_escape),
		cmocka_unit_test(test_v4_create_needs_schema_2_1),
		cmocka_unit_test(test_v4_mapped_virtual_disk_add),
		cmocka_unit_test(test_v4_combined_layers_and_case_insensitive_keys),
		cmocka_unit_test(test_v4_vpmem_mapping_info),
		cmocka_unit_test(test_v4_refuses_unknown_types_and_hostile_paths),
		cmocka_unit_test(test_v3_request_uses_v1_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
