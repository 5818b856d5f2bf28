/* notify.c: container notifications (§3.4.14), queued through the writer so
 * they survive bridge loss and keep their order relative to responses. */
#include "gcs/internal.h"

#include <errno.h>

#include "lib/bridge_msg.h"

int gcs_notify_container(const char *container_id, const char *activity_id, const char *type, int32_t result)
{
	struct json_object *n = bridge_msg_notification(container_id, activity_id, type, result);
	if (!n)
		return -ENOMEM;
	size_t len;
	const char *text = bj_text(n, &len);
	log_info("notification: container %s %s", container_id, type);
	int r = gcs_writer_send(BRIDGE_MSG_CONTAINER_NOTIFICATION, 0, text, len, 0);
	json_object_put(n);
	return r;
}
