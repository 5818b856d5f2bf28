/* err.h: error context that travels up with a negative errno.
 *
 * Functions return 0 (or a non-negative value) on success and a negative
 * errno on failure. The function where a failure starts records what it was
 * doing with err_set(); each caller on the way up may prefix its own context
 * with err_wrap(); the edge (a main(), a bridge response) prints err_text()
 * once. The text is per thread, so concurrent requests do not mix.
 *
 *   if (fd < 0)
 *       return err_set(-errno, "opening %s", path);
 *   r = mount_layer(...);
 *   if (r < 0)
 *       return err_wrap(r, "mounting layer %d", i);
 *   => "mounting layer 3: opening /dev/sdc: No such file or directory"
 */
#ifndef LCOW_ERR_H
#define LCOW_ERR_H

#include <stddef.h>

#define ERR_TEXT_MAX 1024

/* Replaces the current text with "WHAT: strerror(-r)" and returns r. */
int err_set(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same as err_set but without the strerror suffix (for data errors whose
 * errno, e.g. EINVAL, says nothing useful). */
int err_setmsg(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes "WHAT: " to the current text and returns r. */
int err_wrap(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The current text; strerror(-r) of the last code if nothing was recorded. */
const char *err_text(void);
void err_clear(void);

#endif
