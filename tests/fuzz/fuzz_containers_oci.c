/* Fuzz target: every parser of host container documents (V3 hosted
 * settings, V4 ContainerConfig, ModifySettings for both protocols), spec
 * rewriting of whatever parses, runc log scanning and user resolution with
 * the input as passwd/group text. None may crash, leak or read out of
 * bounds on any input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/oci_json.h"
#include "lib/oci_process.h"
#include "lib/oci_runc_text.h"
#include "lib/oci_settings.h"
#include "lib/oci_spec.h"
#include "lib/oci_user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	free(oci_runc_log_last_error(text, size));
	free(oci_runc_stderr_last_line(text, size));
	(void)oci_runc_error_hresult(text);
	uint32_t uid, gid;
	(void)oci_user_resolve("www:staff", text, text, &uid, &gid);
	(void)oci_user_resolve("1000", text, text, &uid, &gid);

	json_object *o = NULL;
	if (oci_json_parse(text, size, &o) == 0) {
		struct oci_v3_settings s3;
		if (oci_v3_settings_parse(o, &s3) == 0)
			oci_v3_settings_free(&s3);
		struct oci_modify m;
		for (int proto = 3; proto <= 4; proto++)
			if (oci_modify_parse(o, proto, &m) == 0)
				oci_modify_free(&m);
		json_object *p = NULL;
		if (oci_process_from_parameters(o, &p) == 0)
			json_object_put(p);
		struct oci_v4_create c;
		json_object *spec = o;
		if (oci_v4_create_parse(o, &c) == 0)
			spec = c.spec;
		enum oci_kind kind;
		const char *sid;
		if (json_object_is_type(spec, json_type_object) && oci_spec_kind(spec, &kind, &sid) == 0) {
			struct oci_spec_context ctx = {
				.container_id = "c", .bundle = "/run/gcs/c/c", .uvm_hostname = "uvm",
				.sandbox_id = sid ? sid : "c", .sandbox_root = "/run/gcs/c/pod", .cgroup_parent = "/pods",
				.passwd = "www:x:33:34::/:/bin/sh\n", .group = "www-data:x:34:\n",
			};
			struct oci_spec_plan plan;
			if (oci_spec_prepare_v4(spec, kind, &ctx, &plan) == 0) {
				(void)oci_json_text(spec);
				oci_spec_plan_free(&plan);
			}
		}
		json_object_put(o);
	}
	free(text);
	return 0;
}
