/* init_log.h: /init's diagnostics. Lines go to /dev/kmsg as "<LEVEL>init:
 * ..." (so they reach the serial console and the GCS's kmsg reader), or to
 * stderr while /dev/kmsg is not open yet or cannot be opened
 * (../shared/spec/gcs-protocol.md §9.2 last line). Every line carries
 * CLOCK_MONOTONIC, which is time since the kernel started, so the boot
 * bench can read init's timeline from the console. */
#ifndef LCOW_INIT_LOG_H
#define LCOW_INIT_LOG_H

#define INIT_LOG_ERR 3
#define INIT_LOG_WARNING 4
#define INIT_LOG_INFO 6

/* Opens /dev/kmsg (O_CLOEXEC) on the first line after /dev is mounted, so
 * a boot that logs nothing before the GCS starts does not open it before. */
void init_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
