/* gcs_kmsg.c: /dev/kmsg record parsing (§9.4 step 2). */
#include "lib/gcs_kmsg.h"

#include <errno.h>
#include <string.h>

static int parse_u64(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;
	if (s >= end || *s < '0' || *s > '9')
		return -EINVAL;
	while (s < end && *s >= '0' && *s <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s++ - '0');
	}
	*p = s;
	*out = v;
	return 0;
}

int gcs_kmsg_parse(const char *buf, size_t len, struct gcs_kmsg_record *out)
{
	const char *p = buf, *end = buf + len;
	const char *semi = memchr(buf, ';', len);
	uint64_t prio;
	if (!semi || parse_u64(&p, semi, &prio) < 0 || p >= semi || *p != ',')
		return -EINVAL;
	p++;
	if (parse_u64(&p, semi, &out->sequence) < 0 || p >= semi || *p != ',')
		return -EINVAL;
	p++;
	if (parse_u64(&p, semi, &out->timestamp_us) < 0)
		return -EINVAL;
	out->priority = (unsigned)(prio & 7);
	out->message = semi + 1;
	const char *nl = memchr(out->message, '\n', (size_t)(end - out->message));
	out->message_len = (size_t)((nl ? nl : end) - out->message);
	return 0;
}
