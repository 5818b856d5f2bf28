/* elf_closure.c: recursive DT_NEEDED resolution behind elf_closure.h. */
#include "os/elf_closure.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/elf_dynamic.h"
#include "lib/err.h"

static int read_elf_file(const char *path, struct elf_dynamic_info *info)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(-errno, "opening %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_set(-errno, "stat %s", path);
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return err_setmsg(-ENOEXEC, "%s is not a regular non-empty file", path);
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return err_set(-errno, "mapping %s", path);
	int r = elf_read_dynamic(map, (size_t)st.st_size, info);
	munmap(map, (size_t)st.st_size);
	return r < 0 ? err_wrap(r, "%s", path) : 0;
}

static const struct elf_library *find_library(const struct elf_closure *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->libs[i].name, name) == 0)
			return &c->libs[i];
	return NULL;
}

static int add_library(struct elf_closure *c, const char *name, const char *path)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct elf_library *p = realloc(c->libs, cap * sizeof(*p));
		if (!p)
			return err_set(-ENOMEM, "growing the library list");
		c->libs = p;
		c->cap = cap;
	}
	c->libs[c->n].name = strdup(name);
	c->libs[c->n].path = strdup(path);
	if (!c->libs[c->n].name || !c->libs[c->n].path) {
		free(c->libs[c->n].name);
		free(c->libs[c->n].path);
		return err_set(-ENOMEM, "recording %s", name);
	}
	c->n++;
	return 0;
}

static int resolve(const char *name, const char *const *dirs, size_t ndirs, char **out)
{
	if (strchr(name, '/'))
		return err_setmsg(-EINVAL, "needed library '%s' is a path, not a name", name);
	for (size_t i = 0; i < ndirs; i++) {
		_cleanup_free_ char *cand = NULL;
		if (asprintf(&cand, "%s/%s", dirs[i], name) < 0)
			return err_set(-ENOMEM, "resolving %s", name);
		if (access(cand, R_OK) == 0) {
			*out = TAKE_PTR(cand);
			return 0;
		}
	}
	return err_setmsg(-ENOENT, "library %s not found in %zu search directories", name, ndirs);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int add_object(struct elf_closure *c, const char *path, const char *const *dirs, size_t ndirs, int depth)
{
	if (depth > 64)
		return err_setmsg(-ELOOP, "%s: library chain deeper than 64", path);
	struct elf_dynamic_info info;
	int r = read_elf_file(path, &info);
	if (r < 0)
		return r;
	if (info.interp) {
		if (!c->interp) {
			c->interp = strdup(info.interp);
			if (!c->interp)
				r = err_set(-ENOMEM, "recording the interpreter");
		} else if (strcmp(c->interp, info.interp) != 0) {
			r = err_setmsg(-EINVAL, "%s asks for interpreter %s, others for %s", path, info.interp,
				       c->interp);
		}
	}
	for (size_t i = 0; r == 0 && i < info.n_needed; i++) {
		const char *name = info.needed[i];
		if ((c->interp && strcmp(name, base_name(c->interp)) == 0) || find_library(c, name))
			continue;
		_cleanup_free_ char *lib = NULL;
		if ((r = resolve(name, dirs, ndirs, &lib)) < 0) {
			r = err_wrap(r, "%s", path);
			break;
		}
		/* Record before descending so cycles terminate. */
		if ((r = add_library(c, name, lib)) < 0)
			break;
		r = add_object(c, lib, dirs, ndirs, depth + 1);
	}
	elf_dynamic_info_free(&info);
	return r;
}

int elf_closure_add_program(struct elf_closure *c, const char *path, const char *const *dirs, size_t ndirs)
{
	return add_object(c, path, dirs, ndirs, 0);
}

static int compare_libraries(const void *a, const void *b)
{
	return strcmp(((const struct elf_library *)a)->name, ((const struct elf_library *)b)->name);
}

void elf_closure_sort(struct elf_closure *c)
{
	if (c->n)
		qsort(c->libs, c->n, sizeof(*c->libs), compare_libraries);
}

void elf_closure_free(struct elf_closure *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->libs[i].name);
		free(c->libs[i].path);
	}
	free(c->libs);
	free(c->interp);
	memset(c, 0, sizeof(*c));
}
