/* libFuzzer target for the remotefs decoders: the first byte picks one of
 * TarOptions JSON (+ exclude patterns built from it), Go strconv parsing and
 * quoting, the shared Go flag parser, path cleaning and scoped resolution over a fake
 * tree derived from the input, frame headers and the JSON/error encoders. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/netnscfg_adapter.h"
#include "lib/remotefs_error.h"
#include "lib/remotefs_frame.h"
#include "lib/err.h"
#include "lib/goflag.h"
#include "lib/remotefs_json.h"
#include "lib/remotefs_path.h"
#include "lib/remotefs_pattern.h"
#include "lib/remotefs_strconv.h"
#include "lib/remotefs_taroptions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fake tree: the input's text, split at '\n', is a list of "path=target"
 * symlinks (target empty: a plain entry). */
struct fake {
	char *text;
};

static int fake_lstat(void *ctx, const char *path)
{
	struct fake *f = ctx;
	size_t n = strlen(path);
	for (char *line = f->text; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *eq = memchr(line, '=', len);
		size_t plen = eq ? (size_t)(eq - line) : len;
		if (plen == n && memcmp(line, path, n) == 0)
			return eq && (size_t)(eq - line) + 1 < len ? 1 : 0;
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

static int fake_readlink(void *ctx, const char *path, char **target)
{
	struct fake *f = ctx;
	size_t n = strlen(path);
	for (char *line = f->text; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *eq = memchr(line, '=', len);
		if (eq && (size_t)(eq - line) == n && memcmp(line, path, n) == 0) {
			*target = strndup(eq + 1, len - n - 1);
			return *target ? 0 : -ENOMEM;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -EINVAL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t which = data[0] % 6;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	char *s = malloc(len + 1);
	if (!s)
		return 0;
	memcpy(s, body, len);
	s[len] = '\0';
	char msg[512];
	switch (which) {
	case 0: {
		struct rfs_taroptions o;
		if (rfs_taroptions_parse(body, len, &o, msg, sizeof(msg)) == 0) {
			struct rfs_patterns *pm = rfs_patterns_new(o.exclude_patterns, o.n_exclude_patterns, msg,
								  sizeof(msg));
			if (pm) {
				for (size_t i = 0; i < o.n_include_files; i++)
					rfs_patterns_match(pm, o.include_files[i]);
				rfs_patterns_free(pm);
			}
			int64_t id;
			rfs_idmap_to_host(o.uid_maps, o.n_uid_maps, (int64_t)len, true, &id, msg, sizeof(msg));
			rfs_idmap_to_container(o.gid_maps, o.n_gid_maps, (int64_t)len, false, &id, msg, sizeof(msg));
		}
		rfs_taroptions_free(&o);
		break;
	}
	case 1: {
		uint64_t u;
		long long i;
		go_parse_uint(s, 8, 32, &u, msg, sizeof(msg));
		go_parse_uint(s, 0, 64, &u, msg, sizeof(msg));
		go_parse_int(s, 10, 32, &i, msg, sizeof(msg));
		char q[256];
		go_quote(s, q, sizeof(q));
		struct rfs_buf b = {0};
		rfs_json_string(&b, body, len);
		struct rfs_error e = {0};
		rfs_error_text(&e, "%s", s);
		rfs_error_json(&e, &b);
		rfs_error_path(&e, "stat", s, (int)(len % 140));
		rfs_error_json(&e, &b);
		rfs_buf_free(&b);
		break;
	}
	case 2: {
		/* Split into argv at NUL-free '\n'. */
		char *argv[64] = {"tool"};
		int argc = 1;
		for (char *tok = strtok(s, "\n"); tok && argc < 63; tok = strtok(NULL, "\n"))
			argv[argc++] = tok;
		const char *a = "", *b = "x";
		long long n = -1;
		const struct goflag f[] = {GOFLAG_STR("logfile", NULL, "u", &a), GOFLAG_STR("loglevel", NULL, "u", &b),
					   GOFLAG_INT("nspid", NULL, "u", &n)};
		int next;
		goflag_parse(f, 3, argc, argv, &next);
		err_clear();
		break;
	}
	case 3: {
		/* First line: path; second: root; the rest: the tree. */
		char *nl1 = strchr(s, '\n');
		if (!nl1)
			break;
		*nl1 = '\0';
		char *root = nl1 + 1;
		char *nl2 = strchr(root, '\n');
		if (!nl2)
			break;
		*nl2 = '\0';
		struct fake f = {nl2 + 1};
		struct rfs_resolve_ops ops = {fake_lstat, fake_readlink, &f};
		char *out = NULL;
		struct rfs_error e = {0};
		if (rfs_resolve_in_scope(s, root, "/cwd", &ops, &out, &e) == 0) {
			/* The answer is always inside the (cleaned, absolute) root. */
			char *r = go_path_abs(root, "/cwd");
			if (r && strcmp(r, "/") != 0 && strncmp(out, r, strlen(r)) != 0)
				abort();
			free(r);
		}
		free(out);
		char *c = go_path_clean(s);
		free(c);
		break;
	}
	case 4: {
		if (len >= 24) {
			struct rfs_file_header h;
			struct rfs_seek_header sh;
			uint8_t back[12];
			rfs_file_header_decode(data + 1, &h);
			rfs_file_header_encode(&h, back);
			if (memcmp(back, data + 1, 12) != 0)
				abort();
			rfs_seek_header_decode(data + 13, &sh);
			rfs_seek_header_encode(&sh, back);
			if (memcmp(back, data + 13, 12) != 0)
				abort();
		}
		break;
	}
	case 5: {
		struct netnscfg_adapter a;
		netnscfg_adapter_parse(s, &a, msg, sizeof(msg));
		break;
	}
	}
	free(s);
	return 0;
}
