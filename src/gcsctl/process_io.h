/* process_io.h: starting a process with its stdio relayed to gcsctl, and
 * the pumps that copy those streams (../shared/spec/gcs-protocol.md §5).
 *
 * Both `gcsctl exec` (a process in the utility VM) and the container
 * commands start processes the same way: listen on one port per wanted
 * stream, send ExecuteProcess naming the ports, accept the GCS's dials, and
 * read the answer; then copy stdin to the process and its output to ours. */
#ifndef GCSCTL_PROCESS_IO_H
#define GCSCTL_PROCESS_IO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "gcsctl/session.h"

struct gcsctl_process_io {
	uint32_t pid;
	int sock[3]; /* stdin, stdout, stderr; -1 where not relayed */
	pthread_t pump[3];
	bool pumping[3];
};

/* Sends ExecuteProcess for container cid with the process parameters params
 * (consumed), relaying the streams want[] (stdin, stdout, stderr) through
 * ports this side listens on; accept_timeout_ms bounds each dial. Returns 0
 * with io filled, or -1 after printing why on stderr. */
int gcsctl_execute_process(struct gcsctl_session *s, const char *cid, struct json_object *params,
			   const bool want[3], int accept_timeout_ms, struct gcsctl_process_io *io);

/* Starts the pumps: our stdin to the process (half-closed at EOF), its
 * stdout and stderr to ours. */
void gcsctl_process_io_start(struct gcsctl_process_io *io);

/* Waits until the process's output streams end and closes them; the GCS
 * reports the exit only after they are drained and closed (§5.5). A stdin
 * pump may still block reading our stdin and is left running. */
void gcsctl_process_io_finish_output(struct gcsctl_process_io *io);

/* Closes whatever stream is still open. */
void gcsctl_process_io_close(struct gcsctl_process_io *io);

#endif
