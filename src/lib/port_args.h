/* port_args.h: the option values /init and vsockexec share
 * (../shared/spec/gcs-protocol.md §9.2, §9.3): vsock port numbers and the
 * --transport test seam. Pure code. */
#ifndef LCOW_PORT_ARGS_H
#define LCOW_PORT_ARGS_H

#include <stdbool.h>
#include <stdint.h>

/* Parses the port s given to option opt (e.g. "-e"); with nonzero, 0 is
 * refused too. Returns 0, or -EINVAL with err text naming the option. */
int port_arg_parse(const char *opt, const char *s, bool nonzero, uint32_t *out);

/* When argv[*i] is "--transport VALUE" or "--transport=VALUE", stores the
 * value (advancing *i past a separate one) and returns 1; returns 0 for any
 * other argument, -EINVAL with err text for a missing or empty value. */
int transport_arg_parse(int argc, char *const *argv, int *i, const char **transport);

#endif
