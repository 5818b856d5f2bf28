/* gcs_relay.c: splice/copy relays with clean close, driven by the loop. */
#include "os/gcs_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/gcs_log.h"
#include "os/gcs_loop.h"

#define SPLICE_CHUNK (1u << 20)
#define COPY_BUF 16384
/* Bytes moved per wake-up before yielding to other relays. */
#define FAIR_SHARE (4u << 20)

enum relay_state { RELAY_RUNNING, RELAY_DRAINING_PEER, RELAY_DONE };

struct gcs_relay {
	int src, dst;
	unsigned flags;
	bool use_splice, dst_is_socket;
	enum relay_state state;
	struct gcs_watch *wsrc, *wdst;
	char *buf;
	size_t buf_len, buf_off;
	uint64_t bytes;
	gcs_relay_done_fn done;
	void *ctx;
};

static unsigned running;

unsigned gcs_relay_count(void)
{
	return running;
}

static bool is_fifo(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

static bool is_socket(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void finish(struct gcs_relay *r, int err)
{
	if (r->state == RELAY_DONE)
		return;
	r->state = RELAY_DONE;
	gcs_watch_del(r->wsrc);
	gcs_watch_del(r->wdst);
	close(r->src);
	close(r->dst);
	free(r->buf);
	running--;
	r->done(r->ctx, r, r->bytes, err);
	free(r);
}

/* Waits for src data (want_out false) or dst space (want_out true). */
static void want(struct gcs_relay *r, bool want_out)
{
	gcs_watch_set(r->wsrc, want_out ? 0 : EPOLLIN);
	gcs_watch_set(r->wdst, want_out ? EPOLLOUT : 0);
}

static void begin_close(struct gcs_relay *r)
{
	if ((r->flags & GCS_RELAY_CLEAN_CLOSE) && r->dst_is_socket && shutdown(r->dst, SHUT_WR) == 0) {
		r->state = RELAY_DRAINING_PEER;
		gcs_watch_set(r->wsrc, 0);
		gcs_watch_set(r->wdst, EPOLLIN);
		return;
	}
	finish(r, 0);
}

static void drain_peer(struct gcs_relay *r)
{
	char scratch[512];
	for (;;) {
		ssize_t n = read(r->dst, scratch, sizeof(scratch));
		if (n > 0)
			continue; /* the host sent something on an output stream: ignore */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		finish(r, 0);
		return;
	}
}

/* After EAGAIN on splice: which side blocks? */
static bool dst_blocked(struct gcs_relay *r)
{
	struct pollfd p[2] = { { .fd = r->src, .events = POLLIN }, { .fd = r->dst, .events = POLLOUT } };
	if (poll(p, 2, 0) < 0)
		return false;
	return (p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !(p[1].revents & (POLLOUT | POLLERR | POLLHUP));
}

static bool is_dst_gone(int e)
{
	return e == EPIPE || e == ECONNRESET || e == ENOTCONN || e == ESHUTDOWN;
}

static void pump_splice(struct gcs_relay *r)
{
	size_t moved = 0;
	while (moved < FAIR_SHARE) {
		ssize_t n = splice(r->src, NULL, r->dst, NULL, SPLICE_CHUNK, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (n > 0) {
			moved += (size_t)n;
			r->bytes += (uint64_t)n;
			continue;
		}
		if (n == 0) {
			begin_close(r);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			want(r, dst_blocked(r));
			return;
		}
		if (errno == EIO) { /* pty slave closed */
			begin_close(r);
			return;
		}
		int e = errno;
		if (!is_dst_gone(e))
			log_debug("relay %d -> %d: splice: %s", r->src, r->dst, strerror(e));
		finish(r, e);
		return;
	}
	want(r, false);
}

static void pump_copy(struct gcs_relay *r)
{
	size_t moved = 0;
	while (moved < FAIR_SHARE) {
		if (r->buf_off < r->buf_len) {
			ssize_t w = write(r->dst, r->buf + r->buf_off, r->buf_len - r->buf_off);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN) {
					want(r, true);
					return;
				}
				finish(r, errno);
				return;
			}
			r->buf_off += (size_t)w;
			r->bytes += (uint64_t)w;
			moved += (size_t)w;
			continue;
		}
		ssize_t n = read(r->src, r->buf, COPY_BUF);
		if (n > 0) {
			r->buf_len = (size_t)n;
			r->buf_off = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			want(r, false);
			return;
		}
		if (n == 0 || errno == EIO || errno == ECONNRESET) {
			begin_close(r);
			return;
		}
		finish(r, errno);
		return;
	}
	want(r, false);
}

static void on_event(void *ctx, uint32_t events)
{
	struct gcs_relay *r = ctx;
	if (r->state == RELAY_DRAINING_PEER)
		drain_peer(r);
	else if (r->use_splice)
		pump_splice(r);
	else
		pump_copy(r);
}

int gcs_relay_start(int src, int dst, unsigned flags, gcs_relay_done_fn done, void *ctx, struct gcs_relay **out)
{
	struct gcs_relay *r = calloc(1, sizeof(*r));
	if (!r) {
		close(src);
		close(dst);
		return -ENOMEM;
	}
	r->src = src;
	r->dst = dst;
	r->flags = flags;
	r->done = done;
	r->ctx = ctx;
	r->use_splice = is_fifo(src) || is_fifo(dst);
	r->dst_is_socket = is_socket(dst);
	if (!r->use_splice && !(r->buf = malloc(COPY_BUF)))
		goto nomem;
	set_nonblock(src);
	set_nonblock(dst);
	int e = gcs_watch_add(src, EPOLLIN, on_event, r, &r->wsrc);
	if (e < 0)
		goto fail;
	e = gcs_watch_add(dst, 0, on_event, r, &r->wdst);
	if (e < 0) {
		gcs_watch_del(r->wsrc);
		goto fail;
	}
	running++;
	if (out)
		*out = r;
	return 0;
nomem:
	e = -ENOMEM;
fail:
	close(src);
	close(dst);
	free(r->buf);
	free(r);
	return e;
}

void gcs_relay_stop(struct gcs_relay *r)
{
	if (r)
		finish(r, 0);
}
