/* process.c: the process tables, exit publication and waits (§4.1.5, §4.2.4, §4.3-4.5, §5.5).
 *
 * Locking: one mutex (proc_lock) guards the tables and every process's
 * state. Relays, exits and wait completions run on the event loop thread;
 * spawns and lookups run on request threads. A process is published (its
 * exit code made visible) on the loop thread once it has exited and its
 * output relays have finished (drained + clean close). */
#include "gcs/process.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gcs/internal.h"
#include "os/gcs_loop.h"
#include "os/gcs_pty.h"
#include "os/gcs_relay.h"
#include "os/gcs_spawn.h"
#include "os/gcs_transport.h"

/* V3 keeps exit records (§10 row 8); beyond this many the oldest
 * published ones are forgotten so memory stays bounded. */
#define V3_MAX_RECORDS 4096

struct waiter {
	struct gcs_request *req;
	struct gcs_timer *timer;
	struct gcs_process *p;
	struct waiter *next;
	struct waiter *all_prev, *all_next; /* all pending waits, for purging */
};

struct gcs_process {
	int refs;
	pid_t pid;
	struct gcs_proc_table *table; /* NULL once removed */
	struct gcs_process *next;     /* in table */
	char *container_id;
	char *name;
	enum gcs_exit_style exit_style;
	struct gcs_process_hooks hooks;
	bool has_hooks;
	bool tty;
	/* state */
	bool exited, publishing, published, waited, attached;
	int status;
	uint32_t exit_code;
	unsigned outputs_open;
	struct gcs_relay *stdin_relay;
	int ours[3];   /* pipe ends / pty master not yet given to relays */
	int pty_master; /* our copy for resizes; closed at publish */
	int idle_sock;  /* a connected stream that carries nothing (stderr with a pty) */
	struct waiter *waiters;
	uint64_t started_ms;
};

struct gcs_proc_table {
	char *name;
	enum gcs_retention retention;
	struct gcs_process *head;
	unsigned count;
};

static pthread_mutex_t proc_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned live;
static struct waiter *all_waiters;

static void all_add_locked(struct waiter *w)
{
	w->all_prev = NULL;
	w->all_next = all_waiters;
	if (all_waiters)
		all_waiters->all_prev = w;
	all_waiters = w;
}

static void all_del_locked(struct waiter *w)
{
	if (w->all_prev)
		w->all_prev->all_next = w->all_next;
	else
		all_waiters = w->all_next;
	if (w->all_next)
		w->all_next->all_prev = w->all_prev;
}
struct gcs_proc_table *gcs_v3_processes;
struct gcs_proc_table *gcs_uvm_processes;
static gcs_container_table_fn container_resolver;

static void ensure_default_tables(void) __attribute__((constructor));
static void ensure_default_tables(void)
{
	gcs_v3_processes = gcs_proc_table_new("v3", GCS_KEEP_EXIT_RECORDS);
	gcs_uvm_processes = gcs_proc_table_new("uvm", GCS_DROP_AFTER_FIRST_WAIT);
}

struct gcs_proc_table *gcs_proc_table_new(const char *name, enum gcs_retention retention)
{
	struct gcs_proc_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->name = strdup(name);
	t->retention = retention;
	return t;
}

static void unref_locked(struct gcs_process *p)
{
	if (--p->refs > 0)
		return;
	for (int i = 0; i < 3; i++)
		if (p->ours[i] >= 0)
			close(p->ours[i]);
	if (p->pty_master >= 0)
		close(p->pty_master);
	if (p->idle_sock >= 0)
		close(p->idle_sock);
	free(p->container_id);
	free(p->name);
	free(p);
}

void gcs_process_unref(struct gcs_process *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&proc_lock);
	unref_locked(p);
	pthread_mutex_unlock(&proc_lock);
}

static void remove_locked(struct gcs_proc_table *t, struct gcs_process *p)
{
	if (p->table != t)
		return;
	for (struct gcs_process **pp = &t->head; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			t->count--;
			p->table = NULL;
			unref_locked(p);
			return;
		}
	}
}

void gcs_proc_table_remove(struct gcs_proc_table *t, struct gcs_process *p)
{
	pthread_mutex_lock(&proc_lock);
	remove_locked(t, p);
	pthread_mutex_unlock(&proc_lock);
}

void gcs_proc_table_free(struct gcs_proc_table *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&proc_lock);
	while (t->head)
		remove_locked(t, t->head);
	pthread_mutex_unlock(&proc_lock);
	free(t->name);
	free(t);
}

/* Inserts p; a record with the same pid is stale (pid reuse) and replaced. */
static void insert_locked(struct gcs_proc_table *t, struct gcs_process *p)
{
	for (struct gcs_process *q = t->head; q; q = q->next) {
		if (q->pid == p->pid) {
			remove_locked(t, q);
			break;
		}
	}
	if (t->retention == GCS_KEEP_EXIT_RECORDS && t->count >= V3_MAX_RECORDS) {
		struct gcs_process *oldest = NULL;
		for (struct gcs_process *q = t->head; q; q = q->next)
			if (q->published)
				oldest = q; /* the list is newest-first */
		if (oldest)
			remove_locked(t, oldest);
	}
	p->table = t;
	p->refs++;
	p->next = t->head;
	t->head = p;
	t->count++;
}

struct gcs_process *gcs_proc_table_get(struct gcs_proc_table *t, pid_t pid)
{
	pthread_mutex_lock(&proc_lock);
	struct gcs_process *found = NULL;
	for (struct gcs_process *q = t->head; q; q = q->next) {
		if (q->pid == pid) {
			found = q;
			q->refs++;
			break;
		}
	}
	pthread_mutex_unlock(&proc_lock);
	return found;
}

pid_t gcs_process_pid(const struct gcs_process *p)
{
	return p->pid;
}

const char *gcs_process_container_id(const struct gcs_process *p)
{
	return p->container_id;
}

unsigned gcs_process_live_count(void)
{
	return live;
}

bool gcs_process_exited(const struct gcs_process *p, uint32_t *exit_code)
{
	pthread_mutex_lock(&proc_lock);
	bool e = p->exited;
	if (e && exit_code)
		*exit_code = p->exit_code;
	pthread_mutex_unlock(&proc_lock);
	return e;
}

/* ---- stdio ---- */

void gcs_stdio_close(struct gcs_stdio *s)
{
	for (int i = 0; i < 3; i++) {
		if (s->sock[i] >= 0)
			close(s->sock[i]);
		s->sock[i] = -1;
	}
}

int gcs_stdio_dial(const struct bridge_exec *e, struct gcs_stdio *out)
{
	static const char *const names[3] = { "stdin", "stdout", "stderr" };
	*out = GCS_STDIO_NONE;
	for (int i = 0; i < 3; i++) {
		if (!e->pipe[i])
			continue;
		if (e->port[i] == 0) {
			gcs_stdio_close(out);
			return err_setmsg(-EINVAL, "%s was requested without a vsock port", names[i]);
		}
		int fd = gcs_dial(e->port[i]);
		if (fd < 0) {
			gcs_stdio_close(out);
			return err_wrap(fd, "connecting %s", names[i]);
		}
		out->sock[i] = fd;
	}
	return 0;
}

void gcs_stdio_pipes_close_child(struct gcs_stdio_pipes *p)
{
	for (int i = 0; i < 3; i++) {
		if (p->child[i] >= 0 && (i == 0 || p->child[i] != p->child[i - 1]))
			close(p->child[i]);
		p->child[i] = -1;
	}
}

void gcs_stdio_pipes_close(struct gcs_stdio_pipes *p)
{
	gcs_stdio_pipes_close_child(p);
	for (int i = 0; i < 3; i++) {
		if (p->ours[i] >= 0)
			close(p->ours[i]);
		p->ours[i] = -1;
	}
	if (p->pty_master >= 0)
		close(p->pty_master);
	p->pty_master = -1;
}

int gcs_stdio_pipes_new(const bool want[3], struct gcs_stdio_pipes *p)
{
	*p = (struct gcs_stdio_pipes){ { -1, -1, -1 }, { -1, -1, -1 }, -1 };
	for (int i = 0; i < 3; i++) {
		if (!want[i])
			continue;
		int fds[2];
		if (pipe2(fds, O_CLOEXEC) < 0) {
			int r = -errno;
			gcs_stdio_pipes_close(p);
			return err_set(r, "creating a pipe");
		}
		if (i == 0) {
			p->child[0] = fds[0];
			p->ours[0] = fds[1];
		} else {
			p->child[i] = fds[1];
			p->ours[i] = fds[0];
			/* Bigger pipes mean fewer wake-ups for chatty programs. */
			fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
		}
	}
	return 0;
}

/* ---- exit publication (loop thread) ---- */

static uint32_t exit_code_of(const struct gcs_process *p)
{
	if (WIFEXITED(p->status))
		return (uint32_t)WEXITSTATUS(p->status);
	if (WIFSIGNALED(p->status))
		return p->exit_style == GCS_EXIT_CONTAINER ? 128u + (uint32_t)WTERMSIG(p->status)
							   : BRIDGE_EXIT_CODE_SIGNALED;
	return BRIDGE_EXIT_CODE_SIGNALED;
}

/* Answers one waiter with the exit code (lock not held). */
static void answer_exit(struct gcs_request *req, uint32_t code)
{
	json_object_object_add(gcs_request_response(req), "ExitCode", json_object_new_int64(code));
	gcs_request_reply(req);
}

/* V4 retention (§4.3): the record goes with the first completed wait. It is
 * removed before the answer is queued so a host that waits again right
 * after the answer already gets HR_NOT_FOUND. */
static void drop_if_waited_locked(struct gcs_process *p, unsigned answered)
{
	if (answered && p->table && p->table->retention == GCS_DROP_AFTER_FIRST_WAIT)
		remove_locked(p->table, p);
}

/* Hooks after the answers are queued (§4.4 order: answer, then notify). */
static void after_waits(struct gcs_process *p, unsigned answered)
{
	bool first = false;
	pthread_mutex_lock(&proc_lock);
	if (answered && !p->waited) {
		p->waited = true;
		first = true;
	}
	pthread_mutex_unlock(&proc_lock);
	if (first && p->has_hooks && p->hooks.after_first_wait)
		p->hooks.after_first_wait(p, p->hooks.ctx);
}

static void publish_on_loop(void *ctx)
{
	struct gcs_process *p = ctx;
	pthread_mutex_lock(&proc_lock);
	p->exit_code = exit_code_of(p);
	p->published = true;
	live--;
	struct waiter *w = p->waiters;
	p->waiters = NULL;
	for (struct waiter *x = w; x; x = x->next)
		all_del_locked(x);
	drop_if_waited_locked(p, w != NULL);
	int pty = p->pty_master, idle = p->idle_sock;
	p->pty_master = p->idle_sock = -1;
	uint32_t code = p->exit_code;
	pthread_mutex_unlock(&proc_lock);
	if (pty >= 0)
		close(pty);
	if (idle >= 0) {
		shutdown(idle, SHUT_WR);
		close(idle);
	}
	log_debug("process %d (%s) exit code %u published", p->pid, p->name, code);
	unsigned answered = 0;
	while (w) {
		struct waiter *next = w->next;
		if (w->timer)
			gcs_timer_cancel(w->timer);
		answer_exit(w->req, code);
		answered++;
		free(w);
		w = next;
	}
	after_waits(p, answered);
	for (unsigned i = 0; i < answered; i++)
		gcs_process_unref(p); /* the waiters' references */
	gcs_process_unref(p); /* the reference held while running */
}

void gcs_process_publish(struct gcs_process *p)
{
	if (gcs_loop_in_thread())
		publish_on_loop(p);
	else
		gcs_loop_call(publish_on_loop, p);
}

static void maybe_publish(struct gcs_process *p)
{
	pthread_mutex_lock(&proc_lock);
	bool ready = p->exited && p->outputs_open == 0 && !p->publishing;
	if (ready)
		p->publishing = true;
	pthread_mutex_unlock(&proc_lock);
	if (!ready)
		return;
	if (p->has_hooks && p->hooks.before_publish)
		p->hooks.before_publish(p, p->hooks.ctx);
	else
		publish_on_loop(p);
}

static void on_exit_status(void *ctx, pid_t pid, int status)
{
	struct gcs_process *p = ctx;
	pthread_mutex_lock(&proc_lock);
	p->exited = true;
	p->status = status;
	pthread_mutex_unlock(&proc_lock);
	log_debug("process %d (%s) exited (status 0x%x)", pid, p->name, status);
	/* §5.5 step 2: stdin is no longer needed. */
	if (p->stdin_relay) {
		struct gcs_relay *r = p->stdin_relay;
		p->stdin_relay = NULL;
		gcs_relay_stop(r);
	}
	maybe_publish(p);
}

static void stdin_done(void *ctx, struct gcs_relay *r, uint64_t bytes, int err)
{
	struct gcs_process *p = ctx;
	if (p->stdin_relay == r)
		p->stdin_relay = NULL;
	gcs_process_unref(p);
}

static void output_done(void *ctx, struct gcs_relay *r, uint64_t bytes, int err)
{
	struct gcs_process *p = ctx;
	pthread_mutex_lock(&proc_lock);
	p->outputs_open--;
	pthread_mutex_unlock(&proc_lock);
	maybe_publish(p);
	gcs_process_unref(p);
}

struct attach {
	struct gcs_process *p;
	struct gcs_stdio io;
};

/* Loop thread: wires the process's descriptors to the host sockets. */
static void attach_on_loop(void *ctx)
{
	struct attach *a = ctx;
	struct gcs_process *p = a->p;
	int out_relays = 0;
	pthread_mutex_lock(&proc_lock);
	int ours[3] = { p->ours[0], p->ours[1], p->ours[2] };
	p->ours[0] = p->ours[1] = p->ours[2] = -1;
	bool exited = p->exited;
	pthread_mutex_unlock(&proc_lock);

	if (p->tty) {
		/* ours[1] is the master; stdin writes go to a duplicate so each
		 * relay owns its descriptors and host EOF on stdin does not close
		 * the terminal (§5.3). */
		int master = ours[1];
		if (a->io.sock[0] >= 0 && !exited) {
			int dup_master = fcntl(master, F_DUPFD_CLOEXEC, 3);
			pthread_mutex_lock(&proc_lock);
			p->refs++;
			pthread_mutex_unlock(&proc_lock);
			if (dup_master < 0 || gcs_relay_start(a->io.sock[0], dup_master, 0, stdin_done, p, &p->stdin_relay) < 0) {
				if (dup_master < 0)
					close(a->io.sock[0]);
				gcs_process_unref(p);
			}
		} else if (a->io.sock[0] >= 0) {
			close(a->io.sock[0]);
		}
		if (a->io.sock[1] >= 0) {
			pthread_mutex_lock(&proc_lock);
			p->refs++;
			pthread_mutex_unlock(&proc_lock);
			out_relays++;
			if (gcs_relay_start(master, a->io.sock[1], GCS_RELAY_CLEAN_CLOSE, output_done, p, NULL) < 0) {
				/* done is not called on a failed start */
				out_relays--;
				gcs_process_unref(p);
			}
		} else {
			close(master);
		}
		if (a->io.sock[2] >= 0) {
			pthread_mutex_lock(&proc_lock);
			p->idle_sock = a->io.sock[2];
			pthread_mutex_unlock(&proc_lock);
		}
	} else {
		if (ours[0] >= 0 && a->io.sock[0] >= 0 && !exited) {
			pthread_mutex_lock(&proc_lock);
			p->refs++;
			pthread_mutex_unlock(&proc_lock);
			if (gcs_relay_start(a->io.sock[0], ours[0], 0, stdin_done, p, &p->stdin_relay) < 0)
				gcs_process_unref(p);
		} else {
			if (ours[0] >= 0)
				close(ours[0]);
			if (a->io.sock[0] >= 0)
				close(a->io.sock[0]);
		}
		for (int i = 1; i < 3; i++) {
			if (ours[i] >= 0 && a->io.sock[i] >= 0) {
				pthread_mutex_lock(&proc_lock);
				p->refs++;
				pthread_mutex_unlock(&proc_lock);
				out_relays++;
				if (gcs_relay_start(ours[i], a->io.sock[i], GCS_RELAY_CLEAN_CLOSE, output_done, p, NULL) < 0) {
					out_relays--;
					gcs_process_unref(p);
				}
			} else {
				if (ours[i] >= 0)
					close(ours[i]);
				if (a->io.sock[i] >= 0) {
					shutdown(a->io.sock[i], SHUT_WR);
					close(a->io.sock[i]);
				}
			}
		}
	}
	pthread_mutex_lock(&proc_lock);
	/* outputs_open was raised to 1 as a guard at creation; replace it. */
	p->outputs_open = p->outputs_open - 1 + (unsigned)out_relays;
	pthread_mutex_unlock(&proc_lock);
	free(a);
	maybe_publish(p);
	gcs_process_unref(p);
}

int gcs_process_attach_stdio(struct gcs_process *p, struct gcs_stdio *io)
{
	pthread_mutex_lock(&proc_lock);
	bool again = p->attached;
	p->attached = true;
	pthread_mutex_unlock(&proc_lock);
	if (again) {
		gcs_stdio_close(io);
		return err_setmsg(-EALREADY, "process %d already has its stdio", p->pid);
	}
	struct attach *a = malloc(sizeof(*a));
	if (!a) {
		gcs_stdio_close(io);
		return -ENOMEM;
	}
	a->p = p;
	a->io = *io;
	*io = GCS_STDIO_NONE;
	pthread_mutex_lock(&proc_lock);
	p->refs++;
	pthread_mutex_unlock(&proc_lock);
	int r = gcs_loop_call(attach_on_loop, a);
	if (r < 0) {
		gcs_stdio_close(&a->io);
		free(a);
		gcs_process_unref(p);
	}
	return r;
}

static struct gcs_process *process_new(const struct gcs_process_start *s)
{
	struct gcs_process *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->refs = 1;
	p->ours[0] = p->ours[1] = p->ours[2] = -1;
	p->pty_master = p->idle_sock = -1;
	p->exit_style = s->exit_style;
	p->tty = s->tty;
	p->container_id = strdup(s->container_id ? s->container_id : "");
	p->name = strdup(s->argv && s->argv[0] ? s->argv[0] : "(adopted)");
	if (s->hooks) {
		p->hooks = *s->hooks;
		p->has_hooks = true;
	}
	/* Guard: publication waits for attach_stdio (which replaces this). */
	p->outputs_open = 1;
	p->started_ms = gcs_now_ms();
	if (!p->container_id || !p->name) {
		free(p->container_id);
		free(p->name);
		free(p);
		return NULL;
	}
	return p;
}

int gcs_process_spawn(struct gcs_proc_table *t, const struct gcs_process_start *s, struct gcs_stdio *io,
		      struct gcs_process **out)
{
	struct gcs_stdio_pipes pipes;
	int r;
	if (s->tty) {
		int master, slave;
		r = gcs_pty_open(&master, &slave);
		if (r < 0) {
			gcs_stdio_close(io);
			return r;
		}
		if (s->rows && s->cols)
			gcs_pty_resize(master, s->rows, s->cols);
		pipes = (struct gcs_stdio_pipes){ { slave, slave, slave }, { -1, -1, -1 }, master };
	} else {
		bool want[3] = { io->sock[0] >= 0, io->sock[1] >= 0, io->sock[2] >= 0 };
		r = gcs_stdio_pipes_new(want, &pipes);
		if (r < 0) {
			gcs_stdio_close(io);
			return r;
		}
	}
	struct gcs_process *p = process_new(s);
	if (!p) {
		gcs_stdio_pipes_close(&pipes);
		gcs_stdio_close(io);
		return -ENOMEM;
	}
	struct gcs_spawn_opts o = {
		.argv = s->argv,
		.envp = s->envp,
		.cwd = s->cwd,
		.fd = { pipes.child[0], pipes.child[1], pipes.child[2] },
		.new_session_tty = s->tty,
		.on_exit = on_exit_status,
		.ctx = p,
	};
	pthread_mutex_lock(&proc_lock);
	p->refs++; /* held until published */
	r = gcs_spawn(&o, &p->pid);
	if (r == 0) {
		live++;
		insert_locked(t, p);
		if (s->tty) {
			p->ours[1] = pipes.pty_master;
			p->pty_master = fcntl(pipes.pty_master, F_DUPFD_CLOEXEC, 3);
		} else {
			for (int i = 0; i < 3; i++)
				p->ours[i] = pipes.ours[i];
		}
	} else {
		p->refs--;
	}
	pthread_mutex_unlock(&proc_lock);
	gcs_stdio_pipes_close_child(&pipes);
	if (r < 0) {
		gcs_stdio_pipes_close(&pipes);
		gcs_stdio_close(io);
		gcs_process_unref(p);
		return r;
	}
	log_debug("process %d (%s) started", p->pid, p->name);
	gcs_process_attach_stdio(p, io);
	if (out)
		*out = p;
	else
		gcs_process_unref(p);
	return 0;
}

int gcs_process_adopt(struct gcs_proc_table *t, pid_t pid, struct gcs_stdio_pipes *pipes,
		      const struct gcs_process_start *s, struct gcs_process **out)
{
	struct gcs_process *p = process_new(s);
	if (!p)
		return -ENOMEM;
	p->pid = pid;
	p->tty = pipes->pty_master >= 0;
	gcs_stdio_pipes_close_child(pipes);
	if (p->tty) {
		p->ours[1] = pipes->pty_master;
		p->pty_master = fcntl(pipes->pty_master, F_DUPFD_CLOEXEC, 3);
	} else {
		for (int i = 0; i < 3; i++)
			p->ours[i] = pipes->ours[i];
	}
	*pipes = (struct gcs_stdio_pipes){ { -1, -1, -1 }, { -1, -1, -1 }, -1 };
	pthread_mutex_lock(&proc_lock);
	p->refs++; /* held until published */
	live++;
	insert_locked(t, p);
	pthread_mutex_unlock(&proc_lock);
	int r = gcs_reaper_watch(pid, on_exit_status, p);
	if (r < 0) {
		gcs_proc_table_remove(t, p);
		gcs_process_unref(p);
		gcs_process_unref(p);
		return err_wrap(r, "watching pid %d", pid);
	}
	if (out)
		*out = p;
	else
		gcs_process_unref(p);
	return 0;
}

/* ---- wait, signal, resize ---- */

static void wait_timed_out(void *ctx)
{
	struct waiter *w = ctx;
	struct gcs_process *p = w->p;
	bool found = false;
	pthread_mutex_lock(&proc_lock);
	for (struct waiter **pp = &p->waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			all_del_locked(w);
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&proc_lock);
	if (!found)
		return;
	gcs_request_fail(w->req, HR_TIMEOUT, "timed out waiting for process %d", p->pid);
	gcs_process_unref(p);
	free(w);
}

int gcs_process_wait(struct gcs_process *p, struct gcs_request *req, uint32_t timeout_ms)
{
	pthread_mutex_lock(&proc_lock);
	if (p->published) {
		uint32_t code = p->exit_code;
		drop_if_waited_locked(p, 1);
		pthread_mutex_unlock(&proc_lock);
		answer_exit(req, code);
		after_waits(p, 1);
		return GCS_DEFERRED;
	}
	if (timeout_ms == 0) {
		pthread_mutex_unlock(&proc_lock);
		gcs_request_fail(req, HR_TIMEOUT, "process %d has not exited", p->pid);
		return GCS_DEFERRED;
	}
	struct waiter *w = calloc(1, sizeof(*w));
	if (!w) {
		pthread_mutex_unlock(&proc_lock);
		gcs_request_fail(req, HR_E_FAIL, "out of memory");
		return GCS_DEFERRED;
	}
	w->req = req;
	w->p = p;
	p->refs++; /* the waiter's, dropped on timeout */
	w->next = p->waiters;
	p->waiters = w;
	all_add_locked(w);
	if (timeout_ms != BRIDGE_WAIT_INFINITE)
		w->timer = gcs_timer_add(timeout_ms, wait_timed_out, w);
	pthread_mutex_unlock(&proc_lock);
	return GCS_DEFERRED;
}

int gcs_process_signal(struct gcs_process *p, int sig)
{
	pthread_mutex_lock(&proc_lock);
	int r = 0;
	if (p->exited)
		r = err_setmsg(-ESRCH, "process %d has already exited", p->pid);
	else if (kill(p->pid, sig) < 0)
		r = err_set(-errno, "sending signal %d to process %d", sig, p->pid);
	pthread_mutex_unlock(&proc_lock);
	if (r == 0 && p->has_hooks && p->hooks.signaled)
		p->hooks.signaled(p, sig, p->hooks.ctx);
	return r;
}

int gcs_process_resize(struct gcs_process *p, unsigned rows, unsigned cols)
{
	pthread_mutex_lock(&proc_lock);
	int r = 0;
	if (!p->tty)
		r = err_setmsg(-ENOTTY, "process %d has no console", p->pid);
	else if (p->pty_master >= 0)
		r = gcs_pty_resize(p->pty_master, rows, cols);
	/* else: the pty is already closed; ignored (§10 row 12) */
	pthread_mutex_unlock(&proc_lock);
	return r;
}

/* Loop thread: waits whose connection is gone can never be answered; free
 * them (and their timers) instead of holding them until the process ends. */
static void purge_on_loop(void *ctx)
{
	pthread_mutex_lock(&proc_lock);
	struct waiter *dead = NULL;
	for (struct waiter *w = all_waiters, *next; w; w = next) {
		next = w->all_next;
		if (!gcs_request_orphaned(w->req))
			continue;
		all_del_locked(w);
		for (struct waiter **pp = &w->p->waiters; *pp; pp = &(*pp)->next) {
			if (*pp == w) {
				*pp = w->next;
				break;
			}
		}
		w->next = dead;
		dead = w;
	}
	pthread_mutex_unlock(&proc_lock);
	while (dead) {
		struct waiter *w = dead;
		dead = w->next;
		if (w->timer)
			gcs_timer_cancel(w->timer);
		gcs_request_free(w->req);
		gcs_process_unref(w->p);
		free(w);
	}
}

void gcs_process_purge_orphaned_waits(void)
{
	gcs_loop_call(purge_on_loop, NULL);
}

/* ---- lookup by request ---- */

void gcs_set_container_table_resolver(gcs_container_table_fn fn)
{
	container_resolver = fn;
}

int gcs_request_proc_table(struct gcs_request *req, struct gcs_proc_table **out)
{
	if (gcs_request_protocol(req) == BRIDGE_PROTOCOL_V3) {
		*out = gcs_v3_processes;
		return 0;
	}
	const char *cid = gcs_request_container_id(req);
	if (bridge_msg_is_null_guid(cid) || !*cid) {
		*out = gcs_uvm_processes;
		return 0;
	}
	int32_t hr = HR_SYSTEM_NOT_FOUND;
	int r = container_resolver ? container_resolver(cid, out, &hr)
				   : err_setmsg(-ENOENT, "container %s does not exist", cid);
	if (r < 0)
		gcs_request_set_hresult(req, hr);
	return r;
}

/* ---- dump ---- */

static void dump_table(struct gcs_dump *d, struct gcs_proc_table *t)
{
	uint64_t now = gcs_now_ms();
	for (struct gcs_process *q = t->head; q; q = q->next) {
		unsigned nw = 0;
		for (struct waiter *w = q->waiters; w; w = w->next)
			nw++;
		gcs_dump_printf(d, "  [%s] pid %d %s container '%s' %s%s age %llus", t->name, q->pid, q->name,
				q->container_id, q->tty ? "tty " : "",
				q->published ? "exited" : q->exited ? "exited (draining output)" : "running",
				(unsigned long long)((now - q->started_ms) / 1000));
		if (q->published)
			gcs_dump_printf(d, " exit code %u", q->exit_code);
		gcs_dump_printf(d, " waiters %u\n", nw);
	}
}

void gcs_process_dump(struct gcs_dump *d)
{
	pthread_mutex_lock(&proc_lock);
	gcs_dump_printf(d, "processes: %u live\n", live);
	dump_table(d, gcs_v3_processes);
	dump_table(d, gcs_uvm_processes);
	pthread_mutex_unlock(&proc_lock);
}
