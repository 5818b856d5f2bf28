/* oci_mount_options.c: option words → flags/data (see oci_mount_options.h). */
#include "lib/oci_mount_options.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/cleanup.h"
#include "lib/err.h"

struct flag_word {
	const char *word;
	bool clear;
	unsigned long flag;
};

/* §6.1.6. "defaults" sets nothing; MS_LAZYTIME/MS_IVERSION come from
 * linux/mount.h values exposed by sys/mount.h on glibc. */
static const struct flag_word flag_words[] = {
	{ "acl", false, MS_POSIXACL },   { "async", true, MS_SYNCHRONOUS },
	{ "atime", true, MS_NOATIME },   { "bind", false, MS_BIND },
	{ "defaults", false, 0 },        { "dev", true, MS_NODEV },
	{ "diratime", true, MS_NODIRATIME }, { "dirsync", false, MS_DIRSYNC },
	{ "exec", true, MS_NOEXEC },     { "iversion", false, MS_I_VERSION },
	{ "lazytime", false, MS_LAZYTIME }, { "loud", true, MS_SILENT },
	{ "mand", false, MS_MANDLOCK },  { "noacl", true, MS_POSIXACL },
	{ "noatime", false, MS_NOATIME }, { "nodev", false, MS_NODEV },
	{ "nodiratime", false, MS_NODIRATIME }, { "noexec", false, MS_NOEXEC },
	{ "noiversion", true, MS_I_VERSION }, { "nolazytime", true, MS_LAZYTIME },
	{ "nomand", true, MS_MANDLOCK }, { "norelatime", true, MS_RELATIME },
	{ "nostrictatime", true, MS_STRICTATIME }, { "nosuid", false, MS_NOSUID },
	{ "rbind", false, MS_BIND | MS_REC }, { "relatime", false, MS_RELATIME },
	{ "remount", false, MS_REMOUNT }, { "ro", false, MS_RDONLY },
	{ "rw", true, MS_RDONLY },       { "silent", false, MS_SILENT },
	{ "strictatime", false, MS_STRICTATIME }, { "suid", true, MS_NOSUID },
	{ "sync", false, MS_SYNCHRONOUS },
};

static const struct flag_word propagation_words[] = {
	{ "private", false, MS_PRIVATE },   { "rprivate", false, MS_PRIVATE | MS_REC },
	{ "shared", false, MS_SHARED },     { "rshared", false, MS_SHARED | MS_REC },
	{ "slave", false, MS_SLAVE },       { "rslave", false, MS_SLAVE | MS_REC },
	{ "unbindable", false, MS_UNBINDABLE }, { "runbindable", false, MS_UNBINDABLE | MS_REC },
};

static const struct flag_word *lookup(const struct flag_word *t, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].word, w) == 0)
			return &t[i];
	return NULL;
}

int oci_mount_options_parse(const char *const *words, size_t n, struct oci_mount_options *out)
{
	memset(out, 0, sizeof(*out));
	size_t cap = 1;
	for (size_t i = 0; i < n; i++)
		cap += strlen(words[i]) + 1;
	_cleanup_free_ char *data = calloc(1, cap);
	if (!data)
		return err_set(-ENOMEM, "parsing mount options");
	size_t dlen = 0;
	for (size_t i = 0; i < n; i++) {
		const char *w = words[i];
		const struct flag_word *f;
		if ((f = lookup(flag_words, ARRAY_SIZE(flag_words), w))) {
			if (f->clear)
				out->flags &= ~f->flag;
			else
				out->flags |= f->flag;
		} else if ((f = lookup(propagation_words, ARRAY_SIZE(propagation_words), w))) {
			if (out->n_propagation == ARRAY_SIZE(out->propagation))
				return err_setmsg(-E2BIG, "too many propagation options");
			out->propagation[out->n_propagation++] = f->flag;
		} else if (*w) {
			if (dlen)
				data[dlen++] = ',';
			size_t l = strlen(w);
			memcpy(data + dlen, w, l);
			dlen += l;
		}
	}
	if (dlen)
		out->data = TAKE_PTR(data);
	return 0;
}

void oci_mount_options_free(struct oci_mount_options *o)
{
	free(o->data);
	o->data = NULL;
}
