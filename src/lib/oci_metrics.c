/* oci_metrics.c: cgroup files → LCOWMetrics (see oci_metrics.h). */
#include "lib/oci_metrics.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/err.h"

struct src {
	oci_cgroup_reader read;
	void *ctx;
};

static char *read_file(struct src *s, const char *controller, const char *file)
{
	char *text = NULL;
	if (s->read(s->ctx, controller, file, &text) < 0)
		return NULL;
	return text;
}

/* A single number; "max" and garbage read as 0 (omitted). */
static uint64_t parse_u64(const char *t)
{
	if (!t)
		return 0;
	char *end;
	unsigned long long v = strtoull(t, &end, 10);
	return end == t ? 0 : (uint64_t)v;
}

static bool read_u64(struct src *s, const char *controller, const char *file, uint64_t *v)
{
	_cleanup_free_ char *t = read_file(s, controller, file);
	*v = parse_u64(t);
	return t != NULL;
}

/* Value of KEY in a "key value\n" file. */
static uint64_t kv_get(const char *text, const char *key)
{
	if (!text)
		return 0;
	size_t kl = strlen(key);
	for (const char *p = text; *p;) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ')
			return parse_u64(p + kl + 1);
		p = strchrnul(p, '\n');
		if (*p)
			p++;
	}
	return 0;
}

static void put_u64(json_object *o, const char *key, uint64_t v)
{
	if (v)
		json_object_object_add(o, key, json_object_new_uint64(v));
}

/* Adds CHILD to O under KEY if it has members, else drops it. */
static void put_obj(json_object *o, const char *key, json_object *child)
{
	if (child && json_object_object_length(child) > 0)
		json_object_object_add(o, key, child);
	else
		json_object_put(child);
}

static json_object *memory_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
	json_object *e = json_object_new_object();
	put_u64(e, "limit", limit);
	put_u64(e, "usage", usage);
	put_u64(e, "max", max);
	put_u64(e, "failcnt", failcnt);
	return e;
}

static json_object *v1_memory_entry(struct src *s, const char *prefix)
{
	char f[96];
	uint64_t limit, usage, max, failcnt;
	snprintf(f, sizeof(f), "%s.limit_in_bytes", prefix);
	read_u64(s, "memory", f, &limit);
	snprintf(f, sizeof(f), "%s.usage_in_bytes", prefix);
	read_u64(s, "memory", f, &usage);
	snprintf(f, sizeof(f), "%s.max_usage_in_bytes", prefix);
	read_u64(s, "memory", f, &max);
	snprintf(f, sizeof(f), "%s.failcnt", prefix);
	read_u64(s, "memory", f, &failcnt);
	return memory_entry(limit, usage, max, failcnt);
}

/* memory.stat key → LCOWMetrics key. The v1 file also has "total_" forms. */
static const struct {
	const char *metric, *v1, *v2;
} memory_stat_keys[] = {
	{ "cache", "cache", "file" },
	{ "rss", "rss", "anon" },
	{ "rss_huge", "rss_huge", "anon_thp" },
	{ "mapped_file", "mapped_file", "file_mapped" },
	{ "dirty", "dirty", "file_dirty" },
	{ "writeback", "writeback", "file_writeback" },
	{ "pg_pg_in", "pgpgin", NULL },
	{ "pg_pg_out", "pgpgout", NULL },
	{ "pg_fault", "pgfault", "pgfault" },
	{ "pg_maj_fault", "pgmajfault", "pgmajfault" },
	{ "inactive_anon", "inactive_anon", "inactive_anon" },
	{ "active_anon", "active_anon", "active_anon" },
	{ "inactive_file", "inactive_file", "inactive_file" },
	{ "active_file", "active_file", "active_file" },
	{ "unevictable", "unevictable", "unevictable" },
};

static void memory_stats(json_object *mem, const char *stat, int version)
{
	for (size_t i = 0; i < ARRAY_SIZE(memory_stat_keys); i++) {
		char total[64];
		snprintf(total, sizeof(total), "total_%s", memory_stat_keys[i].metric);
		if (version == 1) {
			char v1total[64];
			snprintf(v1total, sizeof(v1total), "total_%s", memory_stat_keys[i].v1);
			put_u64(mem, memory_stat_keys[i].metric, kv_get(stat, memory_stat_keys[i].v1));
			put_u64(mem, total, kv_get(stat, v1total));
		} else if (memory_stat_keys[i].v2) {
			/* v2 statistics are hierarchical: the totals equal the values. */
			uint64_t v = kv_get(stat, memory_stat_keys[i].v2);
			put_u64(mem, memory_stat_keys[i].metric, v);
			put_u64(mem, total, v);
		}
	}
	if (version == 1) {
		put_u64(mem, "hierarchical_memory_limit", kv_get(stat, "hierarchical_memory_limit"));
		put_u64(mem, "hierarchical_swap_limit", kv_get(stat, "hierarchical_memsw_limit"));
	}
}

static json_object *per_cpu(const char *text)
{
	json_object *a = json_object_new_array();
	for (const char *p = text; p && *p;) {
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p)
			break;
		json_object_array_add(a, json_object_new_uint64(v));
		p = end;
	}
	if (json_object_array_length(a) == 0) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

static void build_v1(struct src *s, json_object *out)
{
	/* cpu */
	json_object *cpu = json_object_new_object();
	json_object *usage = json_object_new_object();
	uint64_t v;
	read_u64(s, "cpuacct", "cpuacct.usage", &v);
	put_u64(usage, "total", v);
	{
		_cleanup_free_ char *st = read_file(s, "cpuacct", "cpuacct.stat");
		/* USER_HZ ticks (100 per second) → nanoseconds */
		put_u64(usage, "kernel", kv_get(st, "system") * 10000000ull);
		put_u64(usage, "user", kv_get(st, "user") * 10000000ull);
	}
	{
		_cleanup_free_ char *pc = read_file(s, "cpuacct", "cpuacct.usage_percpu");
		json_object *a = per_cpu(pc);
		if (a)
			json_object_object_add(usage, "per_cpu", a);
	}
	put_obj(cpu, "usage", usage);
	{
		_cleanup_free_ char *st = read_file(s, "cpu", "cpu.stat");
		json_object *th = json_object_new_object();
		put_u64(th, "periods", kv_get(st, "nr_periods"));
		put_u64(th, "throttled_periods", kv_get(st, "nr_throttled"));
		put_u64(th, "throttled_time", kv_get(st, "throttled_time"));
		put_obj(cpu, "throttling", th);
	}
	put_obj(out, "cpu", cpu);

	/* memory */
	json_object *mem = json_object_new_object();
	{
		_cleanup_free_ char *st = read_file(s, "memory", "memory.stat");
		memory_stats(mem, st, 1);
	}
	put_obj(mem, "usage", v1_memory_entry(s, "memory"));
	put_obj(mem, "swap", v1_memory_entry(s, "memory.memsw"));
	put_obj(mem, "kernel", v1_memory_entry(s, "memory.kmem"));
	put_obj(mem, "kernel_tcp", v1_memory_entry(s, "memory.kmem.tcp"));
	put_obj(out, "memory", mem);
	{
		_cleanup_free_ char *oom = read_file(s, "memory", "memory.oom_control");
		json_object *o = json_object_new_object();
		put_u64(o, "oom_kill_disable", kv_get(oom, "oom_kill_disable"));
		put_u64(o, "under_oom", kv_get(oom, "under_oom"));
		put_u64(o, "oom_kill", kv_get(oom, "oom_kill"));
		put_obj(out, "memory_oom_control", o);
	}

	/* pids */
	json_object *pids = json_object_new_object();
	read_u64(s, "pids", "pids.current", &v);
	put_u64(pids, "current", v);
	read_u64(s, "pids", "pids.max", &v);
	put_u64(pids, "limit", v);
	put_obj(out, "pids", pids);
}

static void build_v2(struct src *s, json_object *out)
{
	json_object *cpu = json_object_new_object();
	{
		_cleanup_free_ char *st = read_file(s, "", "cpu.stat");
		json_object *usage = json_object_new_object();
		put_u64(usage, "total", kv_get(st, "usage_usec") * 1000);
		put_u64(usage, "kernel", kv_get(st, "system_usec") * 1000);
		put_u64(usage, "user", kv_get(st, "user_usec") * 1000);
		put_obj(cpu, "usage", usage);
		json_object *th = json_object_new_object();
		put_u64(th, "periods", kv_get(st, "nr_periods"));
		put_u64(th, "throttled_periods", kv_get(st, "nr_throttled"));
		put_u64(th, "throttled_time", kv_get(st, "throttled_usec") * 1000);
		put_obj(cpu, "throttling", th);
	}
	put_obj(out, "cpu", cpu);

	json_object *mem = json_object_new_object();
	{
		_cleanup_free_ char *st = read_file(s, "", "memory.stat");
		memory_stats(mem, st, 2);
	}
	uint64_t cur, max, peak, swap_cur, swap_max;
	read_u64(s, "", "memory.current", &cur);
	read_u64(s, "", "memory.max", &max);
	read_u64(s, "", "memory.peak", &peak);
	read_u64(s, "", "memory.swap.current", &swap_cur);
	read_u64(s, "", "memory.swap.max", &swap_max);
	put_obj(mem, "usage", memory_entry(max, cur, peak, 0));
	put_obj(mem, "swap", memory_entry(swap_max, swap_cur, 0, 0));
	put_obj(out, "memory", mem);
	{
		_cleanup_free_ char *ev = read_file(s, "", "memory.events");
		json_object *o = json_object_new_object();
		put_u64(o, "oom_kill", kv_get(ev, "oom_kill"));
		put_obj(out, "memory_oom_control", o);
	}
	json_object *pids = json_object_new_object();
	uint64_t v;
	read_u64(s, "", "pids.current", &v);
	put_u64(pids, "current", v);
	read_u64(s, "", "pids.max", &v);
	put_u64(pids, "limit", v);
	put_obj(out, "pids", pids);
}

int oci_metrics_build(int cgroup_version, oci_cgroup_reader read, void *ctx, json_object **out)
{
	struct src s = { read, ctx };
	json_object *o = json_object_new_object();
	if (!o)
		return err_set(-ENOMEM, "building statistics");
	if (cgroup_version == 2)
		build_v2(&s, o);
	else
		build_v1(&s, o);
	*out = o;
	return 0;
}
