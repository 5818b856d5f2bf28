/* netnscfg_adapter.h: the SEED NetworkAdapter JSON that netnscfg receives
 * with -cfg, and the address arithmetic of its static configuration.
 *
 * Keys are matched case-insensitively and unknown keys ignored, as Go's
 * decoder did (../shared/spec/gcstools.md §9.1). Pure (json-c). */
#ifndef LCOW_NETNSCFG_ADAPTER_H
#define LCOW_NETNSCFG_ADAPTER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netnscfg_adapter {
	char adapter_instance_id[128];
	bool nat_enabled;
	char allocated_ip[64];
	char host_ip[64];
	int host_ip_prefix_length; /* 0..32 */
	bool enable_low_metric;
	int encap_overhead; /* 0..65535 */
};

/* 0, or -EINVAL with the reason in msg. */
int netnscfg_adapter_parse(const char *json, struct netnscfg_adapter *a, char *msg, size_t msglen);

/* Whether gw lies in addr/prefix. */
bool netnscfg_same_subnet(struct in_addr addr, int prefix, struct in_addr gw);

/* The route metric: 500 with EnableLowMetric, else 1. */
uint32_t netnscfg_route_metric(const struct netnscfg_adapter *a);

#endif
