/* entry_clock.h: the moment init's exec was done.
 *
 * init's ELF entry point (init_entry, linked with -e) reads
 * CLOCK_MONOTONIC with a raw system call before the C library starts, then
 * jumps to the library's _start with the registers and stack the kernel
 * gave it. The boot timeline starts there: "init's exec" in the bench. */
#pragma once

#include <time.h>

extern struct timespec init_entry_time;
