/* writer.c: the single serialised writer of bridge frames (§1.9).
 *
 * Frames are queued in order; whichever thread finds no writer active
 * becomes the writer and drains the queue, so there is no extra thread
 * hop and frames never interleave. Responses belong to the connection
 * their request came in on and are dropped once it is gone (the host has
 * failed them); notifications (gen 0) wait for the next connection and are
 * sent in order as soon as it is attached (§1.2, §10 row 14). */
#include "gcs/internal.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct frame {
	uint8_t *buf;
	size_t len;
	unsigned gen;
	struct frame *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct frame *head, *tail;
static size_t queued;
static int out_fd = -1;
static unsigned out_gen;
static bool writing;

unsigned gcs_writer_gen(void)
{
	pthread_mutex_lock(&lock);
	unsigned g = out_gen;
	pthread_mutex_unlock(&lock);
	return g;
}

size_t gcs_writer_queued(void)
{
	return queued;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pf = { .fd = fd, .events = POLLOUT };
				poll(&pf, 1, -1);
				continue;
			}
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Called with lock held and writing == true; returns with lock held. */
static void drain_locked(void)
{
	while (head && out_fd >= 0) {
		struct frame *f = head;
		head = f->next;
		if (!head)
			tail = NULL;
		queued--;
		if (f->gen != 0 && f->gen != out_gen) {
			free(f->buf);
			free(f);
			continue;
		}
		int fd = out_fd;
		unsigned gen = out_gen;
		pthread_mutex_unlock(&lock);
		int r = write_all(fd, f->buf, f->len);
		pthread_mutex_lock(&lock);
		if (r < 0) {
			log_warn("bridge write failed: %s", strerror(-r));
			if (out_gen == gen) {
				/* Make the reader see the loss; it re-dials. */
				shutdown(fd, SHUT_RDWR);
				out_fd = -1;
			}
			if (f->gen == 0) { /* keep notifications for the next connection */
				f->next = head;
				head = f;
				if (!tail)
					tail = f;
				queued++;
				continue;
			}
		}
		free(f->buf);
		free(f);
	}
}

static void kick_locked(void)
{
	if (writing)
		return;
	writing = true;
	drain_locked();
	writing = false;
}

int gcs_writer_send(uint32_t type, uint64_t id, const char *payload, size_t len, unsigned gen)
{
	struct frame *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	int r = bridge_frame_encode(type, id, payload, len, BRIDGE_OUT_MAX, &f->buf, &f->len);
	if (r < 0) {
		free(f);
		log_error("dropping an outbound frame: %s", err_text());
		return r;
	}
	f->gen = gen;
	pthread_mutex_lock(&lock);
	if (gen != 0 && gen != out_gen) {
		pthread_mutex_unlock(&lock);
		free(f->buf);
		free(f);
		return -ENOTCONN;
	}
	if (tail)
		tail->next = f;
	else
		head = f;
	tail = f;
	queued++;
	kick_locked();
	pthread_mutex_unlock(&lock);
	return 0;
}

void gcs_writer_attach(int fd, unsigned gen)
{
	pthread_mutex_lock(&lock);
	out_fd = fd;
	out_gen = gen;
	kick_locked();
	pthread_mutex_unlock(&lock);
}

void gcs_writer_detach(void)
{
	pthread_mutex_lock(&lock);
	out_fd = -1;
	out_gen = 0;
	/* Wait for a writer still using the old descriptor. */
	while (writing) {
		pthread_mutex_unlock(&lock);
		usleep(1000);
		pthread_mutex_lock(&lock);
	}
	pthread_mutex_unlock(&lock);
}
