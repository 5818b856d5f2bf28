/* netnscfg_netlink.h: the few rtnetlink requests netnscfg needs.
 *
 * Moving a NIC into a container's network namespace and giving it an IPv4
 * address and a default route (../shared/spec/gcstools.md §9.2) takes five
 * messages: get link, set link (flags, MTU, namespace by pid), add address,
 * add route. Written against <linux/rtnetlink.h> directly: each request is
 * sent with NLM_F_ACK and the kernel's errno comes back as the result. A
 * socket belongs to the namespace it was created in, so open a new one
 * after setns(). */
#ifndef LCOW_NETNSCFG_NETLINK_H
#define LCOW_NETNSCFG_NETLINK_H

#include <netinet/in.h>
#include <stdint.h>

struct rtnl {
	int fd;
	uint32_t seq;
};

int rtnl_open(struct rtnl *nl);
void rtnl_close(struct rtnl *nl);

struct rtnl_link {
	int index;
	unsigned flags; /* IFF_* */
	int mtu;
};

/* Looks a link up by name: 0, or -ENODEV when there is none. */
int rtnl_link_get(struct rtnl *nl, const char *name, struct rtnl_link *out);
/* IFF_UP on or off. */
int rtnl_link_set_up(struct rtnl *nl, int index, int up);
int rtnl_link_set_mtu(struct rtnl *nl, int index, int mtu);
/* Moves the link into the network namespace of process pid. */
int rtnl_link_set_netns_pid(struct rtnl *nl, int index, int pid);
/* Adds addr/prefix (IPv4) to the link. */
int rtnl_addr_add4(struct rtnl *nl, int index, struct in_addr addr, int prefix);
/* Adds 0.0.0.0/0 via gw on the link, scope universe, main table. */
int rtnl_route_add_default4(struct rtnl *nl, int index, struct in_addr gw, uint32_t metric);

#endif
