/* The few fields of the server's JSON answers the waiter needs, read with json-c. */
#include "json.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* The server's answers are flat; anything deeper is not one of them. */
#define MAX_DEPTH 32

static json_object *parse(const char *body, size_t len) {
  if (len > (size_t)0x7fffffff) return NULL;
  json_tokener *t = json_tokener_new_ex(MAX_DEPTH);
  if (!t) return NULL;
  json_tokener_set_flags(t, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
  json_object *o = json_tokener_parse_ex(t, body, (int)len);
  /* The whole body must be one value, nothing after it. */
  if (json_tokener_get_error(t) != json_tokener_success || t->char_offset != (int)len) {
    json_object_put(o);
    o = NULL;
  }
  json_tokener_free(t);
  return o;
}

static int whole(json_object *o, long *out) {
  if (!o || !json_object_is_type(o, json_type_int)) return -1;
  *out = (long)json_object_get_int64(o);
  return 0;
}

int json_job_status(const char *body, size_t len, job_status *out) {
  memset(out, 0, sizeof *out);
  json_object *root = parse(body, len);
  if (!root || !json_object_is_type(root, json_type_object)) goto bad;
  json_object *id, *state, *tasks, *v;
  if (!json_object_object_get_ex(root, "id", &id) || !json_object_is_type(id, json_type_string))
    goto bad;
  if (!json_object_object_get_ex(root, "state", &state) ||
      !json_object_is_type(state, json_type_string))
    goto bad;
  const char *s = json_object_get_string(state);
  size_t n = strlen(s);
  if (n + 1 > sizeof out->state) goto bad;
  for (size_t i = 0; i <= n; i++) out->state[i] = (char)toupper((unsigned char)s[i]);
  if (!job_state_known(out->state)) goto bad;
  if (json_object_object_get_ex(root, "tasks", &tasks) &&
      json_object_is_type(tasks, json_type_object)) {
    json_object *x;
    if (json_object_object_get_ex(tasks, "total", &x) && whole(x, &out->total)) goto bad;
    if (json_object_object_get_ex(tasks, "done", &x) && whole(x, &out->done)) goto bad;
  }
  if (json_object_object_get_ex(root, "verification", &v) &&
      json_object_is_type(v, json_type_object)) {
    json_object *summary;
    if (json_object_object_get_ex(v, "summary", &summary) &&
        json_object_is_type(summary, json_type_string)) {
      out->summary = strdup(json_object_get_string(summary));
    }
  }
  json_object_put(root);
  return 0;
bad:
  json_object_put(root);
  free(out->summary);
  out->summary = NULL;
  return -1;
}

char *json_string_member(const char *body, size_t len, const char *key) {
  json_object *root = parse(body, len), *m;
  char *found = NULL;
  if (root && json_object_is_type(root, json_type_object) &&
      json_object_object_get_ex(root, key, &m) && json_object_is_type(m, json_type_string)) {
    found = strdup(json_object_get_string(m));
  }
  json_object_put(root);
  return found;
}

int job_state_known(const char *s) {
  static const char *known[] = {"QUEUED", "RUNNING", "MERGING", "SUCCEEDED", "FAILED", "CANCELLED"};
  for (size_t i = 0; i < sizeof known / sizeof *known; i++)
    if (strcmp(s, known[i]) == 0) return 1;
  return 0;
}

int job_state_ended(const char *s) {
  return strcmp(s, "SUCCEEDED") == 0 || strcmp(s, "FAILED") == 0 || strcmp(s, "CANCELLED") == 0;
}
