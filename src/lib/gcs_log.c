/* gcs_log.c: text and JSON-lines log output (§9.4). */
#include "lib/gcs_log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static int log_fd = 2;
static bool log_json;
static enum glog_level log_min = GLOG_INFO;

static const char *const level_names[] = { "trace", "debug", "info", "warning", "error", "fatal", "panic" };

void glog_setup(int fd, bool json, enum glog_level min_level)
{
	log_fd = fd;
	log_json = json;
	log_min = min_level;
}

int glog_level_parse(const char *name, enum glog_level *out)
{
	for (int i = 0; i <= GLOG_PANIC; i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*out = (enum glog_level)i;
			return 0;
		}
	}
	if (strcasecmp(name, "warn") == 0) {
		*out = GLOG_WARNING;
		return 0;
	}
	return -EINVAL;
}

const char *glog_level_name(enum glog_level l)
{
	return l <= GLOG_PANIC ? level_names[l] : "unknown";
}

bool glog_enabled(enum glog_level l)
{
	return l >= log_min;
}

/* Appends msg as a JSON string body (without quotes). */
static int json_escape(char *out, int size, const char *msg)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)msg; *p && n < size - 7; p++) {
		if (*p == '"' || *p == '\\') {
			out[n++] = '\\';
			out[n++] = (char)*p;
		} else if (*p == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
		} else if (*p < 0x20 || *p == 0x7f) {
			n += snprintf(out + n, (size_t)(size - n), "\\u%04x", *p);
		} else {
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
	return n;
}

int glog_format(char *buf, int size, bool json, enum glog_level l, long long sec, long nsec, const char *msg)
{
	struct tm tm;
	time_t t = (time_t)sec;
	char ts[48];
	gmtime_r(&t, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
	int n;
	if (json) {
		n = snprintf(buf, (size_t)size, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts, glog_level_name(l));
		if (n >= size - 8)
			n = 0;
		n += json_escape(buf + n, size - n - 4, msg);
		n += snprintf(buf + n, (size_t)(size - n), "\"}\n");
	} else {
		n = snprintf(buf, (size_t)size, "%s %s %s\n", ts, glog_level_name(l), msg);
		if (n >= size) {
			n = size - 1;
			buf[n - 1] = '\n';
		}
	}
	return n;
}

void glog(enum glog_level l, const char *fmt, ...)
{
	if (l < log_min || log_fd < 0)
		return;
	int saved = errno;
	char msg[2048], line[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int n = glog_format(line, sizeof(line), log_json, l, (long long)now.tv_sec, now.tv_nsec, msg);
	if (n > 0 && write(log_fd, line, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
	errno = saved;
}
