/* oci_user.c: user string resolution against passwd/group text (see
 * oci_user.h). */
#include "lib/oci_user.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/err.h"

static bool parse_id(const char *s, uint32_t *out)
{
	if (!*s || strlen(s) > 10)
		return false;
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Finds lines of a colon-separated database whose field 0 (by name) or
 * field 2 (by id) matches KEY. Returns the match count; fills the id field
 * (field 2) and field 3 (primary gid for passwd) of the last match. */
static int db_lookup(const char *db, const char *key, bool by_id, uint32_t *id, uint32_t *gid3)
{
	int matches = 0;
	if (!db)
		return 0;
	const char *p = db;
	while (*p) {
		const char *e = strchrnul(p, '\n');
		char line[1024];
		size_t n = (size_t)(e - p);
		if (n < sizeof(line) && n && p[0] != '#') {
			memcpy(line, p, n);
			line[n] = '\0';
			char *fields[4] = { 0 };
			char *s = line;
			for (int f = 0; f < 4 && s; f++) {
				fields[f] = s;
				s = strchr(s, ':');
				if (s)
					*s++ = '\0';
			}
			uint32_t fid, fgid = 0;
			if (fields[2] && parse_id(fields[2], &fid)) {
				if (fields[3] && !parse_id(fields[3], &fgid))
					fgid = 0;
				const char *cmp = by_id ? fields[2] : fields[0];
				if (strcmp(cmp, key) == 0) {
					matches++;
					*id = fid;
					if (gid3)
						*gid3 = fgid;
				}
			}
		}
		p = *e ? e + 1 : e;
	}
	return matches;
}

int oci_user_resolve(const char *user, const char *passwd, const char *group, uint32_t *uid, uint32_t *gid)
{
	if (!user || !*user)
		return err_setmsg(-EINVAL, "empty user string");
	_cleanup_free_ char *copy = strdup(user);
	if (!copy)
		return err_set(-ENOMEM, "resolving user %s", user);
	char *grp = strchr(copy, ':');
	if (grp)
		*grp++ = '\0';
	if (!*copy || (grp && !*grp))
		return err_setmsg(-EINVAL, "user string %s has an empty part", user);

	uint32_t u = 0, g = 0, pw_gid = 0;
	if (parse_id(copy, &u)) {
		/* A numeric uid without a passwd entry is used as-is with gid 0. */
		uint32_t found;
		if (db_lookup(passwd, copy, true, &found, &pw_gid) >= 1)
			g = pw_gid;
	} else {
		int m = db_lookup(passwd, copy, false, &u, &pw_gid);
		if (m != 1)
			return err_setmsg(-ENOENT, m ? "user %s matches %d passwd entries" : "user %s not found in /etc/passwd",
					  copy, m);
		g = pw_gid;
	}
	if (grp) {
		if (parse_id(grp, &g)) {
			/* numeric gid: used as-is whether or not /etc/group knows it */
		} else {
			int m = db_lookup(group, grp, false, &g, NULL);
			if (m != 1)
				return err_setmsg(-ENOENT, m ? "group %s matches %d group entries" : "group %s not found in /etc/group",
						  grp, m);
		}
	}
	*uid = u;
	*gid = g;
	return 0;
}
