/*
 * A small reader for the server's JSON answers: a recursive descent over the whole value (so a
 * member of a nested object is never taken for a top-level one), keeping only the members asked
 * for. Strings are unescaped to UTF-8, \u escapes and surrogate pairs included.
 */
#include "json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *p, *end;
  int depth;
} reader;

typedef struct {
  char *s;
  size_t len, cap;
} buf;

static int put(buf *b, char c) {
  if (!b) return 0;
  if (b->len + 2 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    char *s = realloc(b->s, cap);
    if (!s) return -1;
    b->s = s;
    b->cap = cap;
  }
  b->s[b->len++] = c;
  b->s[b->len] = 0;
  return 0;
}

static void put_utf8(buf *b, unsigned long cp) {
  if (cp < 0x80) {
    put(b, (char)cp);
  } else if (cp < 0x800) {
    put(b, (char)(0xC0 | (cp >> 6)));
    put(b, (char)(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    put(b, (char)(0xE0 | (cp >> 12)));
    put(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
    put(b, (char)(0x80 | (cp & 0x3F)));
  } else {
    put(b, (char)(0xF0 | (cp >> 18)));
    put(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
    put(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
    put(b, (char)(0x80 | (cp & 0x3F)));
  }
}

static void ws(reader *r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

static int hex4(reader *r, unsigned long *v) {
  if (r->end - r->p < 4) return -1;
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = *r->p++;
    *v <<= 4;
    if (c >= '0' && c <= '9') *v |= (unsigned long)(c - '0');
    else if (c >= 'a' && c <= 'f') *v |= (unsigned long)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') *v |= (unsigned long)(c - 'A' + 10);
    else return -1;
  }
  return 0;
}

/* A string at r->p (the opening quote); into out unless out is NULL. */
static int string(reader *r, buf *out) {
  if (r->p >= r->end || *r->p != '"') return -1;
  r->p++;
  while (r->p < r->end) {
    unsigned char c = (unsigned char)*r->p++;
    if (c == '"') return 0;
    if (c < 0x20) return -1;
    if (c != '\\') {
      put(out, (char)c);
      continue;
    }
    if (r->p >= r->end) return -1;
    char e = *r->p++;
    switch (e) {
      case '"': put(out, '"'); break;
      case '\\': put(out, '\\'); break;
      case '/': put(out, '/'); break;
      case 'b': put(out, '\b'); break;
      case 'f': put(out, '\f'); break;
      case 'n': put(out, '\n'); break;
      case 'r': put(out, '\r'); break;
      case 't': put(out, '\t'); break;
      case 'u': {
        unsigned long cp, lo;
        if (hex4(r, &cp)) return -1;
        if (cp >= 0xD800 && cp <= 0xDBFF && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
          const char *back = r->p;
          r->p += 2;
          if (hex4(r, &lo)) return -1;
          if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          else r->p = back;
        }
        put_utf8(out, cp);
        break;
      }
      default: return -1;
    }
  }
  return -1;
}

static int number(reader *r, long *v, int *integral) {
  const char *start = r->p;
  if (r->p < r->end && *r->p == '-') r->p++;
  while (r->p < r->end && (isdigit((unsigned char)*r->p) || strchr(".eE+-", *r->p))) r->p++;
  if (r->p == start) return -1;
  char tmp[64];
  size_t n = (size_t)(r->p - start);
  if (n >= sizeof tmp) return -1;
  memcpy(tmp, start, n);
  tmp[n] = 0;
  char *stop;
  *v = strtol(tmp, &stop, 10);
  *integral = *stop == 0;
  return 0;
}

static int literal(reader *r, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return -1;
  r->p += n;
  return 0;
}

/* What one member (object) or value (array) means to the caller: visit is called per member. */
typedef int (*member_fn)(reader *r, const char *key, void *ctx);

static int value(reader *r, member_fn visit, void *ctx);

static int object(reader *r, member_fn visit, void *ctx) {
  r->p++; /* { */
  ws(r);
  if (r->p < r->end && *r->p == '}') {
    r->p++;
    return 0;
  }
  while (1) {
    buf key = {0};
    ws(r);
    if (string(r, &key)) {
      free(key.s);
      return -1;
    }
    ws(r);
    if (r->p >= r->end || *r->p != ':') {
      free(key.s);
      return -1;
    }
    r->p++;
    ws(r);
    int rc = visit ? visit(r, key.s ? key.s : "", ctx) : value(r, NULL, NULL);
    free(key.s);
    if (rc) return -1;
    ws(r);
    if (r->p >= r->end) return -1;
    if (*r->p == ',') {
      r->p++;
      continue;
    }
    if (*r->p == '}') {
      r->p++;
      return 0;
    }
    return -1;
  }
}

/* Any value; an object's members go to visit (NULL: skipped). */
static int value(reader *r, member_fn visit, void *ctx) {
  ws(r);
  if (r->p >= r->end || ++r->depth > 64) return -1;
  int rc;
  long v;
  int integral;
  switch (*r->p) {
    case '{': rc = object(r, visit, ctx); break;
    case '[':
      r->p++;
      ws(r);
      rc = 0;
      if (r->p < r->end && *r->p == ']') {
        r->p++;
        break;
      }
      while (1) {
        if ((rc = value(r, NULL, NULL))) break;
        ws(r);
        if (r->p < r->end && *r->p == ',') {
          r->p++;
          continue;
        }
        if (r->p < r->end && *r->p == ']') {
          r->p++;
          break;
        }
        rc = -1;
        break;
      }
      break;
    case '"': rc = string(r, NULL); break;
    case 't': rc = literal(r, "true"); break;
    case 'f': rc = literal(r, "false"); break;
    case 'n': rc = literal(r, "null"); break;
    default: rc = number(r, &v, &integral); break;
  }
  r->depth--;
  return rc;
}

typedef struct {
  job_status *st;
  int has_id, has_state, bad;
} status_ctx;

static int tasks_member(reader *r, const char *key, void *ctx) {
  job_status *st = ctx;
  long *slot = strcmp(key, "total") == 0 ? &st->total : strcmp(key, "done") == 0 ? &st->done : NULL;
  if (slot && r->p < r->end && (*r->p == '-' || isdigit((unsigned char)*r->p))) {
    int integral;
    if (number(r, slot, &integral) || !integral) return -1;
    return 0;
  }
  return value(r, NULL, NULL);
}

static int verification_member(reader *r, const char *key, void *ctx) {
  job_status *st = ctx;
  if (strcmp(key, "summary") == 0 && r->p < r->end && *r->p == '"') {
    buf s = {0};
    if (string(r, &s)) {
      free(s.s);
      return -1;
    }
    free(st->summary);
    st->summary = s.s ? s.s : strdup("");
    return 0;
  }
  return value(r, NULL, NULL);
}

static int status_member(reader *r, const char *key, void *ctx) {
  status_ctx *c = ctx;
  if (strcmp(key, "id") == 0) {
    c->has_id = r->p < r->end && *r->p == '"';
    return value(r, NULL, NULL);
  }
  if (strcmp(key, "state") == 0) {
    buf s = {0};
    if (r->p >= r->end || *r->p != '"' || string(r, &s)) {
      free(s.s);
      return -1;
    }
    size_t i = 0;
    for (; s.s && s.s[i] && i + 1 < sizeof c->st->state; i++)
      c->st->state[i] = (char)toupper((unsigned char)s.s[i]);
    c->st->state[i] = 0;
    c->has_state = s.s && strlen(s.s) == i;
    free(s.s);
    return 0;
  }
  if (strcmp(key, "tasks") == 0 && r->p < r->end && *r->p == '{') return value(r, tasks_member, c->st);
  if (strcmp(key, "verification") == 0 && r->p < r->end && *r->p == '{')
    return value(r, verification_member, c->st);
  return value(r, NULL, NULL);
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

int json_job_status(const char *body, size_t len, job_status *out) {
  memset(out, 0, sizeof *out);
  reader r = {body, body + len, 0};
  status_ctx c = {out, 0, 0, 0};
  ws(&r);
  if (r.p >= r.end || *r.p != '{' || value(&r, status_member, &c)) goto bad;
  ws(&r);
  if (r.p != r.end || !c.has_id || !c.has_state || !job_state_known(out->state)) goto bad;
  return 0;
bad:
  free(out->summary);
  out->summary = NULL;
  return -1;
}

typedef struct {
  const char *key;
  char *found;
} string_ctx;

static int string_member(reader *r, const char *key, void *ctx) {
  string_ctx *c = ctx;
  if (!c->found && strcmp(key, c->key) == 0 && r->p < r->end && *r->p == '"') {
    buf s = {0};
    if (string(r, &s)) {
      free(s.s);
      return -1;
    }
    c->found = s.s ? s.s : strdup("");
    return 0;
  }
  return value(r, NULL, NULL);
}

char *json_string_member(const char *body, size_t len, const char *key) {
  reader r = {body, body + len, 0};
  string_ctx c = {key, NULL};
  ws(&r);
  if (r.p >= r.end || *r.p != '{' || value(&r, string_member, &c)) {
    free(c.found);
    return NULL;
  }
  return c.found;
}
