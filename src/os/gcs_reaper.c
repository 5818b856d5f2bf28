/* gcs_reaper.c: signalfd-driven reaping with a pid -> watcher registry. */
#include "os/gcs_reaper.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/gcs_log.h"
#include "os/gcs_loop.h"

struct watcher {
	pid_t pid;
	gcs_exit_fn fn;
	void *ctx;
	struct watcher *next;
};

/* Statuses nobody watched yet (a runc-created process can exit before its
 * pid file is read). Oldest entries are overwritten. */
#define EARLY_MAX 256
static struct {
	pid_t pid;
	int status;
} early[EARLY_MAX];
static unsigned early_next;

#define BUCKETS 256
static struct watcher *buckets[BUCKETS];
static unsigned watched;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_cond = PTHREAD_COND_INITIALIZER;
static int sigfd = -1;
static struct gcs_watch *sigwatch;

void gcs_reaper_lock(void)
{
	pthread_mutex_lock(&lock);
}

void gcs_reaper_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

unsigned gcs_reaper_count(void)
{
	return watched;
}

void gcs_reaper_block_sigchld(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
}

struct early_exit {
	pid_t pid;
	int status;
	gcs_exit_fn fn;
	void *ctx;
};

static void deliver_early(void *p)
{
	struct early_exit *e = p;
	e->fn(e->ctx, e->pid, e->status);
	free(e);
}

int gcs_reaper_watch_locked(pid_t pid, gcs_exit_fn fn, void *ctx)
{
	for (unsigned i = 0; i < EARLY_MAX; i++) {
		if (early[i].pid == pid) {
			struct early_exit *e = malloc(sizeof(*e));
			if (!e)
				return -ENOMEM;
			*e = (struct early_exit){ pid, early[i].status, fn, ctx };
			early[i].pid = 0;
			return gcs_loop_call(deliver_early, e);
		}
	}
	struct watcher **b = &buckets[(unsigned)pid % BUCKETS];
	for (struct watcher *w = *b; w; w = w->next)
		if (w->pid == pid)
			return err_setmsg(-EEXIST, "pid %d is already watched", pid);
	struct watcher *w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct watcher){ pid, fn, ctx, *b };
	*b = w;
	watched++;
	return 0;
}

int gcs_reaper_new_child_locked(pid_t pid, gcs_exit_fn fn, void *ctx)
{
	for (unsigned i = 0; i < EARLY_MAX; i++)
		if (early[i].pid == pid)
			early[i].pid = 0;
	return gcs_reaper_watch_locked(pid, fn, ctx);
}

int gcs_reaper_watch(pid_t pid, gcs_exit_fn fn, void *ctx)
{
	gcs_reaper_lock();
	int r = gcs_reaper_watch_locked(pid, fn, ctx);
	gcs_reaper_unlock();
	return r;
}

static struct watcher *take_locked(pid_t pid)
{
	for (struct watcher **pp = &buckets[(unsigned)pid % BUCKETS]; *pp; pp = &(*pp)->next) {
		if ((*pp)->pid == pid) {
			struct watcher *w = *pp;
			*pp = w->next;
			watched--;
			return w;
		}
	}
	return NULL;
}

void gcs_reaper_unwatch(pid_t pid)
{
	gcs_reaper_lock();
	free(take_locked(pid));
	gcs_reaper_unlock();
}

void gcs_reaper_sync_exit(void *ctx, pid_t pid, int status)
{
	struct gcs_reaper_sync *s = ctx;
	pthread_mutex_lock(&sync_lock);
	s->status = status;
	s->done = true;
	pthread_cond_broadcast(&sync_cond);
	pthread_mutex_unlock(&sync_lock);
}

int gcs_reaper_sync_wait(struct gcs_reaper_sync *s)
{
	pthread_mutex_lock(&sync_lock);
	while (!s->done)
		pthread_cond_wait(&sync_cond, &sync_lock);
	pthread_mutex_unlock(&sync_lock);
	return s->status;
}

static void reap_all(void *ctx, uint32_t events)
{
	struct signalfd_siginfo si;
	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
	}
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
		if (pid <= 0)
			break;
		gcs_reaper_lock();
		struct watcher *w = take_locked(pid);
		if (!w) {
			early[early_next].pid = pid;
			early[early_next].status = status;
			early_next = (early_next + 1) % EARLY_MAX;
		}
		gcs_reaper_unlock();
		if (w) {
			w->fn(w->ctx, pid, status);
			free(w);
		} else {
			log_debug("reaped unwatched pid %d (status 0x%x)", pid, status);
		}
	}
}

static void add_sigfd(void *p)
{
	int *r = p;
	*r = gcs_watch_add(sigfd, EPOLLIN, reap_all, NULL, &sigwatch);
	/* Children that exited before the watch existed. */
	reap_all(NULL, 0);
}

int gcs_reaper_start(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return err_set(-errno, "becoming a child subreaper");
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGCHLD);
	sigfd = signalfd(-1, &s, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0)
		return err_set(-errno, "creating the SIGCHLD signalfd");
	int r = 0;
	gcs_loop_call_sync(add_sigfd, &r);
	return r;
}
