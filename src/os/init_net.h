/* init_net.h: bringing up the loopback interface at boot
 * (../shared/spec/gcs-protocol.md §9.2 step 8), with ioctls on a
 * throw-away socket: no external `ip` binary, no netlink parsing. */
#ifndef LCOW_INIT_NET_H
#define LCOW_INIT_NET_H

/* Sets IFF_UP|IFF_RUNNING on "lo" through an AF_INET socket and again
 * through AF_INET6 (skipped when the kernel lacks IPv6). */
int init_loopback_up(void);

#endif
