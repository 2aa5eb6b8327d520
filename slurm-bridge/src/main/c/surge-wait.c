/*
 * surge-wait: the process a waiting `surge offload` is, instead of a JVM.
 *
 *   surge-wait JAVA [JVM OPTIONS] -jar surge.jar -- offload [ARGS]
 *
 * bin/surge execs it for `surge offload`. It runs the JVM once to read the script, upload and
 * submit (`surge offload ARGS`, with SURGE_OFFLOAD_HANDOFF naming a file); the JVM writes what the
 * wait needs into that file and exits. This process then polls the job's status at the JVM's
 * cadence, prints the same progress lines, keeps the Slurm job's Comment up to date, and on
 * SIGTERM/SIGINT/SIGHUP cancels the job and exits 128+signal, as the JVM does. When the job has
 * ended, or the server answers something only the JVM can explain (a refused credential, an
 * unreadable answer, a server away for longer than --connect-timeout), it runs the JVM again
 * (`surge offload --resume FILE`), which polls once more and writes the result, the messages and
 * the exit code exactly as before; that JVM exits 75 when the job is in fact still running, and
 * the wait goes on here.
 *
 * A JVM that waits itself (the server is https://, no hand-off file) is simply run to its end;
 * this process then only forwards signals and its exit code. A file FILE.over written by the JVM
 * says it took charge (its shutdown hook cancelled the job, or it saw the job end): then this
 * process cancels nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "json.h"

#define WAIT_MORE 75 /* from `surge offload --resume`: the job still runs, keep waiting */
#define PROGRESS_WIDTH 20
#define COMMENT_MAX 200

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) {
  if (!got_signal) got_signal = sig;
  http_stop = 1;
}

static long long mono_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static long long wall_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Sleeps, returning early on a signal. */
static void pause_ms(long long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
  if (!got_signal) nanosleep(&t, NULL);
}

static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fflush(stderr);
}

/* ---- the hand-off file ------------------------------------------------------------------- */

typedef struct {
  char *job, *server, *auth, *slurm_job;
  long long started_ms, interval_ms, max_backoff_ms, give_up_ms, log_interval_ms,
      comment_interval_ms, scontrol_timeout_ms, cancel_timeout_ms;
  int terminal, complete;
} handoff;

static void pct_decode(char *s) {
  char *o = s;
  for (; *s; s++) {
    unsigned int c;
    if (*s == '%' && sscanf(s + 1, "%2x", &c) == 1) {
      *o++ = (char)c;
      s += 2;
    } else {
      *o++ = *s;
    }
  }
  *o = 0;
}

static int read_handoff(const char *path, handoff *h) {
  memset(h, 0, sizeof *h);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    if (line[n - 1] == '\n') line[--n] = 0;
    char *eq = strchr(line, '=');
    if (!eq) continue;
    *eq = 0;
    char *key = line, *val = eq + 1;
    pct_decode(val);
    long long num = atoll(val);
    if (!strcmp(key, "job")) h->job = strdup(val);
    else if (!strcmp(key, "server")) h->server = strdup(val);
    else if (!strcmp(key, "auth")) h->auth = strdup(val);
    else if (!strcmp(key, "slurm-job")) h->slurm_job = strdup(val);
    else if (!strcmp(key, "started-ms")) h->started_ms = num;
    else if (!strcmp(key, "interval-ms")) h->interval_ms = num;
    else if (!strcmp(key, "max-backoff-ms")) h->max_backoff_ms = num;
    else if (!strcmp(key, "give-up-ms")) h->give_up_ms = num;
    else if (!strcmp(key, "log-interval-ms")) h->log_interval_ms = num;
    else if (!strcmp(key, "comment-interval-ms")) h->comment_interval_ms = num;
    else if (!strcmp(key, "scontrol-timeout-ms")) h->scontrol_timeout_ms = num;
    else if (!strcmp(key, "cancel-timeout-ms")) h->cancel_timeout_ms = num;
    else if (!strcmp(key, "terminal")) h->terminal = num != 0;
    else if (!strcmp(key, "end")) h->complete = 1;
  }
  free(line);
  fclose(f);
  h->complete = h->complete && h->job && h->server && h->auth && h->interval_ms > 0;
  return 0;
}

/* ---- credentials ------------------------------------------------------------------------- */

/* Runs ARGV with stdin from /dev/null; its stdout (up to n-1 bytes) into out. Exit status, or -1. */
static int run_capture(char *const argv[], char *out, size_t n, int timeout_ms) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC)) return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(fds[1], 1);
    dup2(null, 2);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  size_t len = 0;
  long long deadline = mono_ms() + timeout_ms;
  while (len + 1 < n) {
    struct pollfd p = {fds[0], POLLIN, 0};
    long long left = deadline - mono_ms();
    if (left <= 0) break;
    int r = poll(&p, 1, (int)left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    ssize_t got = read(fds[0], out + len, n - len - 1);
    if (got <= 0) break;
    len += (size_t)got;
  }
  out[len] = 0;
  close(fds[0]);
  int status;
  if (mono_ms() >= deadline) kill(pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *strip(char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = 0;
  return s;
}

/* The Authorization header value for the next request, as the JVM chose it; NULL for none. */
static char *authorization(const handoff *h) {
  static char header[4096];
  if (!strncmp(h->auth, "bearer-env:", 11)) {
    const char *v = getenv(h->auth + 11);
    if (!v) return NULL;
    char copy[4000];
    snprintf(copy, sizeof copy, "%s", v);
    snprintf(header, sizeof header, "Bearer %s", strip(copy));
    return header;
  }
  if (!strncmp(h->auth, "bearer-file:", 12)) {
    static char token[4000];
    static int read_once;
    if (!read_once) {
      FILE *f = fopen(h->auth + 12, "r");
      size_t n = f ? fread(token, 1, sizeof token - 1, f) : 0;
      token[n] = 0;
      if (f) fclose(f);
      read_once = 1;
    }
    char copy[4000];
    snprintf(copy, sizeof copy, "%s", token);
    snprintf(header, sizeof header, "Bearer %s", strip(copy));
    return header;
  }
  if (!strcmp(h->auth, "munge") || !strncmp(h->auth, "munge:", 6)) {
    /* munged refuses a credential decoded twice: a fresh one for every request. */
    char *socket = h->auth[5] == ':' ? h->auth + 6 : NULL;
    char *argv[] = {"munge", "-n", socket ? "--socket" : NULL, socket, NULL};
    char out[2048];
    if (run_capture(argv, out, sizeof out, 10000) != 0) return NULL;
    char *cred = strip(out);
    if (strncmp(cred, "MUNGE:", 6)) return NULL;
    snprintf(header, sizeof header, "MUNGE %s", cred);
    return header;
  }
  return NULL;
}

/* ---- text as the JVM shows it -------------------------------------------------------------- */

static int unsafe(unsigned long c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
         c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* ControlCharacters.escape: unsafe code points as \uXXXX; into out (n bytes). */
static void escape(const char *s, char *out, size_t n) {
  size_t o = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p && o + 8 < n) {
    unsigned long c = *p;
    int len = 1;
    if (c >= 0xF0 && p[1] && p[2] && p[3]) {
      c = ((c & 7) << 18) | ((p[1] & 0x3Ful) << 12) | ((p[2] & 0x3Ful) << 6) | (p[3] & 0x3Ful);
      len = 4;
    } else if (c >= 0xE0 && p[1] && p[2]) {
      c = ((c & 15) << 12) | ((p[1] & 0x3Ful) << 6) | (p[2] & 0x3Ful);
      len = 3;
    } else if (c >= 0xC0 && p[1]) {
      c = ((c & 31) << 6) | (p[1] & 0x3Ful);
      len = 2;
    }
    if (unsafe(c)) {
      o += (size_t)snprintf(out + o, n - o, "\\u%04lx", c);
    } else {
      memcpy(out + o, p, (size_t)len);
      o += (size_t)len;
    }
    p += len;
  }
  out[o] = 0;
}

static void lower(const char *s, char *out, size_t n) {
  size_t i = 0;
  for (; s[i] && i + 1 < n; i++) out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
  out[i] = 0;
}

/* Durations.format: 12.3 s, 4m05s, 1h02m03s. */
static void format_duration(long long ms, char *out, size_t n) {
  if (ms < 0) ms = 0;
  if (ms < 60000) {
    snprintf(out, n, "%lld.%lld s", ms / 1000, ms / 100 % 10);
    return;
  }
  long long s = ms / 1000;
  if (s < 3600) snprintf(out, n, "%lldm%02llds", s / 60, s % 60);
  else snprintf(out, n, "%lldh%02lldm%02llds", s / 3600, s % 3600 / 60, s % 60);
}

/* ---- the progress line (ProgressBar) ------------------------------------------------------- */

static long long last_logged = -1;
static int drawn = -1;

static void progress(const handoff *h, const job_status *st, long long elapsed) {
  long total = st->total > 0 ? st->total : 0;
  long done = st->done < 0 ? 0 : st->done > total ? total : st->done;
  int filled = total == 0 ? 0 : (int)(done * PROGRESS_WIDTH / total);
  int percent = total == 0 ? 0 : (int)(done * 100 / total);
  char line[256], took[32], state[16];
  format_duration(elapsed, took, sizeof took);
  int n = snprintf(line, sizeof line, "[");
  for (int i = 0; i < PROGRESS_WIDTH; i++) line[n++] = i < filled ? '#' : '.';
  lower(st->state, state, sizeof state);
  n += snprintf(line + n, sizeof line - (size_t)n, "] %ld/%ld tasks  %d%%  %s%s%s", done, total,
                percent, took, strcmp(st->state, "RUNNING") ? "  " : "",
                strcmp(st->state, "RUNNING") ? state : "");
  if (h->terminal) {
    say("\r%s%*s", line, drawn > n ? drawn - n : 0, "");
    drawn = n;
  } else if (last_logged < 0 || elapsed - last_logged >= h->log_interval_ms) {
    say("%s\n", line);
    last_logged = elapsed;
  }
}

/* ---- the Slurm job's Comment (JobComment) -------------------------------------------------- */

static char comment_last[COMMENT_MAX * 8];
static long long comment_sent = -1;
static pid_t comment_pid;
static int comment_err = -1;
static long long comment_started;
static char comment_shown[COMMENT_MAX * 8 + 64];
static int comment_warned;

static void comment_warn(const char *reason) {
  if (comment_warned) return;
  comment_warned = 1;
  say("surge: warning: cannot update the Slurm job's Comment (progress still goes to this log): "
      "%s\n",
      reason);
}

/* Reaps the update in flight; with block, waits for it up to the scontrol time limit. */
static void comment_reap(const handoff *h, int block) {
  if (!comment_pid) return;
  int status;
  pid_t r;
  while (1) {
    r = waitpid(comment_pid, &status, WNOHANG);
    if (r != 0 || !block) break;
    if (mono_ms() - comment_started >= h->scontrol_timeout_ms) break;
    struct timespec t = {0, 20 * 1000000};
    nanosleep(&t, NULL);
  }
  if (r == 0 && mono_ms() - comment_started >= h->scontrol_timeout_ms) {
    kill(comment_pid, SIGKILL);
    waitpid(comment_pid, &status, 0);
    char why[sizeof comment_shown + 64];
    snprintf(why, sizeof why, "%s: no answer in %lld s", comment_shown,
             h->scontrol_timeout_ms / 1000);
    comment_warn(why);
    r = comment_pid;
    status = 0;
  } else if (r == comment_pid && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    char err[512] = "";
    ssize_t got = read(comment_err, err, sizeof err - 1);
    err[got > 0 ? got : 0] = 0;
    char *first = strip(err);
    first[strcspn(first, "\n")] = 0;
    char why[sizeof comment_shown + 600];
    snprintf(why, sizeof why, "%s: exited with %d%s%s", comment_shown,
             WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), *first ? ": " : "",
             first);
    comment_warn(why);
  }
  if (r != 0) {
    comment_pid = 0;
    close(comment_err);
    comment_err = -1;
  }
}

/* JobComment.oneLine: whitespace runs to one blank, escaped, at most 200 characters. */
static void one_line(const char *text, char *out, size_t n) {
  char squeezed[COMMENT_MAX * 8];
  size_t o = 0;
  int blank = 0;
  for (const char *p = text; *p && o + 2 < sizeof squeezed; p++) {
    if (strchr(" \t\n\v\f\r", *p)) {
      blank = 1;
      continue;
    }
    if (blank && o > 0) squeezed[o++] = ' ';
    blank = 0;
    squeezed[o++] = *p;
  }
  squeezed[o] = 0;
  escape(squeezed, out, n);
  /* Cut by UTF-16 units, as Java counts. */
  size_t units = 0, i = 0, cut = 0;
  for (; out[i]; i++) {
    unsigned char c = (unsigned char)out[i];
    if ((c & 0xC0) == 0x80) continue;
    if (units == COMMENT_MAX - 3) cut = i;
    units += c >= 0xF0 ? 2 : 1;
  }
  if (units > COMMENT_MAX) strcpy(out + cut, "...");
}

static void comment(const handoff *h, const job_status *st) {
  if (!h->slurm_job) return;
  comment_reap(h, 0);
  char text[COMMENT_MAX * 4], state[16];
  lower(st->state, state, sizeof state);
  int n = strcmp(st->state, "RUNNING")
              ? snprintf(text, sizeof text, "surge %s %ld/%ld", state, st->done, st->total)
              : snprintf(text, sizeof text, "surge %ld/%ld", st->done, st->total);
  if (st->summary && *strip(st->summary))
    snprintf(text + n, sizeof text - (size_t)n, "; %s", st->summary);
  long long now = mono_ms();
  if (!strcmp(text, comment_last) ||
      (comment_sent >= 0 && now - comment_sent < h->comment_interval_ms) || comment_pid)
    return;
  snprintf(comment_last, sizeof comment_last, "%s", text);
  comment_sent = now;
  char line[COMMENT_MAX * 8], job_arg[300], comment_arg[sizeof line + 16];
  one_line(text, line, sizeof line);
  snprintf(job_arg, sizeof job_arg, "JobId=%s", h->slurm_job);
  snprintf(comment_arg, sizeof comment_arg, "Comment=%s", line);
  snprintf(comment_shown, sizeof comment_shown, "scontrol update %s %s", job_arg, comment_arg);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC)) return;
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(fds[1], 2);
    char *argv[] = {"scontrol", "update", job_arg, comment_arg, NULL};
    execvp(argv[0], argv);
    dprintf(2, "cannot start: %s\n", strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return;
  }
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  comment_pid = pid;
  comment_err = fds[0];
  comment_started = now;
}

/* ---- cancel (CancelOnInterrupt) ------------------------------------------------------------ */

static void cancel(const handoff *h, const server_url *u) {
  char seg[1024], path[1100], job[1024];
  url_segment(h->job, seg, sizeof seg);
  snprintf(path, sizeof path, "/api/jobs/%s/cancel", seg);
  escape(h->job, job, sizeof job);
  http_answer a;
  int timeout = (int)(h->cancel_timeout_ms > 0 ? h->cancel_timeout_ms : 2000);
  http_stop = 0;
  http_call(u, "POST", path, authorization(h), timeout, timeout, &a);
  say("\n");
  if (!a.answered) {
    say("surge: interrupted; could not cancel job %s: cannot reach the Surge server at %s: %s;"
        " cancel it with: surge cancel %s\n",
        job, u->shown, a.reason, job);
    return;
  }
  job_status st;
  if (a.status / 100 == 2 && json_job_status(a.body, a.len, &st) == 0) {
    say("surge: interrupted; cancelled job %s (now %s)\n", job, st.state);
    free(st.summary);
  } else {
    char *error = a.body ? json_string_member(a.body, a.len, "error") : NULL;
    char shown[1024];
    escape(error ? error : "", shown, sizeof shown);
    say("surge: interrupted; could not cancel job %s: the server answered %d%s%s; cancel it with:"
        " surge cancel %s\n",
        job, a.status, *shown ? ": " : "", shown, job);
    free(error);
  }
  http_free(&a);
}

/* ---- running the JVM ----------------------------------------------------------------------- */

/* Runs ARGV to its end, passing on any signal this process gets; answers its exit code as a shell
 * reports it (128+signal for a JVM killed by one). */
static int run_jvm(char **argv) {
  pid_t pid = fork();
  if (pid < 0) {
    say("surge: cannot start %s: %s\n", argv[0], strerror(errno));
    return 5;
  }
  if (pid == 0) {
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    execvp(argv[0], argv);
    say("surge: cannot start %s: %s\n", argv[0], strerror(errno));
    _exit(5);
  }
  int forwarded = 0, status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 5;
    if (got_signal && !forwarded) {
      kill(pid, got_signal);
      forwarded = 1;
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int exists(const char *path) {
  struct stat s;
  return stat(path, &s) == 0;
}

static char handoff_path[4096], over_path[4200];

static void clean_up(void) {
  unlink(handoff_path);
  unlink(over_path);
}

/* A signal reached us or the JVM and nobody cancelled: cancel, and exit as the JVM would. */
static int cancelled_here(const handoff *h, const server_url *u, int sig) {
  cancel(h, u);
  clean_up();
  return 128 + sig;
}

static int signal_of(int rc) {
  return rc == 129 ? SIGHUP : rc == 130 ? SIGINT : rc == 143 ? SIGTERM : 0;
}

enum wait_end { JOB_ENDED, ASK_JVM, SIGNALLED };

/* Polls as JobWaiter does; returns when the JVM must take over, or on a signal. */
static enum wait_end wait_job(const handoff *h, const server_url *u) {
  char seg[1024], path[1100];
  url_segment(h->job, seg, sizeof seg);
  snprintf(path, sizeof path, "/api/jobs/%s", seg);
  long long failing_since = -1, pause = h->interval_ms;
  while (!got_signal) {
    http_answer a;
    http_call(u, "GET", path, authorization(h), 10000, 30000, &a);
    if (got_signal) {
      http_free(&a);
      break;
    }
    int transient = !a.answered || a.status == 502 || a.status == 503 || a.status == 504;
    if (transient) {
      http_free(&a);
      long long now = mono_ms();
      if (failing_since < 0) failing_since = now;
      if (now - failing_since >= h->give_up_ms) return ASK_JVM;
      pause_ms(pause);
      pause = pause * 2 < h->max_backoff_ms ? pause * 2 : h->max_backoff_ms;
      continue;
    }
    job_status st;
    if (a.status / 100 != 2 || json_job_status(a.body, a.len, &st)) {
      http_free(&a);
      return ASK_JVM; /* the JVM polls again and says what is wrong, as it always has */
    }
    http_free(&a);
    failing_since = -1;
    pause = h->interval_ms;
    if (job_state_ended(st.state)) {
      free(st.summary);
      return JOB_ENDED; /* the JVM shows the last line, the result and the exit code */
    }
    progress(h, &st, wall_ms() - h->started_ms);
    comment(h, &st);
    free(st.summary);
    pause_ms(h->interval_ms);
  }
  return SIGNALLED;
}

int main(int argc, char **argv) {
  int split = 0;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--")) {
      split = i;
      break;
    }
  if (split < 2 || split + 1 >= argc) {
    fprintf(stderr, "usage: surge-wait JAVA [OPTIONS] -jar surge.jar -- offload [ARGS]\n");
    return 2;
  }
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);

  const char *tmp = getenv("TMPDIR");
  snprintf(handoff_path, sizeof handoff_path, "%s/surge-offload-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  int fd = mkstemp(handoff_path);
  if (fd < 0) {
    snprintf(handoff_path, sizeof handoff_path, "/tmp/surge-offload-XXXXXX");
    fd = mkstemp(handoff_path);
  }
  char **first = calloc((size_t)argc + 1, sizeof *first);
  char **resume = calloc((size_t)split + 4, sizeof *resume);
  int n = 0;
  for (int i = 1; i < split; i++) first[n] = resume[n] = argv[i], n++;
  for (int i = split + 1, m = n; i < argc; i++) first[m++] = argv[i];
  resume[n++] = "offload";
  resume[n++] = "--resume";
  resume[n++] = handoff_path;
  if (fd < 0) return run_jvm(first); /* no place for a hand-off: the JVM waits itself */
  close(fd);
  snprintf(over_path, sizeof over_path, "%s.over", handoff_path);
  setenv("SURGE_OFFLOAD_HANDOFF", handoff_path, 1);

  int rc = run_jvm(first);
  handoff h;
  server_url u;
  if (exists(over_path) || read_handoff(handoff_path, &h) || !h.complete) {
    clean_up();
    return rc;
  }
  if (url_parse(h.server, &u)) {
    /* A URL the JVM took for plain HTTP but this reader does not: the JVM looks at each poll. */
    while (rc == 0 || rc == WAIT_MORE) {
      pause_ms(h.interval_ms);
      rc = run_jvm(resume);
      if (exists(over_path)) break;
    }
    clean_up();
    return rc;
  }
  unsetenv("SURGE_OFFLOAD_HANDOFF");
  int sig = got_signal ? got_signal : signal_of(rc);
  if (rc != 0 && !sig) { /* handed off, then failed: the JVM said why */
    clean_up();
    return rc;
  }
  if (sig) return cancelled_here(&h, &u, sig);
  while (1) {
    enum wait_end end = wait_job(&h, &u);
    if (end == SIGNALLED) return cancelled_here(&h, &u, got_signal);
    comment_reap(&h, 1); /* the JVM's last Comment must not be overtaken by ours */
    if (h.terminal && drawn >= 0) {
      /* the JVM draws the last line afresh */
      say("\r%*s\r", drawn, "");
      drawn = -1;
    }
    rc = run_jvm(resume);
    sig = got_signal ? got_signal : signal_of(rc);
    if (exists(over_path) || (!sig && rc != WAIT_MORE)) {
      clean_up();
      return rc;
    }
    if (sig) return cancelled_here(&h, &u, sig);
  }
}
