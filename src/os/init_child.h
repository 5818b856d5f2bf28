/* init_child.h: what PID 1 does with processes
 * (../shared/spec/gcs-protocol.md §9.2 steps 2, 12, 13).
 *
 * Children start with every signal unblocked, in a new session, with the
 * environment PATH=/sbin:/usr/sbin:/bin:/usr/bin only. init reaps every
 * process that ends up as its child; when the primary child exits it logs
 * the status and powers the VM off. */
#ifndef LCOW_INIT_CHILD_H
#define LCOW_INIT_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#define INIT_CHILD_PATH "/sbin:/usr/sbin:/bin:/usr/bin"

/* Blocks every signal in init itself (wait() still reports children).
 * Children unblock them again. */
void init_block_signals(void);

/* Before the primary program starts: the lowest priority (nice 19) for
 * init while children run at the normal one, so on a single CPU the
 * program finishes its exec and start-up before init's follow-up work
 * (docs/init.md). */
void init_priority_behind_program(void);
/* Back to the normal priority (before init starts further children). */
void init_priority_normal(void);

/* Starts argv and logs "exec PROGRAM (pid N)" once it has been exec'd.
 * With `console` the child takes /dev/console as its controlling terminal
 * (for an interactive shell). Returns the pid or a negative errno with err
 * text (a program that cannot be run is such an error). */
pid_t init_spawn(char *const *argv, bool console);

/* Reaps every child until `primary` (running `name`) exits; logs and
 * returns its wait status. */
int init_reap_until(pid_t primary, const char *name);

/* Logs, kills what is left, syncs and powers off. Never returns. */
__attribute__((noreturn)) void init_power_off(void);

#endif
