/* netnscfg_adapter.c: NetworkAdapter JSON (see netnscfg_adapter.h). */
#include "lib/netnscfg_adapter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"

DEFINE_CLEANUP_FUNC(json_object, json_object_put)

static json_object *member(json_object *obj, const char *name)
{
	json_object *hit = NULL;
	json_object_object_foreach(obj, k, v) {
		if (strcasecmp(k, name) == 0)
			hit = v;
	}
	return hit;
}

static int get_string(json_object *o, const char *key, char *out, size_t outlen, char *msg, size_t msglen)
{
	json_object *v = member(o, key);
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(msg, msglen, "%s: want a string", key);
		return -EINVAL;
	}
	const char *s = json_object_get_string(v);
	if (strlen(s) >= outlen) {
		snprintf(msg, msglen, "%s: too long", key);
		return -EINVAL;
	}
	snprintf(out, outlen, "%s", s);
	return 0;
}

static int get_bool(json_object *o, const char *key, bool *out, char *msg, size_t msglen)
{
	json_object *v = member(o, key);
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		snprintf(msg, msglen, "%s: want a boolean", key);
		return -EINVAL;
	}
	*out = json_object_get_boolean(v);
	return 0;
}

static int get_uint(json_object *o, const char *key, int max, int *out, char *msg, size_t msglen)
{
	json_object *v = member(o, key);
	if (!v)
		return 0;
	int64_t x = json_object_get_int64(v);
	if (!json_object_is_type(v, json_type_int) || x < 0 || x > max) {
		snprintf(msg, msglen, "%s: want an integer from 0 to %d", key, max);
		return -EINVAL;
	}
	*out = (int)x;
	return 0;
}

int netnscfg_adapter_parse(const char *json, struct netnscfg_adapter *a, char *msg, size_t msglen)
{
	memset(a, 0, sizeof(*a));
	enum json_tokener_error jerr;
	_cleanup_(json_object_put_cleanup) json_object *root = json_tokener_parse_verbose(json, &jerr);
	if (!root || !json_object_is_type(root, json_type_object)) {
		snprintf(msg, msglen, "invalid adapter JSON: %s",
			 root ? "not an object" : json_tokener_error_desc(jerr));
		return -EINVAL;
	}
	int r;
	if ((r = get_string(root, "AdapterInstanceId", a->adapter_instance_id, sizeof(a->adapter_instance_id), msg,
			    msglen)) < 0 ||
	    (r = get_bool(root, "NatEnabled", &a->nat_enabled, msg, msglen)) < 0 ||
	    (r = get_string(root, "AllocatedIpAddress", a->allocated_ip, sizeof(a->allocated_ip), msg, msglen)) < 0 ||
	    (r = get_string(root, "HostIpAddress", a->host_ip, sizeof(a->host_ip), msg, msglen)) < 0 ||
	    (r = get_uint(root, "HostIpPrefixLength", 32, &a->host_ip_prefix_length, msg, msglen)) < 0 ||
	    (r = get_bool(root, "EnableLowMetric", &a->enable_low_metric, msg, msglen)) < 0 ||
	    (r = get_uint(root, "EncapOverhead", 65535, &a->encap_overhead, msg, msglen)) < 0)
		return r;
	return 0;
}

bool netnscfg_same_subnet(struct in_addr addr, int prefix, struct in_addr gw)
{
	uint32_t mask = prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
	return (ntohl(addr.s_addr) & mask) == (ntohl(gw.s_addr) & mask);
}

uint32_t netnscfg_route_metric(const struct netnscfg_adapter *a) { return a->enable_low_metric ? 500 : 1; }
