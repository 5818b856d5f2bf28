/* init_log.c: kmsg/stderr logging for /init (see init_log.h). */
#include "os/init_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int kmsg_fd = -1;

void init_log(int level, const char *fmt, ...)
{
	int saved = errno;
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	char line[1024];
	int n = snprintf(line, sizeof(line), "<%d>init: [mono %ld.%06ld] ", level, (long)ts.tv_sec,
			 ts.tv_nsec / 1000);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	/* One write per record: kmsg turns each write into one message. */
	if (kmsg_fd < 0 || write(kmsg_fd, line, len) < 0) {
		size_t skip = (size_t)(strchr(line, '>') - line) + 1;
		ssize_t ignored = write(STDERR_FILENO, line + skip, len - skip);
		(void)ignored;
	}
	errno = saved;
}
