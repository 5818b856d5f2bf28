/* remotefs_log.h: the log file of gcstools sub-commands.
 *
 * The SEED tools log with logrus to a file named by -logfile at the level
 * named by -loglevel (../shared/spec/gcstools.md §1.2); stdout carries data,
 * so nothing is ever logged there. Lines use logrus' text form
 * (time="..." level=info msg="..."). Shared by remotefs and netnscfg. */
#ifndef LCOW_REMOTEFS_LOG_H
#define LCOW_REMOTEFS_LOG_H

enum tool_log_level {
	TOOL_LOG_PANIC,
	TOOL_LOG_FATAL,
	TOOL_LOG_ERROR,
	TOOL_LOG_WARNING,
	TOOL_LOG_INFO,
	TOOL_LOG_DEBUG,
};

/* Parses a -loglevel value (debug, info, warning/warn, error, fatal, panic);
 * -EINVAL for anything else. */
int tool_log_parse_level(const char *name, enum tool_log_level *out);

/* Opens path (create, truncate, 0600, O_CLOEXEC) as the log; path "-" or
 * NULL logs to stderr. 0 or a negative errno. */
int tool_log_open(const char *path, enum tool_log_level level);
void tool_log_close(void);

void tool_log(enum tool_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) tool_log(TOOL_LOG_DEBUG, __VA_ARGS__)
#define log_info(...) tool_log(TOOL_LOG_INFO, __VA_ARGS__)
#define log_warning(...) tool_log(TOOL_LOG_WARNING, __VA_ARGS__)
#define log_error(...) tool_log(TOOL_LOG_ERROR, __VA_ARGS__)

#endif
