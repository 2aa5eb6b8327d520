/* One HTTP request to the Surge server through libcurl (http:// or https://). */
#ifndef SURGE_HTTP_H
#define SURGE_HTTP_H
#include <stddef.h>

typedef struct {
  char host[256];
  char prefix[1024]; /* the URL's path without a trailing slash: kept before /api/... */
  char base[2048];   /* the URL without trailing slashes: each request's path goes after it */
  char shown[2048];  /* the URL as messages show it, as the Java client does */
} server_url;

/* 0 for an http:// or https:// URL without credentials, query or fragment; -1 otherwise. */
int url_parse(const char *url, server_url *u);

typedef struct {
  int answered;        /* 1: an HTTP answer came back (status, body); 0: unreachable (reason) */
  int never_connected; /* unreachable before a connection was made */
  int status;
  char *body; /* malloc'd, NUL-terminated */
  size_t len;
  char reason[256];
} http_answer;

/*
 * Sends METHOD PATH (a path below the URL's prefix) with an empty body for POST, the
 * Authorization header AUTH unless NULL, and reads the whole answer, within connect_ms to connect
 * and read_ms between reads. A failed send or read is "unreachable", with the reason the Java
 * client gives (connection refused, connection timed out, no answer in time, unknown host).
 */
void http_call(const server_url *u, const char *method, const char *path, const char *auth,
               int connect_ms, int read_ms, http_answer *a);

void http_free(http_answer *a);

/*
 * Set (from a signal handler) to give up a request in flight at once, as "unreachable": a signal
 * must not wait out a 30 s read before the job is cancelled. Cleared before the cancel request.
 */
#include <signal.h>
extern volatile sig_atomic_t http_stop;

/* A path segment percent-encoded as the Java client does (unreserved characters kept). */
void url_segment(const char *value, char *out, size_t n);
#endif
