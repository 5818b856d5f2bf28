/* netnscfg_netlink.c: hand-built rtnetlink requests (see netnscfg_netlink.h). */
#include "os/netnscfg_netlink.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NL_BUF 8192

struct request {
	struct nlmsghdr h;
	char body[1024];
};

int rtnl_open(struct rtnl *nl)
{
	nl->seq = 1;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(nl->fd);
		nl->fd = -1;
		return -e;
	}
	return 0;
}

void rtnl_close(struct rtnl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static void *req_init(struct request *r, uint16_t type, uint16_t flags, size_t fixed)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(fixed);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return NLMSG_DATA(&r->h);
}

static int add_attr(struct request *r, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->h.nlmsg_len);
	size_t need = RTA_LENGTH(len);
	if (off + RTA_ALIGN(need) > sizeof(*r))
		return -E2BIG;
	struct rtattr *a = (struct rtattr *)((char *)r + off);
	a->rta_type = type;
	a->rta_len = (unsigned short)need;
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = (uint32_t)(off + RTA_ALIGN(need));
	return 0;
}

/* Sends r and reads until the ACK (or error) for it; when reply is given,
 * the first data message is copied there. */
static int transact(struct rtnl *nl, struct request *r, void *reply, size_t replylen)
{
	r->h.nlmsg_seq = ++nl->seq;
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	if (sendto(nl->fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error; /* 0 is the ACK */
			}
			if (reply && replylen) {
				size_t len = h->nlmsg_len < replylen ? h->nlmsg_len : replylen;
				memcpy(reply, h, len);
				reply = NULL;
			}
		}
	}
}

int rtnl_link_get(struct rtnl *nl, const char *name, struct rtnl_link *out)
{
	struct request r;
	struct ifinfomsg *ifi = req_init(&r, RTM_GETLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	size_t len = strlen(name);
	if (len >= IFNAMSIZ)
		return -ENAMETOOLONG;
	int rc = add_attr(&r, IFLA_IFNAME, name, len + 1);
	if (rc < 0)
		return rc;
	char reply[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
	memset(reply, 0, sizeof(struct nlmsghdr));
	rc = transact(nl, &r, reply, sizeof(reply));
	if (rc < 0)
		return rc;
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	if (h->nlmsg_type != RTM_NEWLINK)
		return -ENODEV;
	struct ifinfomsg *got = NLMSG_DATA(h);
	out->index = got->ifi_index;
	out->flags = got->ifi_flags;
	out->mtu = 0;
	int alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*got)));
	for (struct rtattr *a = IFLA_RTA(got); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
		if (a->rta_type == IFLA_MTU && RTA_PAYLOAD(a) >= sizeof(uint32_t))
			memcpy(&out->mtu, RTA_DATA(a), sizeof(uint32_t));
	return 0;
}

static int link_change(struct rtnl *nl, int index, unsigned flags, unsigned change, uint16_t attr, const void *data,
		       size_t len)
{
	struct request r;
	struct ifinfomsg *ifi = req_init(&r, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	if (data) {
		int rc = add_attr(&r, attr, data, len);
		if (rc < 0)
			return rc;
	}
	return transact(nl, &r, NULL, 0);
}

int rtnl_link_set_up(struct rtnl *nl, int index, int up)
{
	return link_change(nl, index, up ? IFF_UP : 0, IFF_UP, 0, NULL, 0);
}

int rtnl_link_set_mtu(struct rtnl *nl, int index, int mtu)
{
	uint32_t v = (uint32_t)mtu;
	return link_change(nl, index, 0, 0, IFLA_MTU, &v, sizeof(v));
}

int rtnl_link_set_netns_pid(struct rtnl *nl, int index, int pid)
{
	uint32_t v = (uint32_t)pid;
	return link_change(nl, index, 0, 0, IFLA_NET_NS_PID, &v, sizeof(v));
}

int rtnl_addr_add4(struct rtnl *nl, int index, struct in_addr addr, int prefix)
{
	struct request r;
	struct ifaddrmsg *ifa = req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)index;
	int rc = add_attr(&r, IFA_LOCAL, &addr, sizeof(addr));
	if (rc == 0)
		rc = add_attr(&r, IFA_ADDRESS, &addr, sizeof(addr));
	if (rc < 0)
		return rc;
	return transact(nl, &r, NULL, 0);
}

int rtnl_route_add_default4(struct rtnl *nl, int index, struct in_addr gw, uint32_t metric)
{
	struct request r;
	struct rtmsg *rt = req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rt));
	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = 0;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	uint32_t oif = (uint32_t)index;
	int rc = add_attr(&r, RTA_GATEWAY, &gw, sizeof(gw));
	if (rc == 0)
		rc = add_attr(&r, RTA_OIF, &oif, sizeof(oif));
	if (rc == 0)
		rc = add_attr(&r, RTA_PRIORITY, &metric, sizeof(metric));
	if (rc < 0)
		return rc;
	return transact(nl, &r, NULL, 0);
}
