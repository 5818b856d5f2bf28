/* relay.h: vsockexec's -r mode (../shared/spec/gcs-protocol.md §9.3):
 * the program writes into a pipe, vsockexec copies the pipe to the host
 * and reconnects whenever the connection breaks (live migration). */
#ifndef VSOCKEXEC_RELAY_H
#define VSOCKEXEC_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#include "os/boot_dial.h"

/* Runs argv with its stdout (to_stdout) and/or stderr (to_stderr) on a
 * pipe relayed to `port`; returns the exit code to use (the program's,
 * 128+signal when killed, 1 on a local failure). */
int relay_run(const struct boot_transport *t, uint32_t port, bool to_stdout, bool to_stderr, char *const *argv);

#endif
