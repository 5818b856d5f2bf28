/* bridge.c: the bridge connection: dial, read frames, dispatch (§1.2, §1.6, §1.9, §2.3).
 *
 * One reader thread owns the connection. It reassembles frames, decides the
 * protocol mode from the first request (NegotiateProtocol -> V4, Create ->
 * V3; §10 row 1) and dispatches every request to its handler: inline ones on
 * this thread, all others on worker threads, so a pending WaitForProcess
 * never delays anything. While un-negotiated, requests are handled one at a
 * time so the mode change takes effect before the next request is read.
 * Protocol errors (Size < 16 or above the cap, EOF inside a frame) close the
 * connection; the GCS then re-dials every 100 ms (CURRENT behaviour) with a
 * fresh, un-negotiated state. */
#include "gcs/internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/bridge_msg.h"
#include "os/gcs_transport.h"

#define READ_CHUNK 65536
#define REDIAL_MS 100

static atomic_uint mode = GCS_MODE_UNNEGOTIATED;
static unsigned gen;
static atomic_ullong frames_in, connections;

static pthread_mutex_t boot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t boot_cond = PTHREAD_COND_INITIALIZER;
static bool boot_answered;

static int protocol_of(unsigned m)
{
	return m == GCS_MODE_V4 ? BRIDGE_PROTOCOL_V4 : m == GCS_MODE_V3 ? BRIDGE_PROTOCOL_V3 : BRIDGE_PROTOCOL_NONE;
}

static const char *mode_name(unsigned m)
{
	return m == GCS_MODE_V4 ? "v4" : m == GCS_MODE_V3 ? "v3" : "un-negotiated";
}

/* §2.3: the state changes only on a successful bootstrap answer. */
static void bootstrap_answered(struct gcs_request *req, int32_t result)
{
	if (result == 0 && req->gen == gen) {
		if (req->type == BRIDGE_MSG_NEGOTIATE_PROTOCOL) {
			atomic_store(&mode, GCS_MODE_V4);
		} else if (req->type == BRIDGE_MSG_CREATE) {
			json_object_object_add(gcs_request_response(req), "SelectedProtocolVersion",
					       json_object_new_int(BRIDGE_PROTOCOL_V3));
			atomic_store(&mode, GCS_MODE_V3);
		}
		log_info("bridge: protocol %s selected", mode_name(atomic_load(&mode)));
	}
	pthread_mutex_lock(&boot_lock);
	boot_answered = true;
	pthread_cond_broadcast(&boot_cond);
	pthread_mutex_unlock(&boot_lock);
}

struct job {
	struct gcs_request *req;
	const struct gcs_handler *h;
};

static void run_job(void *p)
{
	struct job *j = p;
	gcs_request_run(j->req, j->h->fn);
	free(j);
}

static void dispatch(struct gcs_request *req, const struct gcs_handler *h, bool serial)
{
	if (serial) {
		pthread_mutex_lock(&boot_lock);
		boot_answered = false;
		pthread_mutex_unlock(&boot_lock);
		req->on_answer = bootstrap_answered;
	}
	if (h->flags & GCS_HANDLER_INLINE) {
		gcs_request_run(req, h->fn);
	} else {
		struct job *j = malloc(sizeof(*j));
		int r = j ? 0 : -ENOMEM;
		if (j) {
			*j = (struct job){ req, h };
			r = gcs_workers_submit(run_job, j);
		}
		if (r < 0) {
			free(j);
			gcs_request_fail(req, HR_E_FAIL, "cannot start a worker: %s", strerror(-r));
		}
	}
	if (serial) {
		pthread_mutex_lock(&boot_lock);
		while (!boot_answered)
			pthread_cond_wait(&boot_cond, &boot_lock);
		pthread_mutex_unlock(&boot_lock);
	}
}

static void handle_frame(struct bridge_frame *f)
{
	atomic_fetch_add(&frames_in, 1);
	unsigned m = atomic_load(&mode);
	const char *name = bridge_msg_name(f->header.type);
	log_debug("bridge: received 0x%08x (%s) id %llu, %zu bytes", f->header.type, name ? name : "unknown",
		  (unsigned long long)f->header.id, f->payload_len);
	if (bridge_id_kind(f->header.type) != BRIDGE_KIND_REQUEST) {
		/* The host never sends responses or notifications (§1.6); answering
		 * would be a response to nothing. */
		log_warn("bridge: ignoring non-request message 0x%08x id %llu", f->header.type,
			 (unsigned long long)f->header.id);
		free(f->payload);
		return;
	}
	err_clear();
	struct gcs_request *req = gcs_request_new(f, protocol_of(m), gen);
	free(f->payload);
	if (!req) {
		log_error("bridge: out of memory for request %llu", (unsigned long long)f->header.id);
		return;
	}
	/* As the Go guests: no handler -> E_NOTIMPL whatever the payload
	 * (§1.6); a handler's request that is not JSON -> 0xC037010D. */
	const struct gcs_handler *h = gcs_dispatch_find(m, req->type);
	if (!h) {
		gcs_request_fail(req, HR_E_NOTIMPL, "message 0x%08x (%s) is not supported in %s state", req->type,
				 name ? name : "unknown", mode_name(m));
		return;
	}
	if (!req->msg) {
		gcs_request_fail(req, HR_INVALID_JSON, "request %s: %s", name ? name : "unknown", err_text());
		return;
	}
	dispatch(req, h, m == GCS_MODE_UNNEGOTIATED);
}

/* Reads until the connection ends; returns why. */
static int serve(int fd)
{
	struct bridge_reader rd;
	bridge_reader_init(&rd, (uint32_t)gcs_config.max_frame);
	uint8_t *buf = malloc(READ_CHUNK);
	int result = 0;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			result = -errno;
			log_warn("bridge: read failed: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			if (bridge_reader_partial(&rd))
				log_warn("bridge: connection closed in the middle of a frame (truncated frame)");
			else
				log_info("bridge: connection closed by the host");
			break;
		}
		for (size_t off = 0; off < (size_t)n;) {
			struct bridge_frame f;
			size_t used;
			int r = bridge_reader_feed(&rd, buf + off, (size_t)n - off, &used, &f);
			off += used;
			if (r < 0) {
				log_error("bridge: protocol error, closing the connection: %s", err_text());
				result = r;
				goto out;
			}
			if (r == 1)
				handle_frame(&f);
		}
	}
out:
	bridge_reader_reset(&rd);
	free(buf);
	return result;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

void gcs_bridge_dump(struct gcs_dump *d)
{
	gcs_dump_printf(d, "bridge: state %s, connection #%llu (%s), %llu frames received, %zu frames queued\n",
			mode_name(atomic_load(&mode)), (unsigned long long)atomic_load(&connections),
			gcs_writer_gen() ? "connected" : "disconnected", (unsigned long long)atomic_load(&frames_in),
			gcs_writer_queued());
}

int gcs_bridge_run(void);
int gcs_bridge_run(void)
{
	unsigned failures = 0;
	for (;;) {
		int in_fd, out_fd;
		if (gcs_config.use_inouterr) {
			in_fd = 0;
			out_fd = 1;
		} else {
			in_fd = out_fd = gcs_dial(BRIDGE_VSOCK_PORT);
			if (in_fd < 0) {
				if (failures++ % 100 == 0)
					log_warn("bridge: %s; retrying every %d ms", err_text(), REDIAL_MS);
				sleep_ms(REDIAL_MS);
				continue;
			}
		}
		failures = 0;
		gen++;
		if (gen == 0)
			gen = 1;
		atomic_fetch_add(&connections, 1);
		atomic_store(&mode, GCS_MODE_UNNEGOTIATED);
		log_info("bridge: connected (connection #%llu)", (unsigned long long)atomic_load(&connections));
		gcs_writer_attach(out_fd, gen);
		serve(in_fd);
		if (gcs_config.use_inouterr) {
			/* No re-dial over stdin; do not wait for a writer that may be
			 * stuck on a stdout nobody reads. */
			log_info("bridge: standard input closed; exiting");
			return 0;
		}
		shutdown(out_fd, SHUT_RDWR);
		gcs_writer_detach();
		gcs_process_purge_orphaned_waits();
		atomic_store(&mode, GCS_MODE_UNNEGOTIATED);
		close(in_fd);
		sleep_ms(REDIAL_MS);
	}
}
