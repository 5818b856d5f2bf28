/* gcs_log.h: the GCS log stream (../shared/spec/gcs-protocol.md §9.4).
 *
 * Text lines ("TIME LEVEL msg") or, with -log-format json, one JSON object
 * per line with time (RFC 3339, nanoseconds), level and msg: the host parses
 * that stream and stops at the first non-JSON byte, so nothing else may ever
 * be written to it. Each line is one write(), so threads never interleave.
 * Thread-safe; usable from any layer. */
#ifndef LCOW_GCS_LOG_H
#define LCOW_GCS_LOG_H

#include <stdbool.h>

enum glog_level {
	GLOG_TRACE,
	GLOG_DEBUG,
	GLOG_INFO,
	GLOG_WARNING,
	GLOG_ERROR,
	GLOG_FATAL,
	GLOG_PANIC,
};

/* Where and how to log; defaults: fd 2, text, info. */
void glog_setup(int fd, bool json, enum glog_level min_level);
/* Parses a -loglevel name (trace/debug/info/warning|warn/error/fatal/panic). */
int glog_level_parse(const char *name, enum glog_level *out);
const char *glog_level_name(enum glog_level l);
bool glog_enabled(enum glog_level l);
void glog(enum glog_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats one line into buf (no I/O; used by glog and the unit tests). */
int glog_format(char *buf, int size, bool json, enum glog_level l, long long sec, long nsec, const char *msg);

#define log_trace(...) glog(GLOG_TRACE, __VA_ARGS__)
#define log_debug(...) glog(GLOG_DEBUG, __VA_ARGS__)
#define log_info(...) glog(GLOG_INFO, __VA_ARGS__)
#define log_warn(...) glog(GLOG_WARNING, __VA_ARGS__)
#define log_error(...) glog(GLOG_ERROR, __VA_ARGS__)

#endif
