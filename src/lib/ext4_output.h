/* ext4_output.h: the ext4 writer's sequential output (ext4_writer.c).
 *
 * The image is written front to back as a queue of pieces: bytes copied into
 * a staging buffer (metadata, data the caller cannot lend), zeros from one
 * shared block, and data the caller lends by reference. A batch of up to
 * 1024 pieces goes to the image with one pwritev per contiguous run, so lent
 * file data moves from the input's memory to the image in one kernel copy,
 * as cat's does. A run may instead be a range of another file, copied with
 * copy_file_range when the batch is written.
 *
 * With `background`, batches are written by a second thread while the next
 * one fills: two batches alternate, at most one is being written. The bytes
 * and their offsets are the same either way. */
#ifndef LCOW_EXT4_OUTPUT_H
#define LCOW_EXT4_OUTPUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define EXT4_OUTPUT_STAGING (1u << 20)
#define EXT4_OUTPUT_PIECES 1024         /* per pwritev: the kernel's UIO_MAXIOV */
#define EXT4_OUTPUT_RUNS 64             /* contiguous runs in one batch */
#define EXT4_OUTPUT_BATCH_MAX (64u << 20) /* bytes in one batch */

/* Pieces iov[first..next run's first) go to the image from offset pos; or,
 * with from_fd >= 0, copy_len bytes of from_fd at offset `from` do. */
struct ext4_output_run {
	int first;
	uint64_t pos;
	int from_fd;
	uint64_t from, copy_len;
};

struct ext4_output_batch {
	struct iovec *iov;
	int niov;
	struct ext4_output_run runs[EXT4_OUTPUT_RUNS];
	int nruns;
	bool gap;          /* the next piece starts a run (after a copy run) */
	uint8_t *staging;
	size_t staged;
	uint64_t len;      /* bytes queued */
	uint64_t end;      /* image offset after them */
};

struct ext4_output {
	int fd;
	struct ext4_output_batch batch[2];
	int cur; /* the batch being filled */

	bool background;
	bool started;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct ext4_output_batch *writing; /* handed to the thread, not yet written */
	bool stop;
	int error;         /* the thread's first failure, -errno */
	uint64_t error_at; /* and where */
	uint8_t *bounce;   /* copy runs across file systems (the writing thread's) */
};

/* Queues output from image offset `pos` on fd. Returns 0 or -ENOMEM (with
 * the err text set). */
int ext4_output_init(struct ext4_output *o, int fd, uint64_t pos, bool background);

/* Stops the thread (after its batch) and frees everything; unwritten
 * pieces are dropped. */
void ext4_output_destroy(struct ext4_output *o);

/* The image offset after everything queued. */
static inline uint64_t ext4_output_pos(const struct ext4_output *o)
{
	return o->batch[o->cur].end;
}

/* Queues a copy of p[0..len). */
int ext4_output_copy(struct ext4_output *o, const void *p, size_t len);

/* Queues p[0..len) by reference: it must stay valid and unchanged until a
 * later ext4_output_submit() or ext4_output_sync() says it is written. */
int ext4_output_lend(struct ext4_output *o, const void *p, size_t len);

/* Queues len zero bytes. */
int ext4_output_zeros(struct ext4_output *o, uint64_t len);

/* Hands the queue over to be written (written now, without a thread).
 * Waits first for the batch handed over before, so on return everything
 * queued before the previous ext4_output_submit() is written. */
int ext4_output_submit(struct ext4_output *o);

/* After a failure: waits for the batch being written, if any, and drops
 * what is queued, so that no lent buffer is referenced any more. Leaves
 * the err text alone. */
void ext4_output_discard(struct ext4_output *o);

/* Writes everything queued and waits for it. */
int ext4_output_sync(struct ext4_output *o);

/* Queues `len` bytes of fd from offset `from`, copied by the kernel
 * (copy_file_range, else through a buffer) when the batch is written: the
 * bytes never enter this process's memory. fd must stay open and those
 * bytes unchanged until a later ext4_output_submit() or ext4_output_sync()
 * says they are written. An fd that ends early is an error then. */
int ext4_output_copy_from(struct ext4_output *o, int fd, uint64_t from, uint64_t len);

#endif
