#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int url_parse(const char *url, server_url *u) {
  memset(u, 0, sizeof *u);
  if (strncasecmp(url, "http://", 7) != 0) return -1;
  const char *host = url + 7;
  size_t hostlen = strcspn(host, "/?#");
  const char *rest = host + hostlen;
  if (*rest == '?' || *rest == '#') return -1;
  char authority[512];
  if (hostlen == 0 || hostlen >= sizeof authority || memchr(host, '@', hostlen)) return -1;
  memcpy(authority, host, hostlen);
  authority[hostlen] = 0;
  char *port = NULL;
  if (authority[0] == '[') { /* [v6]:port */
    char *close = strchr(authority, ']');
    if (!close) return -1;
    *close = 0;
    snprintf(u->host, sizeof u->host, "%s", authority + 1);
    if (close[1] == ':') port = close + 2;
    else if (close[1]) return -1;
  } else {
    char *colon = strrchr(authority, ':');
    if (colon) {
      *colon = 0;
      port = colon + 1;
    }
    snprintf(u->host, sizeof u->host, "%s", authority);
  }
  if (port && (!*port || strlen(port) > 5 || strspn(port, "0123456789") != strlen(port))) return -1;
  snprintf(u->port, sizeof u->port, "%s", port ? port : "80");
  size_t plen = strlen(rest);
  if (plen >= sizeof u->prefix) return -1;
  memcpy(u->prefix, rest, plen + 1);
  while (plen > 0 && u->prefix[plen - 1] == '/') u->prefix[--plen] = 0;
  /* As SurgeClient shows its server: the URL given, without a trailing slash. */
  snprintf(u->shown, sizeof u->shown, "%s", url);
  size_t slen = strlen(u->shown);
  if (slen > 0 && u->shown[slen - 1] == '/') u->shown[slen - 1] = 0;
  return 0;
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

volatile sig_atomic_t http_stop;

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void unreachable(http_answer *a, int never_connected, const char *reason) {
  a->answered = 0;
  a->never_connected = never_connected;
  snprintf(a->reason, sizeof a->reason, "%s", reason);
}

static int connect_to(const server_url *u, int timeout_ms, http_answer *a) {
  struct addrinfo hints = {0}, *list;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int gai = getaddrinfo(u->host, u->port, &hints, &list);
  if (gai) {
    unreachable(a, 1, gai == EAI_NONAME || gai == EAI_FAIL ? "unknown host" : gai_strerror(gai));
    return -1;
  }
  const char *why = "connection refused";
  for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
      struct pollfd p = {fd, POLLOUT, 0};
      int n;
      long long deadline = now_ms() + timeout_ms;
      do {
        long long left = deadline - now_ms();
        n = poll(&p, 1, left > 0 ? (int)left : 0);
      } while (n < 0 && errno == EINTR && !http_stop && now_ms() < deadline);
      if (n <= 0) {
        why = "connection timed out";
        close(fd);
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err) {
        why = err == ECONNREFUSED ? "connection refused" : strerror(err);
        close(fd);
        continue;
      }
      rc = 0;
    }
    if (rc < 0) {
      why = errno == ECONNREFUSED ? "connection refused" : strerror(errno);
      close(fd);
      continue;
    }
    freeaddrinfo(list);
    return fd;
  }
  freeaddrinfo(list);
  unreachable(a, 1, why);
  return -1;
}

/* Waits until fd is ready for EVENTS; 0 ready, -1 timed out or failed. */
static int ready(int fd, short events, int timeout_ms) {
  struct pollfd p = {fd, events, 0};
  long long deadline = now_ms() + timeout_ms;
  while (1) {
    long long left = deadline - now_ms();
    int n = poll(&p, 1, left > 0 ? (int)left : 0);
    if (n > 0) return 0;
    if (n == 0 || errno != EINTR || http_stop) return -1;
  }
}

static const char *header(const char *head, const char *name) {
  size_t n = strlen(name);
  for (const char *line = strstr(head, "\r\n"); line && line[2]; line = strstr(line + 2, "\r\n")) {
    const char *l = line + 2;
    if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
      l += n + 1;
      while (*l == ' ' || *l == '\t') l++;
      return l;
    }
  }
  return NULL;
}

/* Decodes a chunked body in place; -1 when it is cut short. */
static int unchunk(char *body, size_t *len) {
  size_t in = 0, out = 0;
  while (1) {
    char *end;
    if (in >= *len) return -1;
    unsigned long size = strtoul(body + in, &end, 16);
    char *eol = strstr(body + in, "\r\n");
    if (!eol || end == body + in) return -1;
    in = (size_t)(eol - body) + 2;
    if (size == 0) break;
    if (in + size > *len) return -1;
    memmove(body + out, body + in, size);
    out += size;
    in += size + 2;
  }
  *len = out;
  body[out] = 0;
  return 0;
}

void http_call(const server_url *u, const char *method, const char *path, const char *auth,
               int connect_ms, int read_ms, http_answer *a) {
  memset(a, 0, sizeof *a);
  int fd = connect_to(u, connect_ms, a);
  if (fd < 0) return;
  char request[8192];
  int n = snprintf(request, sizeof request,
                   "%s %s%s HTTP/1.1\r\nHost: %s%s%s:%s\r\nAccept: application/json\r\n"
                   "User-Agent: surge-wait\r\nConnection: close\r\n%s%s%s%s\r\n",
                   method, u->prefix, path, strchr(u->host, ':') ? "[" : "", u->host,
                   strchr(u->host, ':') ? "]" : "", u->port, auth ? "Authorization: " : "",
                   auth ? auth : "", auth ? "\r\n" : "",
                   strcmp(method, "POST") == 0 ? "Content-Length: 0\r\n" : "");
  if (n <= 0 || (size_t)n >= sizeof request) {
    close(fd);
    unreachable(a, 1, "request too long");
    return;
  }
  for (int sent = 0; sent < n;) {
    if (ready(fd, POLLOUT, read_ms)) {
      close(fd);
      unreachable(a, 0, "no answer in time");
      return;
    }
    ssize_t w = send(fd, request + sent, (size_t)(n - sent), MSG_NOSIGNAL);
    if (w < 0 && errno != EINTR && errno != EAGAIN) {
      close(fd);
      unreachable(a, 0, strerror(errno));
      return;
    }
    if (w > 0) sent += (int)w;
  }
  size_t len = 0, cap = 16384;
  char *data = malloc(cap);
  while (data) {
    if (len + 4096 > cap) {
      char *bigger = cap < (64u << 20) ? realloc(data, cap * 2) : NULL;
      if (!bigger) {
        free(data);
        data = NULL;
        break;
      }
      data = bigger;
      cap *= 2;
    }
    if (ready(fd, POLLIN, read_ms)) {
      free(data);
      close(fd);
      unreachable(a, 0, "no answer in time");
      return;
    }
    ssize_t r = recv(fd, data + len, cap - len - 1, 0);
    if (r == 0) break;
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      char why[128];
      snprintf(why, sizeof why, "%s", errno == ECONNRESET ? "Connection reset" : strerror(errno));
      free(data);
      close(fd);
      unreachable(a, 0, why);
      return;
    }
    len += (size_t)r;
  }
  close(fd);
  if (!data) {
    unreachable(a, 0, "out of memory");
    return;
  }
  data[len] = 0;
  char *head_end = strstr(data, "\r\n\r\n");
  int status;
  if (!head_end || sscanf(data, "HTTP/%*d.%*d %d", &status) != 1) {
    free(data);
    unreachable(a, 0, "the connection closed without a valid HTTP answer");
    return;
  }
  *head_end = 0;
  char *body = head_end + 4;
  size_t body_len = len - (size_t)(body - data);
  const char *te = header(data, "Transfer-Encoding");
  const char *cl = header(data, "Content-Length");
  if (te && strncasecmp(te, "chunked", 7) == 0) {
    if (unchunk(body, &body_len)) {
      free(data);
      unreachable(a, 0, "the connection closed before the answer's body");
      return;
    }
  } else if (cl) {
    size_t want = strtoul(cl, NULL, 10);
    if (body_len < want) {
      free(data);
      unreachable(a, 0, "the connection closed before the answer's body");
      return;
    }
    body_len = want;
  }
  a->answered = 1;
  a->status = status;
  a->body = malloc(body_len + 1);
  if (a->body) {
    memcpy(a->body, body, body_len);
    a->body[body_len] = 0;
    a->len = body_len;
  }
  free(data);
}

void http_free(http_answer *a) {
  free(a->body);
  a->body = NULL;
}
