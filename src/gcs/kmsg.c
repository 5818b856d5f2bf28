/* kmsg.c: forwards kernel log records to the GCS log (§9.4 step 2).
 *
 * Records whose priority is at or below -kmsgLogLevel (default 4, warning)
 * are logged; only records written after the GCS started are read (a reader
 * of /dev/kmsg that seeks to the end). Runs on the event loop: no thread. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "gcs/gcs.h"
#include "lib/gcs_kmsg.h"
#include "os/gcs_loop.h"

static int kmsg_fd = -1;
static struct gcs_watch *kmsg_watch;

static void on_kmsg(void *ctx, uint32_t events)
{
	char buf[2048];
	for (;;) {
		ssize_t n = read(kmsg_fd, buf, sizeof(buf));
		if (n < 0 && errno == EPIPE)
			continue; /* records were overwritten before we read them */
		if (n <= 0)
			return;
		struct gcs_kmsg_record rec;
		if (gcs_kmsg_parse(buf, (size_t)n, &rec) < 0 || rec.priority > (unsigned)gcs_config.kmsg_level)
			continue;
		enum glog_level l = rec.priority <= 3 ? GLOG_ERROR : rec.priority == 4 ? GLOG_WARNING : GLOG_INFO;
		glog(l, "kernel: [%llu.%06llu] %.*s", (unsigned long long)(rec.timestamp_us / 1000000),
		     (unsigned long long)(rec.timestamp_us % 1000000), (int)rec.message_len, rec.message);
	}
}

static void add_watch(void *p)
{
	int *r = p;
	*r = gcs_watch_add(kmsg_fd, EPOLLIN, on_kmsg, NULL, &kmsg_watch);
}

static int kmsg_start(void)
{
	if (gcs_config.kmsg_level < 0)
		return 0;
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd < 0) {
		log_warn("not forwarding kernel messages: opening /dev/kmsg: %s", strerror(errno));
		return 0;
	}
	lseek(kmsg_fd, 0, SEEK_END);
	int r = 0;
	gcs_loop_call_sync(add_watch, &r);
	if (r < 0) {
		log_warn("not forwarding kernel messages: %s", err_text());
		close(kmsg_fd);
		kmsg_fd = -1;
	}
	return 0;
}
GCS_INIT(kmsg, 10, kmsg_start);
