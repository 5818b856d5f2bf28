/* ext4_output.c: queued, batched and optionally background output of the
 * ext4 writer (see ext4_output.h). */
#include "lib/ext4_output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"

/* Padding and holes written as zeros point here; never merged. */
static const uint8_t zero_block[64u << 10];

int ext4_output_init(struct ext4_output *o, int fd, uint64_t pos, bool background)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->background = background;
	for (int i = 0; i < 2; i++) {
		struct ext4_output_batch *b = &o->batch[i];
		b->iov = calloc(EXT4_OUTPUT_PIECES, sizeof(*b->iov));
		/* the second batch is only used with a thread */
		b->staging = i == 0 || background ? malloc(EXT4_OUTPUT_STAGING) : NULL;
		if (!b->iov || (!b->staging && (i == 0 || background))) {
			ext4_output_destroy(o);
			return err_set(-ENOMEM, "allocating the output queue");
		}
	}
	o->batch[0].end = pos;
	return 0;
}

void ext4_output_destroy(struct ext4_output *o)
{
	if (o->started) {
		pthread_mutex_lock(&o->lock);
		o->stop = true;
		pthread_cond_broadcast(&o->changed);
		pthread_mutex_unlock(&o->lock);
		pthread_join(o->thread, NULL);
		pthread_cond_destroy(&o->changed);
		pthread_mutex_destroy(&o->lock);
		o->started = false;
	}
	for (int i = 0; i < 2; i++) {
		free(o->batch[i].iov);
		free(o->batch[i].staging);
		o->batch[i].iov = NULL;
		o->batch[i].staging = NULL;
	}
	free(o->bounce);
	o->bounce = NULL;
}

/* Writes one run of pieces. Returns 0 or -errno with *at the failing
 * offset; no err text (any thread). */
static int write_run(int fd, struct iovec *v, int n, uint64_t off, uint64_t *at)
{
	while (n > 0) {
		ssize_t done = pwritev(fd, v, n, (off_t)off);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0) {
			*at = off;
			return done < 0 ? -errno : -EIO;
		}
		off += (uint64_t)done;
		while (n > 0 && (size_t)done >= v->iov_len) {
			done -= (ssize_t)v->iov_len;
			v++;
			n--;
		}
		if (n > 0) {
			v->iov_base = (uint8_t *)v->iov_base + done;
			v->iov_len -= (size_t)done;
		}
	}
	return 0;
}

#define BOUNCE_SIZE (1u << 20)

/* Copies a copy run in the kernel where it can (as cat does), else through
 * a buffer. -ENODATA: the input ended first. */
static int copy_run(struct ext4_output *o, const struct ext4_output_run *run, uint64_t *at)
{
	loff_t in = (loff_t)run->from, out = (loff_t)run->pos;
	uint64_t left = run->copy_len;
	bool in_kernel = true;
	while (left > 0) {
		ssize_t n;
		size_t chunk = left > (1u << 30) ? (1u << 30) : (size_t)left;
		if (in_kernel) {
			n = copy_file_range(run->from_fd, &in, o->fd, &out, chunk, 0);
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS ||
				      errno == EBADF)) {
				in_kernel = false; /* e.g. across file systems */
				continue;
			}
		} else {
			if (!o->bounce && !(o->bounce = malloc(BOUNCE_SIZE))) {
				*at = (uint64_t)out;
				return -ENOMEM;
			}
			n = pread(run->from_fd, o->bounce, chunk > BOUNCE_SIZE ? BOUNCE_SIZE : chunk, in);
			if (n > 0) {
				struct iovec v = { .iov_base = o->bounce, .iov_len = (size_t)n };
				int r = write_run(o->fd, &v, 1, (uint64_t)out, at);
				if (r < 0)
					return r;
				in += n;
				out += n;
			}
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*at = (uint64_t)out;
			return n < 0 ? -errno : -ENODATA;
		}
		left -= (uint64_t)n;
	}
	return 0;
}

/* One pwritev per run of pieces (as few more as the kernel asks for), one
 * kernel copy per copy run. No err text: any thread. */
static int write_batch(struct ext4_output *o, struct ext4_output_batch *b, uint64_t *at)
{
	for (int i = 0; i < b->nruns; i++) {
		const struct ext4_output_run *run = &b->runs[i];
		int first = run->first;
		int next = i + 1 < b->nruns ? b->runs[i + 1].first : b->niov;
		int r = run->from_fd >= 0 ? copy_run(o, run, at) : write_run(o->fd, b->iov + first, next - first, run->pos, at);
		if (r < 0)
			return r;
	}
	return 0;
}

static void *output_thread(void *arg)
{
	struct ext4_output *o = arg;
	pthread_mutex_lock(&o->lock);
	for (;;) {
		while (!o->writing && !o->stop)
			pthread_cond_wait(&o->changed, &o->lock);
		if (!o->writing)
			break;
		struct ext4_output_batch *b = o->writing;
		bool failed = o->error != 0;
		pthread_mutex_unlock(&o->lock);
		uint64_t at = 0;
		int r = failed ? 0 : write_batch(o, b, &at);
		pthread_mutex_lock(&o->lock);
		if (r < 0) {
			o->error = r;
			o->error_at = at;
		}
		o->writing = NULL;
		pthread_cond_broadcast(&o->changed);
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

static int report(int e, uint64_t at)
{
	if (e == -ENODATA)
		return err_setmsg(-EIO, "truncated input: it ends inside a file's data (image byte %" PRIu64 ")", at);
	return err_set(e, "writing the image at byte %" PRIu64, at);
}

/* Waits until the thread has no batch; returns its first failure. */
static int wait_written(struct ext4_output *o)
{
	if (!o->started)
		return 0;
	pthread_mutex_lock(&o->lock);
	while (o->writing)
		pthread_cond_wait(&o->changed, &o->lock);
	int e = o->error;
	uint64_t at = o->error_at;
	pthread_mutex_unlock(&o->lock);
	return e ? report(e, at) : 0;
}

static bool start_thread(struct ext4_output *o)
{
	if (pthread_mutex_init(&o->lock, NULL) != 0)
		return false;
	if (pthread_cond_init(&o->changed, NULL) != 0) {
		pthread_mutex_destroy(&o->lock);
		return false;
	}
	if (pthread_create(&o->thread, NULL, output_thread, o) != 0) {
		pthread_cond_destroy(&o->changed);
		pthread_mutex_destroy(&o->lock);
		return false;
	}
	o->started = true;
	return true;
}

int ext4_output_submit(struct ext4_output *o)
{
	int r = wait_written(o);
	if (r < 0)
		return r;
	struct ext4_output_batch *b = &o->batch[o->cur];
	if (b->len == 0)
		return 0;
	uint64_t end = b->end;
	if (o->background && !o->started && !start_thread(o))
		o->background = false; /* no thread: write in this one */
	if (!o->background) {
		uint64_t at = 0;
		if ((r = write_batch(o, b, &at)) < 0)
			return report(r, at);
	} else {
		pthread_mutex_lock(&o->lock);
		o->writing = b;
		pthread_cond_broadcast(&o->changed);
		pthread_mutex_unlock(&o->lock);
		o->cur ^= 1;
		b = &o->batch[o->cur];
	}
	b->niov = 0;
	b->nruns = 0;
	b->gap = false;
	b->staged = 0;
	b->len = 0;
	b->end = end;
	return 0;
}

void ext4_output_discard(struct ext4_output *o)
{
	if (o->started) {
		pthread_mutex_lock(&o->lock);
		while (o->writing)
			pthread_cond_wait(&o->changed, &o->lock);
		pthread_mutex_unlock(&o->lock);
	}
	struct ext4_output_batch *b = &o->batch[o->cur];
	b->niov = 0;
	b->nruns = 0;
	b->gap = false;
	b->staged = 0;
	b->len = 0;
}

int ext4_output_sync(struct ext4_output *o)
{
	int r = ext4_output_submit(o);
	return r < 0 ? r : wait_written(o);
}

/* Appends a piece to the current batch, continuing the last one when the
 * bytes follow it in memory. When p lies in the staging buffer, the caller
 * made sure the batch has room for a piece in a new run. */
static int queue_piece(struct ext4_output *o, const void *p, size_t len)
{
	struct ext4_output_batch *b = &o->batch[o->cur];
	bool new_run = b->nruns == 0 || b->gap;
	struct iovec *last = b->niov ? &b->iov[b->niov - 1] : NULL;
	if (!new_run && last->iov_base != zero_block && (const uint8_t *)last->iov_base + last->iov_len == p) {
		last->iov_len += len;
	} else {
		if (b->niov == EXT4_OUTPUT_PIECES || (new_run && b->nruns == EXT4_OUTPUT_RUNS)) {
			int r = ext4_output_submit(o);
			if (r < 0)
				return r;
			b = &o->batch[o->cur];
		}
		if (b->nruns == 0 || b->gap)
			b->runs[b->nruns++] = (struct ext4_output_run){ .first = b->niov, .pos = b->end, .from_fd = -1 };
		b->gap = false;
		b->iov[b->niov++] = (struct iovec){ .iov_base = (void *)p, .iov_len = len };
	}
	b->len += len;
	b->end += len;
	return b->len >= EXT4_OUTPUT_BATCH_MAX ? ext4_output_submit(o) : 0;
}

int ext4_output_copy(struct ext4_output *o, const void *p, size_t len)
{
	const uint8_t *src = p;
	while (len > 0) {
		/* queue_piece must not switch batches once the bytes are in this
		 * batch's staging buffer: make room for a piece in a new run. */
		struct ext4_output_batch *b = &o->batch[o->cur];
		if (b->staged == EXT4_OUTPUT_STAGING || b->niov == EXT4_OUTPUT_PIECES || b->nruns == EXT4_OUTPUT_RUNS) {
			int r = ext4_output_submit(o);
			if (r < 0)
				return r;
			b = &o->batch[o->cur];
		}
		size_t n = EXT4_OUTPUT_STAGING - b->staged;
		if (n > len)
			n = len;
		uint8_t *dst = b->staging + b->staged;
		memcpy(dst, src, n);
		b->staged += n;
		int r = queue_piece(o, dst, n);
		if (r < 0)
			return r;
		src += n;
		len -= n;
	}
	return 0;
}

int ext4_output_lend(struct ext4_output *o, const void *p, size_t len)
{
	return len ? queue_piece(o, p, len) : 0;
}

int ext4_output_zeros(struct ext4_output *o, uint64_t len)
{
	while (len > 0) {
		size_t n = len > sizeof(zero_block) ? sizeof(zero_block) : (size_t)len;
		int r = queue_piece(o, zero_block, n);
		if (r < 0)
			return r;
		len -= n;
	}
	return 0;
}

int ext4_output_copy_from(struct ext4_output *o, int fd, uint64_t from, uint64_t len)
{
	if (len == 0)
		return 0;
	struct ext4_output_batch *b = &o->batch[o->cur];
	if (b->nruns == EXT4_OUTPUT_RUNS) {
		int r = ext4_output_submit(o);
		if (r < 0)
			return r;
		b = &o->batch[o->cur];
	}
	b->runs[b->nruns++] =
		(struct ext4_output_run){ .first = b->niov, .pos = b->end, .from_fd = fd, .from = from, .copy_len = len };
	b->gap = true;
	b->len += len;
	b->end += len;
	return b->len >= EXT4_OUTPUT_BATCH_MAX ? ext4_output_submit(o) : 0;
}
