/* cleanup.h: scope-bound release of resources.
 *
 * The project's one way to avoid leaks on error paths: a variable declared
 * with one of these attributes is released when it goes out of scope, so an
 * early `return r;` never leaks. TAKE_PTR/TAKE_FD hand ownership to the
 * caller (the variable is cleared, the cleanup becomes a no-op). */
#ifndef LCOW_CLEANUP_H
#define LCOW_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_free(void *p) { free(*(void **)p); }
static inline void cleanup_close(int *fd) { if (*fd >= 0) close(*fd); }
static inline void cleanup_fclose(FILE **f) { if (*f) fclose(*f); }

#define _cleanup_free_ __attribute__((cleanup(cleanup_free)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_close)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclose)))

/* Declares a cleanup function NAME##_cleanup for a pointer type whose
 * release function is FREE_FN (called only for non-NULL pointers). */
#define DEFINE_CLEANUP_FUNC(type, free_fn) \
	static inline void free_fn##_cleanup(type **p) { if (*p) free_fn(*p); }
#define _cleanup_(fn) __attribute__((cleanup(fn)))

#define TAKE_PTR(p) ({ __typeof__(p) _tp = (p); (p) = NULL; _tp; })
#define TAKE_FD(fd) ({ int _tf = (fd); (fd) = -1; _tf; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
