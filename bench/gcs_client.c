/* gcs_client.c: raw-frame host used by bench/gcs.sh.
 *
 *   gcs_client DIR latency N      N x (ExecuteProcess /bin/true + WaitForProcess)
 *                                 interleaved with N x fork+exec+wait of /bin/true;
 *                                 prints both medians and the added time
 *   gcs_client DIR live N GCSPID  starts N `sleep` processes with stdin/stdout/
 *                                 stderr connected, prints the GCS's VmRSS, kills them
 *
 * It listens on DIR/1073741824 (the GCS runs with --transport unix:DIR),
 * negotiates protocol 4 and speaks frames directly, with no helper threads,
 * so the measured time is the GCS's. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"

static const char *dir;
static int bridge;
static uint64_t next_id = 1;

static void die(const char *what)
{
	fprintf(stderr, "gcs_client: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_port(uint32_t port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%u", dir, port);
	unlink(sa.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		die("listen");
	return fd;
}

static void read_exact(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		ssize_t n = read(fd, p, len);
		if (n <= 0)
			die("read");
		p += n;
		len -= (size_t)n;
	}
}

static uint64_t send_req(uint32_t type, const char *json)
{
	size_t len = strlen(json);
	uint8_t hdr[16];
	struct bridge_header h = { type, (uint32_t)(16 + len), next_id };
	bridge_header_encode(&h, hdr);
	struct iovec iov[2] = { { hdr, 16 }, { (void *)json, len } };
	if (writev(bridge, iov, 2) != (ssize_t)(16 + len))
		die("writev");
	return next_id++;
}

/* Reads one frame; returns its parsed payload. */
static struct json_object *recv_frame(uint64_t *id)
{
	uint8_t hdr[16];
	struct bridge_header h;
	read_exact(bridge, hdr, 16);
	bridge_header_decode(hdr, &h);
	char *buf = malloc(h.size - 16 + 1);
	read_exact(bridge, buf, h.size - 16);
	struct json_object *o = NULL;
	if (bj_parse_object(buf, h.size - 16, &o) < 0) {
		fprintf(stderr, "bad json\n");
		exit(1);
	}
	free(buf);
	*id = h.id;
	return o;
}

static struct json_object *call(uint32_t type, const char *json)
{
	uint64_t want = send_req(type, json), id;
	for (;;) {
		struct json_object *o = recv_frame(&id);
		if (id == want) {
			int32_t r = 0;
			bj_get_i32(o, "Result", &r);
			if (r != 0) {
				fprintf(stderr, "gcs_client: request failed: %s\n", bj_text(o, NULL));
				exit(1);
			}
			return o;
		}
		json_object_put(o);
	}
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static const char *exec_json(const char *argv_json, bool stdio, uint32_t port0)
{
	static char buf[1024];
	if (stdio)
		snprintf(buf, sizeof(buf),
			 "{\"ContainerId\":\"" BRIDGE_NULL_GUID "\",\"ActivityId\":\"" BRIDGE_NULL_GUID "\",\"Settings\":{"
			 "\"ProcessParameters\":\"{\\\"CommandArgs\\\":%s,\\\"CreateStdInPipe\\\":true,"
			 "\\\"CreateStdOutPipe\\\":true,\\\"CreateStdErrPipe\\\":true}\","
			 "\"VsockStdioRelaySettings\":{\"StdIn\":%u,\"StdOut\":%u,\"StdErr\":%u}}}",
			 argv_json, port0, port0 + 1, port0 + 2);
	else
		snprintf(buf, sizeof(buf),
			 "{\"ContainerId\":\"" BRIDGE_NULL_GUID "\",\"ActivityId\":\"" BRIDGE_NULL_GUID "\",\"Settings\":{"
			 "\"ProcessParameters\":\"{\\\"CommandArgs\\\":%s}\"}}",
			 argv_json);
	return buf;
}

static void wait_pid(uint32_t pid)
{
	char buf[256];
	snprintf(buf, sizeof(buf),
		 "{\"ContainerId\":\"" BRIDGE_NULL_GUID "\",\"ProcessId\":%u,\"TimeoutInMs\":4294967295}", pid);
	json_object_put(call(BRIDGE_MSG_WAIT_FOR_PROCESS, buf));
}

static void latency(int n)
{
	double *g = calloc((size_t)n, sizeof(double)), *d = calloc((size_t)n, sizeof(double));
	char *const argv[] = { "/bin/true", NULL };
	for (int i = 0; i < n; i++) {
		double t0 = now_us();
		struct json_object *r = call(BRIDGE_MSG_EXECUTE_PROCESS, exec_json("[\\\"/bin/true\\\"]", false, 0));
		uint32_t pid = 0;
		bj_get_u32(r, "ProcessId", &pid);
		json_object_put(r);
		wait_pid(pid);
		g[i] = now_us() - t0;
		t0 = now_us();
		pid_t c = fork();
		if (c == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
		waitpid(c, NULL, 0);
		d[i] = now_us() - t0;
	}
	qsort(g, (size_t)n, sizeof(double), cmp);
	qsort(d, (size_t)n, sizeof(double), cmp);
	printf("exec /bin/true through gcs: median %.0f us (p90 %.0f us)\n", g[n / 2], g[n * 9 / 10]);
	printf("fork+exec /bin/true directly: median %.0f us (p90 %.0f us)\n", d[n / 2], d[n * 9 / 10]);
	printf("added latency per process: %.3f ms (target <= 0.3 ms; reference Go GCS 0.6 ms)\n",
	       (g[n / 2] - d[n / 2]) / 1000.0);
	free(g);
	free(d);
}

static long rss_kb(const char *pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	FILE *f = fopen(path, "r");
	long v = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static void live(int n, const char *gcs_pid)
{
	printf("gcs RSS idle: %.2f MiB (target <= 1.5 MiB; reference Go GCS 6.7 MiB)\n", rss_kb(gcs_pid) / 1024.0);
	uint32_t *pids = calloc((size_t)n, sizeof(uint32_t));
	int *socks = calloc((size_t)n * 3, sizeof(int));
	uint32_t port = BRIDGE_VSOCK_PORT + 1;
	for (int i = 0; i < n; i++) {
		int l[3];
		for (int k = 0; k < 3; k++)
			l[k] = listen_port(port + (uint32_t)k);
		uint64_t want = send_req(BRIDGE_MSG_EXECUTE_PROCESS, exec_json("[\\\"sleep\\\",\\\"600\\\"]", true, port));
		for (int k = 0; k < 3; k++) {
			socks[i * 3 + k] = accept4(l[k], NULL, NULL, SOCK_CLOEXEC);
			close(l[k]);
		}
		uint64_t id;
		struct json_object *r;
		while ((r = recv_frame(&id)) && id != want)
			json_object_put(r);
		bj_get_u32(r, "ProcessId", &pids[i]);
		json_object_put(r);
		port += 3;
	}
	usleep(200000);
	printf("gcs RSS with %d live processes (stdio relayed): %.2f MiB (target <= 4 MiB; reference Go GCS 12.7 MiB)\n", n,
	       rss_kb(gcs_pid) / 1024.0);
	char buf[256];
	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf),
			 "{\"ContainerId\":\"" BRIDGE_NULL_GUID "\",\"ProcessId\":%u,\"Options\":{\"Signal\":9}}", pids[i]);
		json_object_put(call(BRIDGE_MSG_SIGNAL_PROCESS, buf));
		close(socks[i * 3]);
		close(socks[i * 3 + 1]);
		close(socks[i * 3 + 2]);
		wait_pid(pids[i]);
	}
	free(pids);
	free(socks);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: gcs_client DIR latency N | DIR live N GCSPID\n");
		return 2;
	}
	dir = argv[1];
	int l = listen_port(BRIDGE_VSOCK_PORT);
	bridge = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (bridge < 0)
		die("accept");
	close(l);
	json_object_put(call(BRIDGE_MSG_NEGOTIATE_PROTOCOL, "{\"ContainerId\":\"" BRIDGE_NULL_GUID
							    "\",\"ActivityId\":\"" BRIDGE_NULL_GUID
							    "\",\"MinimumVersion\":4,\"MaximumVersion\":4}"));
	if (!strcmp(argv[2], "latency"))
		latency(atoi(argv[3]));
	else if (!strcmp(argv[2], "live") && argc == 5)
		live(atoi(argv[3]), argv[4]);
	else
		return 2;
	close(bridge);
	return 0;
}
