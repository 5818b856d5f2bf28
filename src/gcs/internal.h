/* internal.h: pieces shared by the bridge's own files (not for handlers). */
#ifndef LCOW_GCS_INTERNAL_H
#define LCOW_GCS_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>

#include "gcs/gcs.h"
#include "lib/bridge_frame.h"

struct gcs_request {
	uint64_t id;
	uint32_t type;
	int protocol;
	unsigned gen; /* connection generation the request came in on */
	struct json_object *msg;
	const char *container_id;
	const char *activity_id;
	struct json_object *resp;
	int32_t hresult;
	atomic_int answered;
	/* Set by the bridge for requests that change the protocol state. */
	void (*on_answer)(struct gcs_request *req, int32_t result);
};

/* Takes the frame's payload. On invalid JSON returns NULL-msg request. */
struct gcs_request *gcs_request_new(struct bridge_frame *f, int protocol, unsigned gen);
void gcs_request_free(struct gcs_request *req);
/* Runs the handler and completes the request per its return value. */
void gcs_request_run(struct gcs_request *req, int (*fn)(struct gcs_request *));

/* The single serialised writer (writer.c). gen 0 frames (notifications)
 * survive reconnects; others are dropped unless gen is the live connection. */
int gcs_writer_send(uint32_t type, uint64_t id, const char *payload, size_t len, unsigned gen);
void gcs_writer_attach(int fd, unsigned gen);
void gcs_writer_detach(void);
unsigned gcs_writer_gen(void);
size_t gcs_writer_queued(void);

/* Handler tables (dispatch.c). */
int gcs_dispatch_init(void);
const struct gcs_handler *gcs_dispatch_find(unsigned mode, uint32_t msg);
void gcs_dispatch_dump(struct gcs_dump *d);

/* Worker threads for blocking handlers (workers.c). */
int gcs_workers_submit(void (*fn)(void *), void *ctx);
unsigned gcs_workers_count(unsigned *busy);

/* Frees pending waits of connections that are gone (process.c). */
void gcs_process_purge_orphaned_waits(void);

/* Bridge state for dumps. */
void gcs_bridge_dump(struct gcs_dump *d);

/* Builds the DumpStacks text (dump.c); *out malloc'd, at most max bytes. */
int gcs_dump_build(char **out, size_t max);

#endif
