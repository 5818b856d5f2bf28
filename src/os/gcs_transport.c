/* gcs_transport.c: vsock and Unix-socket dialing with the §1.2 retry rules. */
#include "os/gcs_transport.h"

#include <errno.h>
#include <limits.h>
#include <linux/vm_sockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/bridge_proto.h"
#include "lib/cleanup.h"
#include "lib/err.h"

static enum gcs_transport_kind kind = GCS_TRANSPORT_VSOCK;
static uint32_t vsock_cid = BRIDGE_HOST_CID;
static char unix_dir[96]; /* sun_path is 108 bytes, port takes up to 11 */


int gcs_transport_set(const char *spec)
{
	if (strcmp(spec, "vsock") == 0) {
		kind = GCS_TRANSPORT_VSOCK;
		return 0;
	}
	if (strncmp(spec, "vsock:", 6) == 0) {
		char *end;
		unsigned long v = strtoul(spec + 6, &end, 0);
		if (!spec[6] || *end || v > UINT32_MAX)
			return err_setmsg(-EINVAL, "transport %s: bad CID", spec);
		kind = GCS_TRANSPORT_VSOCK;
		vsock_cid = (uint32_t)v;
		return 0;
	}
	if (strncmp(spec, "unix:", 5) == 0 && spec[5]) {
		if (strlen(spec + 5) >= sizeof(unix_dir))
			return err_setmsg(-ENAMETOOLONG, "transport %s: directory path too long for a Unix socket", spec);
		snprintf(unix_dir, sizeof(unix_dir), "%s", spec + 5);
		kind = GCS_TRANSPORT_UNIX;
		return 0;
	}
	return err_setmsg(-EINVAL, "unknown transport '%s' (expected vsock, vsock:CID or unix:DIR)", spec);
}

void gcs_transport_set_vsock_cid(uint32_t cid)
{
	vsock_cid = cid;
}

enum gcs_transport_kind gcs_transport_kind(void)
{
	return kind;
}

void gcs_transport_describe(uint32_t port, char *buf, unsigned size)
{
	if (kind == GCS_TRANSPORT_UNIX)
		snprintf(buf, size, "unix %s/%u", unix_dir, port);
	else
		snprintf(buf, size, "vsock %u:%u", vsock_cid, port);
}

static int connect_once(int fd, const struct sockaddr *sa, socklen_t len)
{
	for (;;) {
		if (connect(fd, sa, len) == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int gcs_dial(uint32_t port)
{
	char where[PATH_MAX + 32];
	gcs_transport_describe(port, where, sizeof(where));
	for (int attempt = 1;; attempt++) {
		_cleanup_close_ int fd = -1;
		int r;
		if (kind == GCS_TRANSPORT_UNIX) {
			struct sockaddr_un sa = { .sun_family = AF_UNIX };
			snprintf(sa.sun_path, sizeof(sa.sun_path), "%.95s/%u", unix_dir, port);
			fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0)
				return err_set(-errno, "creating a socket for %s", where);
			r = connect_once(fd, (struct sockaddr *)&sa, sizeof(sa));
		} else {
			struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = vsock_cid, .svm_port = port };
			fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0)
				return err_set(-errno, "creating a socket for %s", where);
			r = connect_once(fd, (struct sockaddr *)&sa, sizeof(sa));
		}
		if (r == 0)
			return TAKE_FD(fd);
		int delay = bridge_dial_retry_delay(r, attempt);
		if (delay < 0)
			return err_set(r, "connecting to %s (attempt %d)", where, attempt);
		struct timespec ts = { delay / 1000, (long)(delay % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
		}
	}
}
