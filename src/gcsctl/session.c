/* session.c: listen, accept, negotiate and correlate responses (host side of §1-2). */
#include "gcsctl/session.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/vm_sockets.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/bridge_frame.h"
#include "lib/bridge_json.h"
#include "lib/bridge_msg.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"

struct gcsctl_options gcsctl_opts = { .protocol = 4, .timeout_s = 30 };
/* Protocol 3 bootstraps with a Create; each session uses its own id because
 * container code keeps the containers it created. */
static char default_container_id[32];

struct response {
	uint64_t id;
	struct json_object *msg;
	struct response *next;
};

struct gcsctl_session {
	bool is_unix;
	char dir[96];
	uint32_t vsock_port;
	int lfd, fd;
	pid_t gcs_pid;
	uint32_t next_port;
	uint64_t next_id;
	int protocol;
	pthread_t reader;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_mutex_t write_lock;
	struct response *responses;
	bool closed;
	char tmpdir[64];
};

static int listen_unix(const char *dir, uint32_t port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.95s/%u", dir, port);
	unlink(sa.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(-errno, "creating a socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		int r = -errno;
		close(fd);
		return err_set(r, "listening on %s", sa.sun_path);
	}
	return fd;
}

static int listen_vsock(uint32_t port)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY, .svm_port = port };
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(-errno, "creating a vsock socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
		int r = -errno;
		close(fd);
		return err_set(r, "listening on vsock port %u", port);
	}
	return fd;
}

int gcsctl_listen_port(struct gcsctl_session *s, uint32_t *port)
{
	*port = s->next_port++;
	return s->is_unix ? listen_unix(s->dir, *port) : listen_vsock(*port);
}

static void unlink_port(struct gcsctl_session *s, uint32_t port)
{
	if (!s->is_unix)
		return;
	char path[128];
	snprintf(path, sizeof(path), "%.95s/%u", s->dir, port);
	unlink(path);
}

static bool has_response_locked(struct gcsctl_session *s, uint64_t id)
{
	for (struct response *r = s->responses; r; r = r->next)
		if (r->id == id)
			return true;
	return false;
}

int gcsctl_accept_stream(struct gcsctl_session *s, int lfd, uint64_t id, int timeout_ms)
{
	int waited = 0;
	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int n = poll(&p, 1, 50);
		if (n > 0) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				return err_set(-errno, "accepting a stdio connection");
			return fd;
		}
		pthread_mutex_lock(&s->lock);
		bool answered = has_response_locked(s, id) || s->closed;
		pthread_mutex_unlock(&s->lock);
		if (answered)
			return err_setmsg(-ECONNABORTED, "the GCS answered before connecting the stream");
		waited += 50;
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return err_setmsg(-ETIMEDOUT, "the GCS did not connect the stream");
	}
}

static int read_exact(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -EPIPE : -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *reader_main(void *arg)
{
	struct gcsctl_session *s = arg;
	for (;;) {
		uint8_t hdr[BRIDGE_HEADER_SIZE];
		struct bridge_header h;
		if (read_exact(s->fd, hdr, sizeof(hdr)) < 0)
			break;
		bridge_header_decode(hdr, &h);
		if (h.size < BRIDGE_HEADER_SIZE || h.size > BRIDGE_OUT_MAX) {
			fprintf(stderr, "gcsctl: the GCS sent a frame of %u bytes (limit %u); closing\n", h.size,
				BRIDGE_OUT_MAX);
			break;
		}
		size_t len = h.size - BRIDGE_HEADER_SIZE;
		char *payload = malloc(len + 1);
		if (!payload || read_exact(s->fd, payload, len) < 0) {
			free(payload);
			break;
		}
		payload[len] = '\0';
		struct json_object *msg = NULL;
		if (bj_parse_object(payload, len, &msg) < 0) {
			fprintf(stderr, "gcsctl: the GCS sent invalid JSON: %s\n", err_text());
			free(payload);
			break;
		}
		if (gcsctl_opts.verbose)
			fprintf(stderr, "gcsctl: <- 0x%08x id %llu %s\n", h.type, (unsigned long long)h.id, payload);
		free(payload);
		if (bridge_id_kind(h.type) == BRIDGE_KIND_NOTIFICATION) {
			const char *cid = "", *type = "";
			bj_get_string(msg, "ContainerId", &cid);
			bj_get_string(msg, "Type", &type);
			fprintf(stderr, "gcsctl: notification: container %s %s\n", cid, type);
			json_object_put(msg);
			continue;
		}
		struct response *r = malloc(sizeof(*r));
		if (!r) {
			json_object_put(msg);
			break;
		}
		r->id = h.id;
		r->msg = msg;
		pthread_mutex_lock(&s->lock);
		r->next = s->responses;
		s->responses = r;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_lock(&s->lock);
	s->closed = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int gcsctl_send(struct gcsctl_session *s, uint32_t type, struct json_object *body, uint64_t *id)
{
	size_t len;
	const char *text = bj_text(body, &len);
	pthread_mutex_lock(&s->write_lock);
	uint64_t my = s->next_id++;
	uint8_t hdr[BRIDGE_HEADER_SIZE];
	struct bridge_header h = { .type = type, .size = (uint32_t)(BRIDGE_HEADER_SIZE + len), .id = my };
	bridge_header_encode(&h, hdr);
	if (gcsctl_opts.verbose)
		fprintf(stderr, "gcsctl: -> 0x%08x id %llu %s\n", type, (unsigned long long)my, text);
	int r = 0;
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)text, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t total = sizeof(hdr) + len, sent = 0;
	while (sent < total) {
		ssize_t n = sendmsg(s->fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = err_set(-errno, "sending a request to the GCS");
			break;
		}
		sent += (size_t)n;
		while (mh.msg_iovlen && (size_t)n >= mh.msg_iov->iov_len) {
			n -= (ssize_t)mh.msg_iov->iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (mh.msg_iovlen) {
			mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + n;
			mh.msg_iov->iov_len -= (size_t)n;
		}
	}
	pthread_mutex_unlock(&s->write_lock);
	json_object_put(body);
	if (id)
		*id = my;
	return r;
}

int gcsctl_wait_response(struct gcsctl_session *s, uint64_t id, int timeout_ms, struct json_object **resp)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	if (timeout_ms >= 0) {
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&s->lock);
	for (;;) {
		for (struct response **pp = &s->responses; *pp; pp = &(*pp)->next) {
			if ((*pp)->id == id) {
				struct response *r = *pp;
				*pp = r->next;
				pthread_mutex_unlock(&s->lock);
				*resp = r->msg;
				free(r);
				return 0;
			}
		}
		if (s->closed) {
			pthread_mutex_unlock(&s->lock);
			return err_setmsg(-ECONNRESET, "the GCS closed the bridge connection");
		}
		if (timeout_ms < 0) {
			pthread_cond_wait(&s->cond, &s->lock);
		} else if (pthread_cond_timedwait(&s->cond, &s->lock, &deadline) == ETIMEDOUT) {
			pthread_mutex_unlock(&s->lock);
			return err_setmsg(-ETIMEDOUT, "no response from the GCS within %d ms", timeout_ms);
		}
	}
}

int gcsctl_call(struct gcsctl_session *s, uint32_t type, struct json_object *body, struct json_object **resp)
{
	uint64_t id;
	int r = gcsctl_send(s, type, body, &id);
	if (r < 0)
		return r;
	r = gcsctl_wait_response(s, id, -1, resp);
	if (r < 0)
		return r;
	int32_t result = 0;
	bj_get_i32(*resp, "Result", &result);
	return result != 0;
}

struct json_object *gcsctl_request(const struct gcsctl_session *s, const char *container_id)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "ContainerId", json_object_new_string(container_id));
	json_object_object_add(o, "ActivityId", json_object_new_string(BRIDGE_NULL_GUID));
	return o;
}

struct json_object *gcsctl_wait_request(const struct gcsctl_session *s, const char *container_id, uint32_t pid,
					uint32_t timeout_ms)
{
	struct json_object *o = gcsctl_request(s, container_id);
	json_object_object_add(o, "ProcessId", json_object_new_int64(pid));
	json_object_object_add(o, "TimeoutInMs", json_object_new_int64(timeout_ms));
	return o;
}

void gcsctl_print_failure(const char *what, struct json_object *resp)
{
	int32_t result = 0;
	const char *msg = NULL;
	bj_get_i32(resp, "Result", &result);
	if (bj_get_string(resp, "ErrorMessage", &msg) < 0) {
		struct json_object *recs = bj_get(resp, "ErrorRecords");
		if (recs && json_object_is_type(recs, json_type_array) && json_object_array_length(recs) > 0)
			bj_get_string(json_object_array_get_idx(recs, 0), "Message", &msg);
	}
	fprintf(stderr, "gcsctl: %s failed: HRESULT 0x%08x%s%s\n", what, (unsigned)result, msg ? ": " : "",
		msg ? msg : "");
}

int gcsctl_session_protocol(const struct gcsctl_session *s)
{
	return s->protocol;
}

const char *gcsctl_session_container(const struct gcsctl_session *s)
{
	return s->protocol == 3 ? gcsctl_opts.container_id : BRIDGE_NULL_GUID;
}

static int spawn_gcs(struct gcsctl_session *s)
{
	char transport[128], logfile[128];
	snprintf(transport, sizeof(transport), "unix:%s", s->dir);
	snprintf(logfile, sizeof(logfile), "%.95s/gcs.log", s->dir);
	const char *argv[40];
	int n = 0;
	argv[n++] = gcsctl_opts.spawn_gcs;
	argv[n++] = "--transport";
	argv[n++] = transport;
	argv[n++] = "-logfile";
	argv[n++] = logfile;
	for (int i = 0; i < gcsctl_opts.n_gcs_args; i++)
		argv[n++] = gcsctl_opts.gcs_args[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid < 0)
		return err_set(-errno, "starting %s", gcsctl_opts.spawn_gcs);
	if (pid == 0) {
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "gcsctl: executing %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	s->gcs_pid = pid;
	return 0;
}

static int negotiate(struct gcsctl_session *s)
{
	struct json_object *resp = NULL;
	int r;
	if (gcsctl_opts.protocol == 4) {
		struct json_object *req = gcsctl_request(s, BRIDGE_NULL_GUID);
		json_object_object_add(req, "MinimumVersion", json_object_new_int(4));
		json_object_object_add(req, "MaximumVersion", json_object_new_int(4));
		r = gcsctl_call(s, BRIDGE_MSG_NEGOTIATE_PROTOCOL, req, &resp);
		if (r == 0) {
			uint32_t v = 0;
			bj_get_u32(resp, "Version", &v);
			if (v != 4) {
				fprintf(stderr, "gcsctl: the GCS negotiated version %u, expected 4\n", v);
				r = -EPROTO;
			}
		}
	} else {
		struct json_object *req = gcsctl_request(s, gcsctl_opts.container_id);
		json_object_object_add(req, "ContainerConfig",
				       json_object_new_string(gcsctl_opts.bootstrap_config ? gcsctl_opts.bootstrap_config : "{}"));
		r = gcsctl_call(s, BRIDGE_MSG_CREATE, req, &resp);
		if (r == 0) {
			uint32_t v = 0;
			bj_get_u32(resp, "SelectedProtocolVersion", &v);
			if (v != 3) {
				fprintf(stderr, "gcsctl: the GCS selected protocol %u, expected 3\n", v);
				r = -EPROTO;
			}
		}
	}
	if (r > 0 || (r < 0 && resp)) {
		gcsctl_print_failure(gcsctl_opts.protocol == 4 ? "NegotiateProtocol" : "Create", resp);
		r = -EPROTO;
	} else if (r < 0) {
		fprintf(stderr, "gcsctl: negotiating: %s\n", err_text());
	}
	if (resp)
		json_object_put(resp);
	s->protocol = gcsctl_opts.protocol;
	return r;
}

int gcsctl_session_open(struct gcsctl_session **out)
{
	struct gcsctl_session *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (!gcsctl_opts.container_id) {
		snprintf(default_container_id, sizeof(default_container_id), "gcsctl-%d", (int)getpid());
		gcsctl_opts.container_id = default_container_id;
	}
	s->lfd = s->fd = -1;
	s->next_port = BRIDGE_VSOCK_PORT + 1;
	s->next_id = 1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->write_lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	const char *l = gcsctl_opts.listen;
	if (!l && gcsctl_opts.spawn_gcs) {
		snprintf(s->tmpdir, sizeof(s->tmpdir), "/tmp/gcsctl.XXXXXX");
		if (!mkdtemp(s->tmpdir)) {
			fprintf(stderr, "gcsctl: creating a directory for the sockets: %s\n", strerror(errno));
			free(s);
			return -errno;
		}
		snprintf(s->dir, sizeof(s->dir), "%s", s->tmpdir);
		s->is_unix = true;
	} else if (!l) {
		fprintf(stderr, "gcsctl: say where to listen (--listen unix:DIR or vsock) or start a GCS (--spawn-gcs PATH)\n");
		free(s);
		return -EINVAL;
	} else if (strncmp(l, "unix:", 5) == 0 && l[5]) {
		if (strlen(l + 5) >= sizeof(s->dir)) {
			fprintf(stderr, "gcsctl: %s: directory path too long for Unix sockets\n", l);
			free(s);
			return -ENAMETOOLONG;
		}
		snprintf(s->dir, sizeof(s->dir), "%s", l + 5);
		s->is_unix = true;
		mkdir(s->dir, 0700);
	} else if (strcmp(l, "vsock") == 0) {
		s->is_unix = false;
	} else {
		fprintf(stderr, "gcsctl: --listen %s: expected unix:DIR or vsock\n", l);
		free(s);
		return -EINVAL;
	}
	int r = s->is_unix ? listen_unix(s->dir, BRIDGE_VSOCK_PORT) : listen_vsock(BRIDGE_VSOCK_PORT);
	if (r < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		gcsctl_session_close(s);
		return r;
	}
	s->lfd = r;
	if (gcsctl_opts.spawn_gcs && (r = spawn_gcs(s)) < 0) {
		fprintf(stderr, "gcsctl: %s\n", err_text());
		gcsctl_session_close(s);
		return r;
	}
	struct pollfd p = { .fd = s->lfd, .events = POLLIN };
	r = poll(&p, 1, gcsctl_opts.timeout_s * 1000);
	if (r <= 0) {
		fprintf(stderr, "gcsctl: the GCS did not connect within %d s (is it running with --transport unix:%s?)\n",
			gcsctl_opts.timeout_s, s->is_unix ? s->dir : "...");
		gcsctl_session_close(s);
		return -ETIMEDOUT;
	}
	s->fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (s->fd < 0) {
		r = -errno;
		fprintf(stderr, "gcsctl: accepting the bridge connection: %s\n", strerror(errno));
		gcsctl_session_close(s);
		return r;
	}
	/* The GCS re-dials as soon as this session ends; it must not find a
	 * listener of a finished gcsctl. */
	close(s->lfd);
	s->lfd = -1;
	unlink_port(s, BRIDGE_VSOCK_PORT);
	if ((r = pthread_create(&s->reader, NULL, reader_main, s)) != 0) {
		gcsctl_session_close(s);
		return -r;
	}
	r = negotiate(s);
	if (r < 0) {
		gcsctl_session_close(s);
		return r;
	}
	*out = s;
	return 0;
}

void gcsctl_session_close(struct gcsctl_session *s)
{
	if (!s)
		return;
	if (s->fd >= 0) {
		shutdown(s->fd, SHUT_RDWR);
		pthread_join(s->reader, NULL);
		close(s->fd);
	}
	if (s->lfd >= 0) {
		close(s->lfd);
		unlink_port(s, BRIDGE_VSOCK_PORT);
	}
	for (uint32_t p = BRIDGE_VSOCK_PORT + 1; p < s->next_port; p++)
		unlink_port(s, p);
	if (s->gcs_pid > 0) {
		kill(s->gcs_pid, SIGTERM);
		waitpid(s->gcs_pid, NULL, 0);
	}
	if (s->tmpdir[0]) {
		char path[128];
		snprintf(path, sizeof(path), "%s/gcs.log", s->tmpdir);
		unlink(path);
		rmdir(s->tmpdir);
	}
	while (s->responses) {
		struct response *r = s->responses;
		s->responses = r->next;
		json_object_put(r->msg);
		free(r);
	}
	free(s);
}
