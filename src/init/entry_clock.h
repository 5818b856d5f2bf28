/* entry_clock.h: the boot timeline's clock: the moment init's exec was done.
 *
 * init's ELF entry point (init_entry, linked with -e) reads
 * CLOCK_MONOTONIC with a raw system call before the C library starts, then
 * jumps to the library's _start with the registers and stack the kernel
 * gave it. The boot timeline starts there: "init's exec" in the bench. */
#pragma once

#include <time.h>

extern struct timespec init_entry_time;

/* CLOCK_MONOTONIC through the system call, for the timeline's other
 * points before the program starts: musl's clock_gettime() finds the
 * vDSO on its first call, about 1.4 ms under TCG that the timeline
 * would otherwise add to the path it measures. */
void init_timeline_now(struct timespec *ts);
