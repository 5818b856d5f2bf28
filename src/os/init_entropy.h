/* init_entropy.h: seeding the kernel's random pool from the host
 * (../shared/spec/gcs-protocol.md §1.3 and §9.2 step 10). The CURRENT host
 * writes 512 random bytes on vsock port 1 and closes; it does not accept
 * the GCS bridge before this connection has been served. */
#ifndef LCOW_INIT_ENTROPY_H
#define LCOW_INIT_ENTROPY_H

#include <stdint.h>

#include "os/boot_dial.h"

/* Reads the port until EOF, 4096 bytes at a time, crediting each chunk to
 * /dev/random with RNDADDENTROPY (8 bits per byte). Returns the number of
 * bytes added, or a negative errno with err text. */
int init_seed_entropy(const struct boot_transport *t, uint32_t port);

#endif
