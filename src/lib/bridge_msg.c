/* bridge_msg.c: JSON message shapes of the bridge protocol (§2.2, §3). */
#include "lib/bridge_msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bridge_json.h"
#include "lib/bridge_proto.h"
#include "lib/err.h"

const char *bridge_msg_activity_id(struct json_object *req)
{
	const char *s;
	if (bj_get_string(req, "ActivityId", &s) < 0 || !bridge_guid_valid(s))
		return NULL;
	return s;
}

const char *bridge_msg_container_id(struct json_object *req)
{
	const char *s;
	if (bj_get_string(req, "ContainerId", &s) < 0)
		return "";
	return s;
}

bool bridge_msg_is_null_guid(const char *id)
{
	return id && strcmp(id, BRIDGE_NULL_GUID) == 0;
}

struct json_object *bridge_msg_response_new(int32_t result, const char *activity_id)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "Result", json_object_new_int(result));
	if (activity_id && bridge_guid_valid(activity_id))
		json_object_object_add(o, "ActivityId", json_object_new_string(activity_id));
	return o;
}

void bridge_msg_set_error(struct json_object *resp, int32_t hresult, const char *message,
			  const char *file, unsigned line, const char *function)
{
	if (!message || !*message)
		message = "unspecified error";
	json_object_object_add(resp, "Result", json_object_new_int(hresult));
	json_object_object_add(resp, "ErrorMessage", json_object_new_string(message));
	struct json_object *rec = json_object_new_object();
	json_object_object_add(rec, "Result", json_object_new_int(hresult));
	json_object_object_add(rec, "Message", json_object_new_string(message));
	json_object_object_add(rec, "ModuleName", json_object_new_string("gcs"));
	json_object_object_add(rec, "FileName", json_object_new_string(file ? file : ""));
	json_object_object_add(rec, "Line", json_object_new_int64(line ? line : 4294967295u));
	bj_add_string_nonempty(rec, "FunctionName", function);
	struct json_object *arr = json_object_new_array();
	json_object_array_add(arr, rec);
	json_object_object_add(resp, "ErrorRecords", arr);
}

/* Truncates the string member KEY of OBJ to at most max bytes (keeping UTF-8
 * sequences whole) and returns how many bytes were removed. */
static size_t truncate_member(struct json_object *obj, const char *key, size_t max)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return 0;
	size_t len = (size_t)json_object_get_string_len(v);
	if (len <= max)
		return 0;
	const char *s = json_object_get_string(v);
	size_t cut = max;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	static const char mark[] = "...(truncated)";
	char *t = malloc(cut + sizeof(mark));
	if (!t)
		return 0;
	memcpy(t, s, cut);
	memcpy(t + cut, mark, sizeof(mark));
	json_object_object_add(obj, key, json_object_new_string(t));
	free(t);
	return len - cut;
}

static void truncate_diagnostics(struct json_object *resp, size_t max)
{
	truncate_member(resp, "ErrorMessage", max);
	truncate_member(resp, "GuestStacks", max);
	struct json_object *recs;
	if (json_object_object_get_ex(resp, "ErrorRecords", &recs) && json_object_is_type(recs, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(recs); i++) {
			struct json_object *rec = json_object_array_get_idx(recs, i);
			truncate_member(rec, "Message", max);
			truncate_member(rec, "StackTrace", max);
		}
	}
}

int bridge_msg_serialize_fit(struct json_object *resp, size_t max_payload, char **out, size_t *out_len)
{
	size_t len;
	const char *s = bj_text(resp, &len);
	/* JSON escaping can expand a string up to 6x; shrink until it fits. */
	for (size_t limit = max_payload / 2; s && len > max_payload && limit >= 64; limit /= 2) {
		truncate_diagnostics(resp, limit);
		s = bj_text(resp, &len);
	}
	if (!s || len > max_payload) {
		/* Nothing truncatable was big enough: fail the request instead. */
		struct json_object *act = NULL;
		json_object_object_get_ex(resp, "ActivityId", &act);
		_cleanup_json_ struct json_object *e =
			bridge_msg_response_new(0, act ? json_object_get_string(act) : NULL);
		bridge_msg_set_error(e, HR_E_FAIL, "the response is larger than the 64 KiB bridge frame limit",
				     __FILE__, __LINE__, __func__);
		s = bj_text(e, &len);
		if (!s)
			return -ENOMEM;
		*out = strndup(s, len);
		*out_len = len;
		return *out ? 0 : -ENOMEM;
	}
	*out = strndup(s, len);
	*out_len = len;
	return *out ? 0 : -ENOMEM;
}

struct json_object *bridge_msg_capabilities(void)
{
	struct json_object *caps = json_object_new_object();
	struct json_object *schemas = json_object_new_array();
	struct json_object *v21 = json_object_new_object();
	json_object_object_add(v21, "Major", json_object_new_int(2));
	json_object_object_add(v21, "Minor", json_object_new_int(1));
	json_object_array_add(schemas, v21);
	json_object_object_add(caps, "SupportedSchemaVersions", schemas);
	json_object_object_add(caps, "RuntimeOsType", json_object_new_string("Linux"));
	struct json_object *g = json_object_new_object();
	json_object_object_add(g, "NamespaceAddRequestSupported", json_object_new_boolean(1));
	json_object_object_add(g, "SignalProcessSupported", json_object_new_boolean(1));
	json_object_object_add(g, "DumpStacksSupported", json_object_new_boolean(1));
	json_object_object_add(g, "DeleteContainerStateSupported", json_object_new_boolean(1));
	json_object_object_add(caps, "GuestDefinedCapabilities", g);
	return caps;
}

int bridge_msg_negotiate(struct json_object *req, uint32_t *version, int32_t *hresult)
{
	uint32_t min = 0, max = 0;
	int r = bj_get_u32(req, "MinimumVersion", &min);
	if (r < 0 && r != -ENOENT) {
		*hresult = HR_INVALID_JSON;
		return r;
	}
	r = bj_get_u32(req, "MaximumVersion", &max);
	if (r < 0 && r != -ENOENT) {
		*hresult = HR_INVALID_JSON;
		return r;
	}
	if (max < BRIDGE_PROTOCOL_V4 || min > BRIDGE_PROTOCOL_V4) {
		*hresult = HR_UNSUPPORTED_PROTOCOL;
		return err_setmsg(-EINVAL, "unsupported protocol version range %u-%u (this guest speaks 4)", min,
				  max);
	}
	*version = BRIDGE_PROTOCOL_V4;
	*hresult = HR_OK;
	return 0;
}

struct json_object *bridge_msg_notification(const char *container_id, const char *activity_id,
					    const char *type, int32_t result)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "ContainerId", json_object_new_string(container_id ? container_id : ""));
	json_object_object_add(o, "ActivityId", json_object_new_string(
		activity_id && bridge_guid_valid(activity_id) ? activity_id : BRIDGE_NULL_GUID));
	json_object_object_add(o, "Type", json_object_new_string(type));
	json_object_object_add(o, "Operation", json_object_new_string("None"));
	json_object_object_add(o, "Result", json_object_new_int(result));
	return o;
}

void bridge_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t bridge_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static int strv_push(char ***v, size_t *n, char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

int bridge_cmdline_split(const char *line, char ***argv)
{
	char **v = calloc(1, sizeof(char *));
	size_t n = 0;
	size_t cap = strlen(line) + 1;
	char *word = NULL;
	size_t wl = 0;
	char quote = 0;
	bool in_word = false;
	if (!v)
		return -ENOMEM;
	for (const char *p = line;; p++) {
		char c = *p;
		if (!word) {
			word = malloc(cap);
			if (!word)
				goto nomem;
			wl = 0;
		}
		if (c == '\0') {
			if (quote) {
				free(word);
				bridge_strv_free(v);
				return err_setmsg(-EINVAL, "command line has an unterminated %c quote", quote);
			}
			break;
		}
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				word[wl++] = c;
			continue;
		}
		if (quote == '"') {
			if (c == '"') {
				quote = 0;
			} else if (c == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`')) {
				word[wl++] = *++p;
			} else {
				word[wl++] = c;
			}
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				word[wl] = '\0';
				if (strv_push(&v, &n, word) < 0)
					goto nomem_noword;
				word = NULL;
				in_word = false;
			}
			continue;
		}
		in_word = true;
		if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '\\') {
			if (p[1])
				word[wl++] = *++p;
		} else {
			word[wl++] = c;
		}
	}
	if (in_word) {
		word[wl] = '\0';
		if (strv_push(&v, &n, word) < 0)
			goto nomem_noword;
	} else {
		free(word);
	}
	*argv = v;
	return 0;
nomem:
	free(word);
nomem_noword:
	bridge_strv_free(v);
	return -ENOMEM;
}

void bridge_exec_free(struct bridge_exec *e)
{
	bridge_strv_free(e->argv);
	bridge_strv_free(e->envp);
	free(e->cwd);
	if (e->params)
		json_object_put(e->params);
	memset(e, 0, sizeof(*e));
}

static int opt_bool(struct json_object *o, const char *key, bool *out)
{
	int r = bj_get_bool(o, key, out);
	return r == -ENOENT ? 0 : r;
}

static int parse_args(struct bridge_exec *e)
{
	struct json_object *args = bj_get(e->params, "CommandArgs");
	if (args && !json_object_is_type(args, json_type_array))
		return err_setmsg(-EINVAL, "CommandArgs: expected an array of strings");
	size_t n = args ? json_object_array_length(args) : 0;
	if (n > 0) {
		e->argv = calloc(n + 1, sizeof(char *));
		if (!e->argv)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			struct json_object *a = json_object_array_get_idx(args, i);
			if (!json_object_is_type(a, json_type_string))
				return err_setmsg(-EINVAL, "CommandArgs[%zu]: expected a string", i);
			e->argv[i] = strdup(json_object_get_string(a));
			if (!e->argv[i])
				return -ENOMEM;
		}
		return 0;
	}
	const char *line = NULL;
	int r = bj_get_string(e->params, "CommandLine", &line);
	if (r == -ENOENT || (r == 0 && !*line)) {
		e->argv = calloc(1, sizeof(char *));
		return e->argv ? 0 : -ENOMEM;
	}
	if (r < 0)
		return r;
	r = bridge_cmdline_split(line, &e->argv);
	return r < 0 ? err_wrap(r, "CommandLine") : 0;
}

static int parse_env(struct bridge_exec *e)
{
	struct json_object *env = bj_get(e->params, "Environment");
	if (env && !json_object_is_type(env, json_type_object))
		return err_setmsg(-EINVAL, "Environment: expected an object of strings");
	size_t n = env ? (size_t)json_object_object_length(env) : 0, i = 0;
	e->envp = calloc(n + 1, sizeof(char *));
	if (!e->envp)
		return -ENOMEM;
	if (!env)
		return 0;
	json_object_object_foreach(env, k, v)
	{
		if (!json_object_is_type(v, json_type_string))
			return err_setmsg(-EINVAL, "Environment[%s]: expected a string", k);
		if (!*k || strchr(k, '='))
			return err_setmsg(-EINVAL, "Environment: invalid variable name '%s'", k);
		if (asprintf(&e->envp[i], "%s=%s", k, json_object_get_string(v)) < 0) {
			e->envp[i] = NULL;
			return -ENOMEM;
		}
		i++;
	}
	return 0;
}

int bridge_msg_parse_exec(struct json_object *req, struct bridge_exec *out)
{
	static const char *const pipe_keys[3] = { "CreateStdInPipe", "CreateStdOutPipe", "CreateStdErrPipe" };
	static const char *const port_keys[3] = { "StdIn", "StdOut", "StdErr" };
	struct bridge_exec e = { 0 };
	int r;

	struct json_object *settings = bj_get(req, "Settings");
	if (!settings || !json_object_is_type(settings, json_type_object))
		return err_setmsg(-EINVAL, "ExecuteProcess: Settings object missing");
	r = bj_parse_embedded(settings, "ProcessParameters", &e.params);
	if (r < 0)
		return err_wrap(r, "ExecuteProcess");
	if (!e.params)
		e.params = json_object_new_object();
	if ((r = parse_args(&e)) < 0 || (r = parse_env(&e)) < 0)
		goto fail;
	const char *cwd = NULL;
	r = bj_get_string(e.params, "WorkingDirectory", &cwd);
	if (r < 0 && r != -ENOENT)
		goto fail;
	if (cwd && *cwd && !(e.cwd = strdup(cwd))) {
		r = -ENOMEM;
		goto fail;
	}
	if ((r = opt_bool(e.params, "EmulateConsole", &e.emulate_console)) < 0 ||
	    (r = opt_bool(e.params, "CreateInUtilityVM", &e.create_in_uvm)) < 0)
		goto fail;
	struct json_object *relay = bj_get(settings, "VsockStdioRelaySettings");
	for (int i = 0; i < 3; i++) {
		if ((r = opt_bool(e.params, pipe_keys[i], &e.pipe[i])) < 0)
			goto fail;
		r = bj_get_u32(relay, port_keys[i], &e.port[i]);
		if (r < 0 && r != -ENOENT)
			goto fail;
	}
	/* CURRENT hosts send ConsoleSize [height, width]; older guests ignored
	 * it and waited for ResizeConsole. Using it sizes the pty before the
	 * program starts (no race with its first TIOCGWINSZ). */
	struct json_object *cs = bj_get(e.params, "ConsoleSize");
	if (cs && json_object_is_type(cs, json_type_array) && json_object_array_length(cs) == 2) {
		int64_t h = json_object_get_int64(json_object_array_get_idx(cs, 0));
		int64_t w = json_object_get_int64(json_object_array_get_idx(cs, 1));
		if (h > 0 && h <= 0xFFFF && w > 0 && w <= 0xFFFF) {
			e.console_rows = (uint16_t)h;
			e.console_cols = (uint16_t)w;
		}
	}
	e.oci_spec = bj_get(e.params, "OciSpecification");
	e.oci_process = bj_get(e.params, "OciProcess");
	*out = e;
	return 0;
fail:
	bridge_exec_free(&e);
	return r;
}
