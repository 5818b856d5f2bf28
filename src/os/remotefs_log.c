/* remotefs_log.c: logrus-style log lines to a file (see remotefs_log.h). */
#include "os/remotefs_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static enum tool_log_level log_level = TOOL_LOG_INFO;

static const char *const level_names[] = {"panic", "fatal", "error", "warning", "info", "debug"};

int tool_log_parse_level(const char *name, enum tool_log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum tool_log_level)i;
			return 0;
		}
	}
	if (strcmp(name, "warn") == 0) {
		*out = TOOL_LOG_WARNING;
		return 0;
	}
	return -EINVAL;
}

int tool_log_open(const char *path, enum tool_log_level level)
{
	log_level = level;
	if (!path || strcmp(path, "-") == 0) {
		log_fd = STDERR_FILENO;
		return 0;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	log_fd = fd;
	return 0;
}

void tool_log_close(void)
{
	if (log_fd > STDERR_FILENO)
		close(log_fd);
	log_fd = -1;
}

void tool_log(enum tool_log_level level, const char *fmt, ...)
{
	if (log_fd < 0 || level > log_level)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* logrus quotes the message; escape what would break the line. */
	char quoted[4200];
	size_t q = 0;
	for (const char *p = msg; *p && q + 3 < sizeof(quoted); p++) {
		if (*p == '"' || *p == '\\') {
			quoted[q++] = '\\';
			quoted[q++] = *p;
		} else if (*p == '\n') {
			quoted[q++] = '\\';
			quoted[q++] = 'n';
		} else {
			quoted[q++] = *p;
		}
	}
	quoted[q] = '\0';
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[64];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	dprintf(log_fd, "time=\"%s\" level=%s msg=\"%s\"\n", when, level_names[level], quoted);
}
