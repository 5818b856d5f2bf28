/* netnscfg.c: `gcstools netnscfg -if IFNAME -nspid PID -cfg JSON`: move a NIC
 * into a container's network namespace and configure it
 * (../shared/spec/gcstools.md §9, gcs-protocol.md §8.1).
 *
 * Steps of §9.2: set the link down in the current namespace, move it to the
 * namespace of PID, enter that namespace, find the link by name again,
 * lower the MTU by EncapOverhead, then either a static IPv4 address with an
 * optional default route (NatEnabled) or DHCP through busybox udhcpc. Log
 * lines go to stderr (the GCS captures them); a failure prints
 * "netnscfg returned: <error>" and exits 1, as in SEED. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gcstools/command.h"
#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/netnscfg_adapter.h"
#include "lib/goflag.h"
#include "os/netnscfg_netlink.h"
#include "os/remotefs_log.h"

extern char **environ;

#define UDHCPC_TIMEOUT_SECONDS 30

static void close_rtnl(struct rtnl *nl) { rtnl_close(nl); }

static int parse_ipv4(const char *what, const char *s, struct in_addr *out)
{
	if (inet_pton(AF_INET, s, out) != 1)
		return err_setmsg(-EINVAL, "%s %s is not an IPv4 address", what, s);
	return 0;
}

/* Runs udhcpc inside the (already entered) namespace, with a time limit. */
static int run_udhcpc(const char *udhcpc, const char *ifname, const char *script)
{
	char *argv[] = {(char *)udhcpc, "-q", "-i", (char *)ifname, "-s", (char *)script, NULL};
	pid_t pid;
	int r = posix_spawnp(&pid, udhcpc, NULL, NULL, argv, environ);
	if (r != 0)
		return err_set(-r, "udhcpc failed: starting %s", udhcpc);
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int status;
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				return 0;
			if (WIFEXITED(status))
				return err_setmsg(-EIO, "udhcpc failed: exit status %d", WEXITSTATUS(status));
			return err_setmsg(-EIO, "udhcpc failed: killed by signal %d", WTERMSIG(status));
		}
		if (w < 0 && errno != EINTR)
			return err_set(-errno, "udhcpc failed: waiting");
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= UDHCPC_TIMEOUT_SECONDS) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return err_setmsg(-ETIMEDOUT, "udhcpc timed out");
		}
		nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
	}
}

static int configure(const char *ifname, int nspid, const struct netnscfg_adapter *cfg, const char *udhcpc,
		     const char *script)
{
	int r;
	struct rtnl_link link;
	{
		__attribute__((cleanup(close_rtnl))) struct rtnl nl = {.fd = -1};
		if ((r = rtnl_open(&nl)) < 0)
			return err_set(r, "opening rtnetlink");
		if ((r = rtnl_link_get(&nl, ifname, &link)) < 0)
			return err_set(r, "looking up link %s", ifname);
		if ((r = rtnl_link_set_up(&nl, link.index, 0)) < 0)
			return err_set(r, "setting link %s down", ifname);
		if ((r = rtnl_link_set_netns_pid(&nl, link.index, nspid)) < 0)
			return err_set(r, "moving link %s into the network namespace of pid %d", ifname, nspid);
		log_info("moved %s into the network namespace of pid %d", ifname, nspid);
	}

	char nspath[64];
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/net", nspid);
	_cleanup_close_ int nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return err_set(-errno, "opening %s", nspath);
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return err_set(-errno, "entering %s", nspath);

	__attribute__((cleanup(close_rtnl))) struct rtnl nl = {.fd = -1};
	if ((r = rtnl_open(&nl)) < 0)
		return err_set(r, "opening rtnetlink in the container namespace");
	if ((r = rtnl_link_get(&nl, ifname, &link)) < 0)
		return err_set(r, "looking up link %s in the container namespace", ifname);

	if (cfg->encap_overhead != 0) {
		int mtu = link.mtu - cfg->encap_overhead;
		if ((r = rtnl_link_set_mtu(&nl, link.index, mtu)) < 0)
			return err_set(r, "setting the MTU of %s to %d", ifname, mtu);
		log_info("MTU of %s: %d -> %d", ifname, link.mtu, mtu);
	}

	if (cfg->nat_enabled) {
		struct in_addr addr, gw;
		if ((r = parse_ipv4("AllocatedIpAddress", cfg->allocated_ip, &addr)) < 0)
			return r;
		if ((r = rtnl_link_set_up(&nl, link.index, 1)) < 0)
			return err_set(r, "setting link %s up", ifname);
		if ((r = rtnl_addr_add4(&nl, link.index, addr, cfg->host_ip_prefix_length)) < 0)
			return err_set(r, "adding address %s/%d to %s", cfg->allocated_ip, cfg->host_ip_prefix_length,
				       ifname);
		log_info("address %s/%d on %s", cfg->allocated_ip, cfg->host_ip_prefix_length, ifname);
		if (cfg->host_ip[0]) {
			if ((r = parse_ipv4("HostIpAddress", cfg->host_ip, &gw)) < 0)
				return r;
			if (!netnscfg_same_subnet(addr, cfg->host_ip_prefix_length, gw)) {
				/* So the kernel accepts the gateway as on-link. */
				if ((r = rtnl_addr_add4(&nl, link.index, gw, 32)) < 0)
					return err_set(r, "adding gateway address %s/32 to %s", cfg->host_ip, ifname);
				log_info("gateway %s is outside the subnet: added %s/32 to %s", cfg->host_ip,
					 cfg->host_ip, ifname);
			}
			uint32_t metric = netnscfg_route_metric(cfg);
			if ((r = rtnl_route_add_default4(&nl, link.index, gw, metric)) < 0)
				return err_set(r, "adding default route via %s on %s", cfg->host_ip, ifname);
			log_info("default route via %s dev %s metric %u", cfg->host_ip, ifname, metric);
		}
	} else {
		/* Up first, so udhcpc can send at once (the busybox script
		 * would bring it up on deconfig anyway). */
		if ((r = rtnl_link_set_up(&nl, link.index, 1)) < 0)
			return err_set(r, "setting link %s up", ifname);
		log_info("running %s -q -i %s -s %s", udhcpc, ifname, script);
		if ((r = run_udhcpc(udhcpc, ifname, script)) < 0)
			return r;
	}
	if ((r = rtnl_link_get(&nl, ifname, &link)) == 0)
		log_info("%s: index %d, %s, mtu %d", ifname, link.index, (link.flags & 1) ? "up" : "down", link.mtu);
	return 0;
}

static void usage(const char *prog, const struct goflag *flags, size_t n)
{
	fprintf(stderr, "Usage of %s:\n", prog);
	goflag_print_defaults(stderr, flags, n);
	fprintf(stderr,
		"\n"
		"Moves IFNAME from the current network namespace into the one of process PID and\n"
		"configures it from the adapter JSON: NatEnabled true gives a static address\n"
		"(AllocatedIpAddress/HostIpPrefixLength) and a default route via HostIpAddress\n"
		"(metric 1, or 500 with EnableLowMetric); false runs udhcpc. EncapOverhead lowers\n"
		"the MTU. Exit 0 on success, 1 on failure, 2 on bad flags.\n");
}

static int netnscfg_main(int argc, char **argv)
{
	const char *ifname = "", *cfgjson = "", *logfile = "-", *loglevel = "info";
	const char *udhcpc = "udhcpc", *script = "/sbin/udhcpc_config.script";
	long long nspid = -1;
	const struct goflag flags[] = {
		GOFLAG_STR("if", "IFNAME", "interface name in the current network namespace", &ifname),
		GOFLAG_INT("nspid", "PID", "pid of a process in the target network namespace (default -1)", &nspid),
		GOFLAG_STR("cfg", "JSON", "network adapter configuration (JSON)", &cfgjson),
		GOFLAG_STR("logfile", "FILE", "log destination, - for stderr", &logfile),
		GOFLAG_STR("loglevel", "LEVEL", "Logging Level: debug, info, warning, error, fatal, panic.", &loglevel),
		GOFLAG_STR("udhcpc", "PATH", "DHCP client to run when NatEnabled is false", &udhcpc),
		GOFLAG_STR("udhcpc-script", "PATH", "script udhcpc runs on DHCP events", &script),
	};
	const size_t nflags = sizeof(flags) / sizeof(flags[0]);
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	char msg[512];
	int first = argc;
	int pr = goflag_parse(flags, nflags, argc, argv, &first);
	if (pr < 0) {
		if (pr != -ECANCELED)
			fprintf(stderr, "%s\n", err_text());
		usage(prog, flags, nflags);
		return 2;
	}
	err_clear();
	enum tool_log_level level;
	if (tool_log_parse_level(loglevel, &level) < 0) {
		fprintf(stderr, "netnscfg returned: unknown log level %s\n", loglevel);
		return 1;
	}
	if (tool_log_open(logfile, level) < 0) {
		fprintf(stderr, "netnscfg returned: cannot open log file %s: %s\n", logfile, strerror(errno));
		return 1;
	}
	int r;
	if (!ifname[0] || nspid == -1 || !cfgjson[0]) {
		r = err_setmsg(-EINVAL, "All three arguments must be specified");
	} else if (nspid <= 0 || nspid > 0x7fffffff) {
		r = err_setmsg(-EINVAL, "invalid -nspid %lld", nspid);
	} else {
		struct netnscfg_adapter cfg;
		r = netnscfg_adapter_parse(cfgjson, &cfg, msg, sizeof(msg));
		if (r < 0)
			r = err_setmsg(r, "%s", msg);
		else
			r = configure(ifname, (int)nspid, &cfg, udhcpc, script);
	}
	if (r < 0) {
		/* The GCS shows this text to the host (§9.2). */
		tool_log(TOOL_LOG_FATAL, "netnscfg returned: %s", err_text());
		if (strcmp(logfile, "-") != 0)
			fprintf(stderr, "netnscfg returned: %s\n", err_text());
		tool_log_close();
		return 1;
	}
	tool_log_close();
	return 0;
}

GCSTOOLS_COMMAND(netnscfg, "netnscfg", "move a NIC into a container's network namespace and configure it",
		 netnscfg_main);
