/* session.h: the host end of one bridge connection, for gcsctl commands.
 *
 * gcsctl listens where the Windows host would (Unix directory DIR with the
 * bridge at DIR/1073741824, or AF_VSOCK port 0x40000000), optionally starts
 * the GCS itself, accepts its connection, negotiates protocol 4
 * (NegotiateProtocol) or 3 (bootstrap Create) and then issues requests. A
 * reader thread files responses by id, so requests may overlap (an exec's
 * WaitForProcess stays pending while ResizeConsole calls go out). */
#ifndef GCSCTL_SESSION_H
#define GCSCTL_SESSION_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

struct gcsctl_options {
	const char *listen;     /* "unix:DIR" or "vsock[:PORT]" */
	const char *spawn_gcs;  /* path of a gcs to start (unix only) */
	const char *gcs_args[16];
	int n_gcs_args;
	int protocol;           /* 3 or 4 */
	int timeout_s;          /* how long to wait for the GCS to connect */
	bool verbose;
	const char *container_id; /* V3 bootstrap container id */
	const char *bootstrap_config; /* V3 bootstrap ContainerConfig (NULL: "{}") */
	bool no_stdio;          /* container processes get no stdio streams (run -N) */
};
extern struct gcsctl_options gcsctl_opts;

struct gcsctl_session;

/* Listens, (spawns,) accepts and negotiates; errors are printed. */
int gcsctl_session_open(struct gcsctl_session **out);
void gcsctl_session_close(struct gcsctl_session *s);
int gcsctl_session_protocol(const struct gcsctl_session *s);
/* The container id for requests about UVM processes: the null GUID (V4)
 * or the bootstrap container (V3). */
const char *gcsctl_session_container(const struct gcsctl_session *s);

/* Sends a request (body is consumed); returns its id. */
int gcsctl_send(struct gcsctl_session *s, uint32_t type, struct json_object *body, uint64_t *id);
/* Waits for the response to id (timeout_ms < 0: forever). */
int gcsctl_wait_response(struct gcsctl_session *s, uint64_t id, int timeout_ms, struct json_object **resp);
/* send + wait; 0 when Result is 0, 1 when the GCS answered with a failure
 * (see *resp), a negative errno when there was no answer. */
int gcsctl_call(struct gcsctl_session *s, uint32_t type, struct json_object *body, struct json_object **resp);
/* A fresh request body with ContainerId and ActivityId set. */
struct json_object *gcsctl_request(const struct gcsctl_session *s, const char *container_id);
/* The body of a WaitForProcess for pid (§3.4.5); BRIDGE_WAIT_INFINITE waits
 * until the process exits. */
struct json_object *gcsctl_wait_request(const struct gcsctl_session *s, const char *container_id, uint32_t pid,
					uint32_t timeout_ms);
/* Prints "gcsctl: WHAT: 0xHRESULT MESSAGE" for a failed response. */
void gcsctl_print_failure(const char *what, struct json_object *resp);

/* Stdio listeners: reserves a port and listens on it (unix DIR/PORT or
 * vsock); returns the listening fd. */
int gcsctl_listen_port(struct gcsctl_session *s, uint32_t *port);
/* Accepts one connection on a port listener, giving up when the response to
 * id arrives first (the GCS failed before dialing) or after timeout_ms. */
int gcsctl_accept_stream(struct gcsctl_session *s, int lfd, uint64_t id, int timeout_ms);

#endif
