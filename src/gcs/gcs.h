/* gcs.h: the API of the GCS service for request handlers.
 *
 * The bridge (bridge.c) reads frames, decides the protocol mode of the
 * connection and dispatches each request to the handler registered for its
 * message identifier in that mode. Handlers live in their own files and
 * register with GCS_HANDLER; nothing central needs editing to add one.
 *
 *   static int handle_start(struct gcs_request *req) { return 0; }
 *   GCS_HANDLER(start_v4, BRIDGE_MSG_START, GCS_MODE_V4, 0, handle_start);
 *
 * A handler returns
 *   0             success: the bridge sends gcs_request_response(req)
 *                 (Result 0, ActivityId echoed, plus what the handler added);
 *   < 0           failure: the bridge sends an error response with the
 *                 HRESULT from gcs_request_set_hresult() (default E_FAIL) and
 *                 err_text() as message (record context with err_set/err_wrap);
 *   GCS_DEFERRED  the handler keeps the request and answers it later, exactly
 *                 once, with gcs_request_reply() or gcs_request_fail*().
 * Every request is answered exactly once (§1.7); a second answer is dropped
 * and logged. Handlers run concurrently on worker threads (small stacks:
 * do not put big buffers on the stack) unless registered GCS_HANDLER_INLINE,
 * which runs them on the bridge reader thread (must never block). */
#ifndef LCOW_GCS_H
#define LCOW_GCS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"
#include "lib/goflag.h"
#include "lib/gcs_log.h"

/* ---- protocol modes (§2.3) ---- */
enum {
	GCS_MODE_UNNEGOTIATED = 1 << 0,
	GCS_MODE_V3 = 1 << 1,
	GCS_MODE_V4 = 1 << 2,
};

/* ---- requests ---- */
struct gcs_request;

#define GCS_DEFERRED 1

uint64_t gcs_request_id(const struct gcs_request *req);
uint32_t gcs_request_type(const struct gcs_request *req);
/* BRIDGE_PROTOCOL_NONE, _V3 or _V4: the connection's mode at dispatch. */
int gcs_request_protocol(const struct gcs_request *req);
/* The parsed request payload (never NULL: a payload that is not valid JSON is
 * answered HR_INVALID_JSON before any handler runs). Owned by the request. */
struct json_object *gcs_request_json(const struct gcs_request *req);
/* ContainerId ("" if absent) and ActivityId (valid GUID or NULL). */
const char *gcs_request_container_id(const struct gcs_request *req);
const char *gcs_request_activity_id(const struct gcs_request *req);

/* The success response object, created on first use with Result 0 and the
 * echoed ActivityId; handlers add their fields to it. */
struct json_object *gcs_request_response(struct gcs_request *req);
/* HRESULT to use if the handler returns a negative errno (default E_FAIL). */
void gcs_request_set_hresult(struct gcs_request *req, int32_t hresult);

/* For GCS_DEFERRED requests (callable from any thread); they free req. */
void gcs_request_reply(struct gcs_request *req);
void gcs_request_fail(struct gcs_request *req, int32_t hresult, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Fails with err_text() of the calling thread. */
void gcs_request_fail_err(struct gcs_request *req, int32_t hresult);
/* True when the connection the request came in on has gone (its answer
 * would be dropped). */
bool gcs_request_orphaned(const struct gcs_request *req);

/* ---- handler registration ---- */
enum {
	GCS_HANDLER_INLINE = 1 << 0, /* run on the reader thread; must not block */
};

struct gcs_handler {
	uint32_t msg;      /* request identifier, e.g. BRIDGE_MSG_CREATE */
	unsigned modes;    /* GCS_MODE_* mask */
	unsigned flags;    /* GCS_HANDLER_* */
	int priority;      /* the highest priority wins per (msg, mode); the
			      bridge's own fall-backs use -100 */
	int (*fn)(struct gcs_request *req);
	const char *name;
	const char *file;
};

#define GCS_HANDLER_PRIO(ident, msg_id, mode_mask, flag_bits, prio, handler_fn)                  \
	static const struct gcs_handler gcs_handler_##ident                                    \
		__attribute__((used, section("gcs_handlers"), aligned(8))) = {                  \
			.msg = (msg_id), .modes = (mode_mask), .flags = (flag_bits), .priority = (prio), \
			.fn = (handler_fn), .name = #ident, .file = __FILE__ }
#define GCS_HANDLER(ident, msg_id, mode_mask, flag_bits, handler_fn) \
	GCS_HANDLER_PRIO(ident, msg_id, mode_mask, flag_bits, 0, handler_fn)

/* ---- notifications (§3.4.14, §4.4) ---- */
/* Queues a container notification (type "UnexpectedExit", "GracefulExit",
 * "ForcedExit"). While the bridge is down it is kept and sent, in order,
 * on the next connection (§1.2). Frames are written in queue order, so a
 * WaitForProcess answer queued first always goes out first. */
int gcs_notify_container(const char *container_id, const char *activity_id, const char *type, int32_t result);

/* ---- configuration and command-line options (§9.4) ---- */
struct gcs_config {
	bool v4;                 /* -v4: accepted, not required (§10 row 1) */
	const char *loglevel;    /* -loglevel */
	const char *logfile;     /* -logfile */
	const char *log_format;  /* -log-format text|json */
	bool use_inouterr;       /* -use-inouterr: bridge on stdin/stdout */
	const char *transport;   /* --transport vsock|vsock:CID|unix:DIR */
	long long vsock_cid;     /* -vsock-cid */
	const char *runtime;     /* -runtime: OCI runtime binary (default "runc") */
	const char *sysfs_root;  /* -sysfs-root: where sysfs is (default "/sys") */
	long long kmsg_level;    /* -kmsgLogLevel */
	long long root_mem_reserve_bytes;
	long long gcs_mem_limit_bytes;
	const char *core_dump_location;
	bool disable_time_sync;
	bool scrub_logs;
	const char *initial_policy_stance;
	long long max_frame;     /* -max-frame-size: inbound cap (default 16 MiB) */
};
extern struct gcs_config gcs_config;

/* More flags from other files: the record is a struct goflag (lib/goflag.h). */
#define GCS_OPTION(ident, flag_name, bool_flag, arg, help_text, setter, target_ptr)             \
	static const struct goflag gcs_option_##ident                                         \
		__attribute__((used, section("gcs_options"), aligned(8))) = {                  \
			.name = flag_name, .is_bool = bool_flag, .arg_name = arg, .help = help_text, \
			.set = setter, .target = target_ptr }

/* Start-up steps run after flag parsing and before the bridge is dialed,
 * in ascending order (e.g. cgroups, state directories). Return < 0 to
 * abort start-up (err text is logged). */
struct gcs_init {
	int order;
	int (*fn)(void);
	const char *name;
};
#define GCS_INIT(ident, run_order, init_fn)                                        \
	static const struct gcs_init gcs_init_##ident                             \
		__attribute__((used, section("gcs_inits"), aligned(8))) = {      \
			.order = (run_order), .fn = (init_fn), .name = #ident }

/* ---- DumpStacks (§3.4.11) ---- */
struct gcs_dump;
void gcs_dump_printf(struct gcs_dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct gcs_dumper {
	const char *title;
	void (*fn)(struct gcs_dump *d);
};
#define GCS_DUMPER(ident, dump_title, dump_fn)                                   \
	static const struct gcs_dumper gcs_dumper_##ident                       \
		__attribute__((used, section("gcs_dumpers"), aligned(8))) = {  \
			.title = dump_title, .fn = dump_fn }

#endif
