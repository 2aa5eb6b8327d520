/*
 * The waiter's HTTP: libcurl (Debian's libcurl4-openssl-dev), so http:// and https:// (the
 * server behind nginx with TLS, docs/tls.md) work alike, with the system's CA certificates and
 * the usual proxy environment. One easy handle per request.
 */
#include "http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The most of an answer kept: a job status is a few hundred bytes. */
#define MAX_ANSWER_BYTES (4u << 20)

int url_parse(const char *url, server_url *u) {
  memset(u, 0, sizeof *u);
  if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) return -1;
  CURLU *h = curl_url();
  if (!h) return -1;
  int rc = -1;
  char *host = NULL, *path = NULL, *query = NULL, *fragment = NULL, *user = NULL;
  if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK) goto done;
  if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0]) goto done;
  /* Credentials in the URL or a query would be sent somewhere the user did not mean. */
  if (curl_url_get(h, CURLUPART_USER, &user, 0) == CURLUE_OK) goto done;
  if (curl_url_get(h, CURLUPART_QUERY, &query, 0) == CURLUE_OK) goto done;
  if (curl_url_get(h, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK) goto done;
  if (curl_url_get(h, CURLUPART_PATH, &path, 0) != CURLUE_OK) goto done;
  size_t plen = strlen(path);
  if (plen >= sizeof u->prefix || strlen(url) >= sizeof u->base) goto done;
  memcpy(u->prefix, path, plen + 1);
  while (plen > 0 && u->prefix[plen - 1] == '/') u->prefix[--plen] = 0;
  snprintf(u->host, sizeof u->host, "%s", host);
  /* The base every request path is put after: the URL without its trailing slashes. */
  snprintf(u->base, sizeof u->base, "%s", url);
  size_t blen = strlen(u->base);
  while (blen > 0 && u->base[blen - 1] == '/') u->base[--blen] = 0;
  /* As SurgeClient shows its server: the URL given, without a trailing slash. */
  snprintf(u->shown, sizeof u->shown, "%s", url);
  size_t slen = strlen(u->shown);
  if (slen > 0 && u->shown[slen - 1] == '/') u->shown[slen - 1] = 0;
  rc = 0;
done:
  curl_free(host);
  curl_free(path);
  curl_free(query);
  curl_free(fragment);
  curl_free(user);
  curl_url_cleanup(h);
  return rc;
}

void url_segment(const char *value, char *out, size_t n) {
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)value; *p && o + 4 < n; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        strchr("-._~", *p)) {
      out[o++] = (char)*p;
    } else {
      o += (size_t)snprintf(out + o, n - o, "%%%02X", *p);
    }
  }
  out[o] = 0;
}

typedef struct {
  char *data;
  size_t len, cap;
  int too_big;
} sink;

static size_t collect(char *chunk, size_t size, size_t count, void *userdata) {
  sink *s = userdata;
  size_t n = size * count;
  if (s->len + n + 1 > MAX_ANSWER_BYTES) {
    s->too_big = 1;
    return 0; /* makes curl stop with CURLE_WRITE_ERROR */
  }
  if (s->len + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 16384;
    while (cap < s->len + n + 1) cap *= 2;
    char *bigger = realloc(s->data, cap);
    if (!bigger) return 0;
    s->data = bigger;
    s->cap = cap;
  }
  memcpy(s->data + s->len, chunk, n);
  s->len += n;
  s->data[s->len] = 0;
  return n;
}

volatile sig_atomic_t http_stop;

/* Called by libcurl at least once a second: a signal (http_stop) ends the request. */
static int keep_going(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                      curl_off_t ulnow) {
  (void)p, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
  return http_stop ? 1 : 0;
}

static void unreachable(http_answer *a, int never_connected, const char *reason) {
  a->answered = 0;
  a->never_connected = never_connected;
  snprintf(a->reason, sizeof a->reason, "%s", reason);
}

void http_call(const server_url *u, const char *method, const char *path, const char *auth,
               int connect_ms, int read_ms, http_answer *a) {
  memset(a, 0, sizeof *a);
  static int initialised;
  if (!initialised) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      unreachable(a, 1, "libcurl could not start");
      return;
    }
    initialised = 1;
  }
  CURL *c = curl_easy_init();
  if (!c) {
    unreachable(a, 1, "out of memory");
    return;
  }
  char url[4096];
  if ((size_t)snprintf(url, sizeof url, "%s%s", u->base, path) >= sizeof url) {
    curl_easy_cleanup(c);
    unreachable(a, 1, "request too long");
    return;
  }
  struct curl_slist *headers = NULL;
  char header[8192];
  if (auth) {
    /* One header line: a credential with a control character (a line break in a token file
       edited since the JVM checked it) would add headers; the JVM, run next, says why. */
    for (const unsigned char *p = (const unsigned char *)auth; *p; p++) {
      if (*p < 0x20 || *p == 0x7F) {
        curl_easy_cleanup(c);
        unreachable(a, 1, "the credential is not one line of text");
        return;
      }
    }
    if ((size_t)snprintf(header, sizeof header, "Authorization: %s", auth) >= sizeof header) {
      curl_easy_cleanup(c);
      unreachable(a, 1, "request too long");
      return;
    }
    headers = curl_slist_append(headers, header);
  }
  headers = curl_slist_append(headers, "Accept: application/json");
  sink s = {0};
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_ms);
  /* No answer for read_ms: the same "no answer in time" as between reads before. */
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)((read_ms + 999) / 1000));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, keep_going);
  if (strcmp(method, "POST") == 0) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
  } else if (strcmp(method, "GET") != 0) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  }
  CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  long connected = 0;
  curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connected);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK) {
    free(s.data);
    switch (rc) {
      case CURLE_COULDNT_RESOLVE_HOST: unreachable(a, 1, "unknown host"); break;
      case CURLE_COULDNT_CONNECT: unreachable(a, 1, "connection refused"); break;
      case CURLE_OPERATION_TIMEDOUT:
        unreachable(a, status == 0 && connected == 0, status == 0 && connected == 0
                                                          ? "connection timed out"
                                                          : "no answer in time");
        break;
      case CURLE_ABORTED_BY_CALLBACK: unreachable(a, 0, "interrupted"); break;
      case CURLE_WRITE_ERROR:
        unreachable(a, 0, s.too_big ? "the answer was too large" : "out of memory");
        break;
      default: unreachable(a, 0, error[0] ? error : curl_easy_strerror(rc)); break;
    }
    return;
  }
  a->answered = 1;
  a->status = (int)status;
  a->body = s.data ? s.data : calloc(1, 1);
  a->len = s.len;
}

void http_free(http_answer *a) {
  free(a->body);
  a->body = NULL;
  a->len = 0;
}
