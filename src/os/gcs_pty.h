/* gcs_pty.h: pseudo-terminals for EmulateConsole processes (spec §5.4). */
#ifndef LCOW_GCS_PTY_H
#define LCOW_GCS_PTY_H

/* Opens /dev/ptmx (O_NOCTTY|O_CLOEXEC), unlocks, chmod 0600 / chown 0:0
 * the slave and opens it O_NOCTTY. Both descriptors are O_CLOEXEC. */
int gcs_pty_open(int *master, int *slave);
/* TIOCSWINSZ: rows = Height, cols = Width, pixel fields 0. */
int gcs_pty_resize(int master, unsigned rows, unsigned cols);

#endif
