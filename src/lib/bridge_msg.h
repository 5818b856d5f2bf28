/* bridge_msg.h: the JSON shapes of bridge messages (§2.2, §3).
 *
 * Building responses (base, error record, 64 KiB fitting), the negotiation
 * reply and capabilities, container notifications, and decoding the request
 * parts every handler needs (base fields, ExecuteProcess settings and
 * ProcessParameters, POSIX-like command line splitting). Pure: no I/O. */
#ifndef LCOW_BRIDGE_MSG_H
#define LCOW_BRIDGE_MSG_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* §3.2: ActivityId of a request if it is a valid GUID, else NULL. */
const char *bridge_msg_activity_id(struct json_object *req);
/* ContainerId of a request ("" when absent). */
const char *bridge_msg_container_id(struct json_object *req);
bool bridge_msg_is_null_guid(const char *id);

/* A new response object {"Result":result[,"ActivityId":..]}. The activity id
 * is emitted only when it is a valid GUID (§3.2, §10 row 26). */
struct json_object *bridge_msg_response_new(int32_t result, const char *activity_id);
/* Marks RESP failed: Result, ErrorMessage and one ErrorRecord (§3.2). */
void bridge_msg_set_error(struct json_object *resp, int32_t hresult, const char *message,
			  const char *file, unsigned line, const char *function);

/* Serialises RESP so that the payload is at most max_payload bytes: long
 * diagnostic strings (ErrorMessage, ErrorRecords[].Message/StackTrace,
 * GuestStacks) are truncated first (§1.8). If it still does not fit, RESP is
 * replaced by an E_FAIL error saying so. Returns a malloc'd string. */
int bridge_msg_serialize_fit(struct json_object *resp, size_t max_payload, char **out, size_t *out_len);

/* §2.2 capabilities object, with the Linux GuestDefinedCapabilities. */
struct json_object *bridge_msg_capabilities(void);
/* §2.2 step 1-2: selected version for a NegotiateProtocol request, or
 * HR_UNSUPPORTED_PROTOCOL / HR_INVALID_JSON in *hresult (return -EINVAL). */
int bridge_msg_negotiate(struct json_object *req, uint32_t *version, int32_t *hresult);

/* §3.4.14 container notification; type is e.g. "UnexpectedExit". */
struct json_object *bridge_msg_notification(const char *container_id, const char *activity_id,
					    const char *type, int32_t result);

/* §3.4.4 + §3.5.3 ExecuteProcess. */
enum { BRIDGE_STDIN = 0, BRIDGE_STDOUT = 1, BRIDGE_STDERR = 2 };
struct bridge_exec {
	char **argv;             /* NULL-terminated; CommandArgs, else split CommandLine */
	char **envp;             /* NULL-terminated "K=V" from Environment */
	char *cwd;               /* WorkingDirectory or NULL */
	bool emulate_console;
	uint16_t console_rows, console_cols; /* ConsoleSize [height, width], 0 if absent */
	bool create_in_uvm;      /* CreateInUtilityVM */
	bool pipe[3];            /* CreateStdInPipe, CreateStdOutPipe, CreateStdErrPipe */
	uint32_t port[3];        /* VsockStdioRelaySettings StdIn/StdOut/StdErr (0 = none) */
	struct json_object *params;      /* parsed ProcessParameters (owned) */
	struct json_object *oci_spec;    /* params.OciSpecification (borrowed) or NULL */
	struct json_object *oci_process; /* params.OciProcess (borrowed) or NULL */
};
/* Decodes an ExecuteProcess request. argv may be empty (NULL argv[0]) when
 * neither CommandArgs nor CommandLine is given (container init/exec shapes).
 * -EINVAL with err text on malformed input. */
int bridge_msg_parse_exec(struct json_object *req, struct bridge_exec *out);
void bridge_exec_free(struct bridge_exec *e);

/* §3.5.3: splits a command line with POSIX-shell-like word rules (single and
 * double quotes, backslash escapes, no expansion). *argv is NULL-terminated,
 * malloc'd (free with bridge_strv_free). -EINVAL on an unterminated quote. */
int bridge_cmdline_split(const char *line, char ***argv);
void bridge_strv_free(char **v);
size_t bridge_strv_len(char *const *v);

#endif
