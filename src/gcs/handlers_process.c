/* handlers_process.c: ExecuteProcess outside containers, WaitForProcess,
 * SignalProcess and ResizeConsole (§3.4.4-3.4.7, §4.1.2-4.1.6, §4.2.3-4.2.6, §4.3).
 *
 * ExecuteProcess is registered with a low priority: the container code
 * registers its own handler and calls gcs_exec_external() for requests that
 * gcs_exec_is_external() says are UVM processes. Wait/Signal/Resize find the
 * process through gcs_request_proc_table(), so containers only need to
 * provide their tables. */
#include "gcs/handlers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcs/process.h"

bool gcs_exec_is_external(const struct gcs_request *req, const struct bridge_exec *e)
{
	if (e->create_in_uvm)
		return true;
	/* §4.2.3: in V4 the null GUID targets the UVM. */
	return gcs_request_protocol(req) == BRIDGE_PROTOCOL_V4 &&
	       bridge_msg_is_null_guid(gcs_request_container_id(req));
}

/* Test seam (off by default; never with a real host, which would not know
 * the container id): when a UVM process has exited and its output is
 * drained, send an UnexpectedExit notification for "uvm-process-<pid>"
 * before the exit is published. It exercises the before_publish hook and
 * the notification queue across bridge loss (§1.2). */
static bool notify_uvm_exits;
GCS_OPTION(test_notify_uvm_exit, "test-notify-uvm-exit", true, NULL,
	   "tests only: send a container notification when a UVM process exits", goflag_set_bool,
	   &notify_uvm_exits);

static void notify_on_exit(struct gcs_process *p, void *ctx)
{
	char id[64];
	snprintf(id, sizeof(id), "uvm-process-%d", (int)gcs_process_pid(p));
	gcs_notify_container(id, NULL, "UnexpectedExit", 0);
	gcs_process_publish(p);
}

static const struct gcs_process_hooks test_hooks = { .before_publish = notify_on_exit };

int gcs_exec_external(struct gcs_request *req, struct bridge_exec *e)
{
	struct gcs_stdio io;
	int r = gcs_stdio_dial(e, &io); /* §4.1.2 step 2: streams first */
	if (r < 0)
		return r;
	if (!e->argv || !e->argv[0])
		return gcs_stdio_close(&io), err_setmsg(-EINVAL, "ExecuteProcess: no command (CommandArgs or CommandLine)");
	struct gcs_process_start s = {
		.argv = e->argv,
		.envp = e->envp,
		.cwd = e->cwd,
		.tty = e->emulate_console,
		.rows = e->console_rows,
		.cols = e->console_cols,
		.exit_style = GCS_EXIT_EXTERNAL,
		.container_id = "",
		.hooks = notify_uvm_exits ? &test_hooks : NULL,
	};
	struct gcs_proc_table *t =
		gcs_request_protocol(req) == BRIDGE_PROTOCOL_V3 ? gcs_v3_processes : gcs_uvm_processes;
	struct gcs_process *p;
	r = gcs_process_spawn(t, &s, &io, &p);
	if (r < 0)
		return err_wrap(r, "starting %s", e->argv[0]);
	json_object_object_add(gcs_request_response(req), "ProcessId", json_object_new_int64(gcs_process_pid(p)));
	gcs_process_unref(p);
	return 0;
}

static int handle_execute(struct gcs_request *req)
{
	struct bridge_exec e;
	int r = bridge_msg_parse_exec(gcs_request_json(req), &e);
	if (r < 0) {
		gcs_request_set_hresult(req, HR_INVALID_JSON);
		return r;
	}
	if (gcs_exec_is_external(req, &e)) {
		r = gcs_exec_external(req, &e);
	} else {
		gcs_request_set_hresult(req, HR_SYSTEM_NOT_FOUND);
		r = err_setmsg(-ENOENT, "container %s does not exist", gcs_request_container_id(req));
	}
	bridge_exec_free(&e);
	return r;
}
GCS_HANDLER_PRIO(execute_process, BRIDGE_MSG_EXECUTE_PROCESS, GCS_MODE_V3 | GCS_MODE_V4, 0, -100, handle_execute);

/* Finds the process named by ProcessId; sets the HRESULT on failure. */
static int find_process(struct gcs_request *req, struct gcs_process **out)
{
	uint32_t pid;
	int r = bj_get_u32(gcs_request_json(req), "ProcessId", &pid);
	if (r < 0) {
		gcs_request_set_hresult(req, HR_INVALID_JSON);
		return r == -ENOENT ? err_setmsg(-EINVAL, "ProcessId is missing") : r;
	}
	struct gcs_proc_table *t;
	r = gcs_request_proc_table(req, &t);
	if (r < 0)
		return r;
	*out = gcs_proc_table_get(t, (pid_t)pid);
	if (!*out) {
		gcs_request_set_hresult(req, HR_NOT_FOUND);
		return err_setmsg(-ESRCH, "process %u not found", pid);
	}
	return 0;
}

static int handle_wait(struct gcs_request *req)
{
	uint32_t timeout = BRIDGE_WAIT_INFINITE;
	int r = bj_get_u32(gcs_request_json(req), "TimeoutInMs", &timeout);
	if (r < 0 && r != -ENOENT) {
		gcs_request_set_hresult(req, HR_INVALID_JSON);
		return r;
	}
	struct gcs_process *p;
	r = find_process(req, &p);
	if (r < 0)
		return r;
	r = gcs_process_wait(p, req, timeout);
	gcs_process_unref(p);
	return r;
}
GCS_HANDLER_PRIO(wait_for_process, BRIDGE_MSG_WAIT_FOR_PROCESS, GCS_MODE_V3 | GCS_MODE_V4, GCS_HANDLER_INLINE, -100,
		 handle_wait);

static int handle_signal(struct gcs_request *req)
{
	int32_t sig = 0;
	struct json_object *opts = bj_get(gcs_request_json(req), "Options");
	int r = bj_get_i32(opts, "Signal", &sig);
	if (r < 0 && r != -ENOENT) {
		gcs_request_set_hresult(req, HR_INVALID_JSON);
		return r;
	}
	if (sig == 0)
		sig = SIGKILL; /* §3.4.6 */
	if (sig < 0 || sig >= NSIG) {
		gcs_request_set_hresult(req, HR_E_INVALIDARG);
		return err_setmsg(-EINVAL, "invalid signal %d", sig);
	}
	struct gcs_process *p;
	r = find_process(req, &p);
	if (r < 0)
		return r;
	r = gcs_process_signal(p, sig);
	gcs_process_unref(p);
	if (r == -ESRCH)
		gcs_request_set_hresult(req, HR_NOT_FOUND);
	return r;
}
GCS_HANDLER_PRIO(signal_process, BRIDGE_MSG_SIGNAL_PROCESS, GCS_MODE_V3 | GCS_MODE_V4, GCS_HANDLER_INLINE, -100,
		 handle_signal);

static int handle_resize(struct gcs_request *req)
{
	uint32_t h = 0, w = 0;
	struct json_object *m = gcs_request_json(req);
	int r1 = bj_get_u32(m, "Height", &h), r2 = bj_get_u32(m, "Width", &w);
	if ((r1 < 0 && r1 != -ENOENT) || (r2 < 0 && r2 != -ENOENT) || h > 0xFFFF || w > 0xFFFF) {
		gcs_request_set_hresult(req, HR_INVALID_JSON);
		return err_setmsg(-EINVAL, "Height/Width must be 16-bit unsigned integers");
	}
	struct gcs_process *p;
	int r = find_process(req, &p);
	if (r < 0)
		return r;
	r = gcs_process_resize(p, h, w);
	gcs_process_unref(p);
	return r;
}
GCS_HANDLER_PRIO(resize_console, BRIDGE_MSG_RESIZE_CONSOLE, GCS_MODE_V3 | GCS_MODE_V4, GCS_HANDLER_INLINE, -100,
		 handle_resize);
