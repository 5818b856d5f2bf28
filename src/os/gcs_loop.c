/* gcs_loop.c: epoll loop thread with cross-thread calls and timers. */
#include "os/gcs_loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/gcs_log.h"

struct gcs_watch {
	int fd;
	gcs_watch_fn fn;
	void *ctx;
	bool dead;
	struct gcs_watch *next_dead;
};

struct call {
	gcs_call_fn fn;
	void *ctx;
	struct call *next;
};

struct gcs_timer {
	uint64_t due;
	gcs_call_fn fn;
	void *ctx;
	struct gcs_timer *next;
};

static int epfd = -1, wakefd = -1;
static pthread_t loop_thread;
static atomic_int loop_tid; /* set by the loop thread before any call runs */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct call *calls_head, *calls_tail;
static struct gcs_timer *timers; /* sorted by due */
static struct gcs_watch *dead_watches;

uint64_t gcs_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool gcs_loop_in_thread(void)
{
	int t = atomic_load(&loop_tid);
	return t != 0 && t == (int)gettid();
}

static void wake(void)
{
	uint64_t one = 1;
	if (write(wakefd, &one, sizeof(one)) < 0) {
		/* the counter is already non-zero: the loop will wake */
	}
}

int gcs_loop_call(gcs_call_fn fn, void *ctx)
{
	struct call *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = (struct call){ fn, ctx, NULL };
	pthread_mutex_lock(&lock);
	if (calls_tail)
		calls_tail->next = c;
	else
		calls_head = c;
	calls_tail = c;
	pthread_mutex_unlock(&lock);
	wake();
	return 0;
}

struct sync_call {
	gcs_call_fn fn;
	void *ctx;
	bool done;
	pthread_mutex_t m;
	pthread_cond_t c;
};

static void run_sync(void *p)
{
	struct sync_call *s = p;
	s->fn(s->ctx);
	pthread_mutex_lock(&s->m);
	s->done = true;
	pthread_cond_signal(&s->c);
	pthread_mutex_unlock(&s->m);
}

int gcs_loop_call_sync(gcs_call_fn fn, void *ctx)
{
	if (gcs_loop_in_thread()) {
		fn(ctx);
		return 0;
	}
	struct sync_call s = { .fn = fn, .ctx = ctx };
	pthread_mutex_init(&s.m, NULL);
	pthread_cond_init(&s.c, NULL);
	int r = gcs_loop_call(run_sync, &s);
	if (r == 0) {
		pthread_mutex_lock(&s.m);
		while (!s.done)
			pthread_cond_wait(&s.c, &s.m);
		pthread_mutex_unlock(&s.m);
	}
	pthread_mutex_destroy(&s.m);
	pthread_cond_destroy(&s.c);
	return r;
}

int gcs_watch_add(int fd, uint32_t events, gcs_watch_fn fn, void *ctx, struct gcs_watch **out)
{
	struct gcs_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct gcs_watch){ .fd = fd, .fn = fn, .ctx = ctx };
	struct epoll_event ev = { .events = events, .data.ptr = w };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;
		free(w);
		return err_set(r, "watching descriptor %d", fd);
	}
	if (out)
		*out = w;
	return 0;
}

int gcs_watch_set(struct gcs_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return err_set(-errno, "changing the watch of descriptor %d", w->fd);
	return 0;
}

void gcs_watch_del(struct gcs_watch *w)
{
	if (!w || w->dead)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->dead = true;
	/* Freed after this round of events: a later event in the same batch
	 * may still point at it. */
	w->next_dead = dead_watches;
	dead_watches = w;
}

struct gcs_timer *gcs_timer_add(uint64_t ms, gcs_call_fn fn, void *ctx)
{
	struct gcs_timer *t = malloc(sizeof(*t));
	if (!t)
		return NULL;
	*t = (struct gcs_timer){ .due = gcs_now_ms() + ms, .fn = fn, .ctx = ctx };
	pthread_mutex_lock(&lock);
	struct gcs_timer **pp = &timers;
	while (*pp && (*pp)->due <= t->due)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	pthread_mutex_unlock(&lock);
	wake();
	return t;
}

void gcs_timer_cancel(struct gcs_timer *t)
{
	pthread_mutex_lock(&lock);
	for (struct gcs_timer **pp = &timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			free(t);
			break;
		}
	}
	pthread_mutex_unlock(&lock);
}

static void run_calls_and_timers(void)
{
	for (;;) {
		pthread_mutex_lock(&lock);
		struct call *c = calls_head;
		if (c) {
			calls_head = c->next;
			if (!calls_head)
				calls_tail = NULL;
		}
		pthread_mutex_unlock(&lock);
		if (!c)
			break;
		c->fn(c->ctx);
		free(c);
	}
	for (;;) {
		uint64_t now = gcs_now_ms();
		pthread_mutex_lock(&lock);
		struct gcs_timer *t = timers;
		if (t && t->due <= now)
			timers = t->next;
		else
			t = NULL;
		pthread_mutex_unlock(&lock);
		if (!t)
			break;
		t->fn(t->ctx);
		free(t);
	}
}

static int next_timeout(void)
{
	int ms = -1;
	pthread_mutex_lock(&lock);
	if (calls_head) {
		ms = 0;
	} else if (timers) {
		uint64_t now = gcs_now_ms();
		ms = timers->due <= now ? 0 : (int)((timers->due - now) > 60000 ? 60000 : timers->due - now);
	}
	pthread_mutex_unlock(&lock);
	return ms;
}

static void *loop_main(void *arg)
{
	atomic_store(&loop_tid, (int)gettid());
	pthread_setname_np(pthread_self(), "gcs-loop");
	struct epoll_event evs[64];
	for (;;) {
		int n = epoll_wait(epfd, evs, 64, next_timeout());
		if (n < 0 && errno != EINTR) {
			log_error("event loop: epoll_wait: %s", strerror(errno));
			continue;
		}
		for (int i = 0; i < n; i++) {
			struct gcs_watch *w = evs[i].data.ptr;
			if (!w) {
				uint64_t v;
				if (read(wakefd, &v, sizeof(v)) < 0) {
					/* spurious wake */
				}
				continue;
			}
			if (!w->dead)
				w->fn(w->ctx, evs[i].events);
		}
		while (dead_watches) {
			struct gcs_watch *w = dead_watches;
			dead_watches = w->next_dead;
			free(w);
		}
		run_calls_and_timers();
	}
	return NULL;
}

int gcs_loop_start(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return err_set(-errno, "creating the event loop");
	wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wakefd < 0)
		return err_set(-errno, "creating the event loop wake-up descriptor");
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, wakefd, &ev) < 0)
		return err_set(-errno, "watching the wake-up descriptor");
	int r = pthread_create(&loop_thread, NULL, loop_main, NULL);
	if (r)
		return err_set(-r, "starting the event loop thread");
	return 0;
}
