/* gcs_kmsg.h: parsing /dev/kmsg records (spec §9.4 step 2).
 *
 * A record is "PRIORITY,SEQUENCE,TIMESTAMP_US,FLAGS[,...];MESSAGE\n"
 * followed by optional " KEY=VALUE" continuation lines. The syslog priority
 * is the low 3 bits of the first field (the facility is above them). Pure. */
#ifndef LCOW_GCS_KMSG_H
#define LCOW_GCS_KMSG_H

#include <stddef.h>
#include <stdint.h>

struct gcs_kmsg_record {
	unsigned priority;      /* 0 emerg .. 7 debug */
	uint64_t sequence;
	uint64_t timestamp_us;  /* since boot */
	const char *message;    /* points into the buffer, not NUL-terminated */
	size_t message_len;     /* first line only */
};

/* Parses one record of len bytes; -EINVAL if it is not a kmsg record. */
int gcs_kmsg_parse(const char *buf, size_t len, struct gcs_kmsg_record *out);

#endif
