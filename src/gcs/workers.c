/* workers.c: threads that run blocking handlers (§1.9).
 *
 * A request never waits for another: when no worker is idle a new one is
 * started. Idle workers beyond the first exit after a few seconds, so an
 * idle GCS holds few threads. Stacks are small (handlers keep big buffers
 * on the heap). */
#include "gcs/internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define WORKER_STACK (256 * 1024)
#define IDLE_EXIT_SECONDS 5

struct job {
	void (*fn)(void *);
	void *ctx;
	struct job *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct job *head, *tail;
static unsigned nthreads, nidle;

unsigned gcs_workers_count(unsigned *busy)
{
	pthread_mutex_lock(&lock);
	unsigned n = nthreads;
	if (busy)
		*busy = nthreads - nidle;
	pthread_mutex_unlock(&lock);
	return n;
}

static void *worker_main(void *arg)
{
	pthread_setname_np(pthread_self(), "gcs-worker");
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!head) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += IDLE_EXIT_SECONDS;
			nidle++;
			int r = pthread_cond_timedwait(&cond, &lock, &ts);
			nidle--;
			if (r == ETIMEDOUT && !head && nthreads > 1) {
				nthreads--;
				pthread_mutex_unlock(&lock);
				return NULL;
			}
		}
		struct job *j = head;
		head = j->next;
		if (!head)
			tail = NULL;
		pthread_mutex_unlock(&lock);
		j->fn(j->ctx);
		free(j);
		pthread_mutex_lock(&lock);
	}
}

int gcs_workers_submit(void (*fn)(void *), void *ctx)
{
	struct job *j = malloc(sizeof(*j));
	if (!j)
		return -ENOMEM;
	*j = (struct job){ fn, ctx, NULL };
	pthread_mutex_lock(&lock);
	if (tail)
		tail->next = j;
	else
		head = j;
	tail = j;
	int r = 0;
	/* Jobs queued beyond the idle workers each get a new thread. */
	unsigned pending = 0;
	for (struct job *p = head; p; p = p->next)
		pending++;
	if (pending > nidle) {
		pthread_attr_t a;
		pthread_t t;
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, WORKER_STACK);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		r = pthread_create(&t, &a, worker_main, NULL);
		pthread_attr_destroy(&a);
		if (r == 0)
			nthreads++;
		else if (nthreads > 0)
			r = 0; /* an existing worker will get to it */
		else
			r = -r;
	}
	if (r < 0) { /* no thread at all: take the job back */
		struct job **pp = &head;
		while (*pp != j)
			pp = &(*pp)->next;
		*pp = NULL;
		tail = NULL;
		for (struct job *q = head; q; q = q->next)
			tail = q;
		free(j);
	}
	if (r == 0)
		pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	return r;
}
