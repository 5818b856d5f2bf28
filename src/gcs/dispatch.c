/* dispatch.c: per-mode handler tables built from the gcs_handlers section (§1.6, §10 row 2).
 *
 * Each protocol state (un-negotiated, V3, V4) has its own table. A request
 * identifier with no handler in the connection's current state is answered
 * E_NOTIMPL by the bridge. When several files register the same message for
 * a mode, the highest priority wins (equal priorities are a build mistake,
 * refused at start-up). */
#include "gcs/internal.h"

#include <errno.h>
#include <stdio.h>

extern const struct gcs_handler __start_gcs_handlers[];
extern const struct gcs_handler __stop_gcs_handlers[];

/* A dummy entry keeps the section (and its __start/__stop symbols) present
 * even in a build without handlers. */
static const struct gcs_handler gcs_handler_sentinel __attribute__((used, section("gcs_handlers"), aligned(8))) = {
	.msg = 0, .modes = 0, .name = "sentinel"
};

#define SLOTS 64 /* (category 1..2) x (ordinal 0..31) */
static const struct gcs_handler *tables[3][SLOTS];
static const char *const mode_names[3] = { "un-negotiated", "v3", "v4" };

static int slot_of(uint32_t msg)
{
	unsigned cat = bridge_id_category(msg), ord = bridge_id_ordinal(msg);
	if (bridge_id_kind(msg) != BRIDGE_KIND_REQUEST || bridge_id_version(msg) != 1 || cat < 1 || cat > 2 ||
	    ord >= 32)
		return -1;
	return (int)((cat - 1) * 32 + ord);
}

static int mode_index(unsigned mode)
{
	switch (mode) {
	case GCS_MODE_UNNEGOTIATED: return 0;
	case GCS_MODE_V3: return 1;
	case GCS_MODE_V4: return 2;
	}
	return -1;
}

int gcs_dispatch_init(void)
{
	for (const struct gcs_handler *h = __start_gcs_handlers; h < __stop_gcs_handlers; h++) {
		if (!h->fn)
			continue;
		int s = slot_of(h->msg);
		if (s < 0)
			return err_setmsg(-EINVAL, "handler %s (%s): 0x%08x is not a request identifier", h->name,
					  h->file, h->msg);
		for (int m = 0; m < 3; m++) {
			if (!(h->modes & (1u << m)))
				continue;
			const struct gcs_handler *old = tables[m][s];
			if (old && old->priority == h->priority)
				return err_setmsg(-EEXIST, "handlers %s (%s) and %s (%s) both claim %s in %s mode",
						  old->name, old->file, h->name, h->file, bridge_msg_name(h->msg),
						  mode_names[m]);
			if (!old || old->priority < h->priority)
				tables[m][s] = h;
		}
	}
	return 0;
}

const struct gcs_handler *gcs_dispatch_find(unsigned mode, uint32_t msg)
{
	int m = mode_index(mode), s = slot_of(msg);
	if (m < 0 || s < 0)
		return NULL;
	return tables[m][s];
}

void gcs_dispatch_dump(struct gcs_dump *d)
{
	for (int m = 0; m < 3; m++) {
		gcs_dump_printf(d, "  %s:", mode_names[m]);
		for (int s = 0; s < SLOTS; s++)
			if (tables[m][s])
				gcs_dump_printf(d, " %s", bridge_msg_name(tables[m][s]->msg));
		gcs_dump_printf(d, "\n");
	}
}
