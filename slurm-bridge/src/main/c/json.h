/* Reads the few fields of the server's JSON answers that the waiter needs. */
#ifndef SURGE_JSON_H
#define SURGE_JSON_H
#include <stddef.h>

/* A job's status (GET /api/jobs/{id}): what the progress line and the Slurm Comment show. */
typedef struct {
  char state[16];  /* as sent, upper-cased: QUEUED, RUNNING, MERGING, SUCCEEDED, FAILED, CANCELLED */
  long total, done;
  char *summary;   /* verification.summary, malloc'd, or NULL */
} job_status;

/* 0 when body is a job status with a known state, -1 when it is not (another server, a bug). */
int json_job_status(const char *body, size_t len, job_status *out);

/* The top-level string member KEY of an object, malloc'd UTF-8, or NULL. */
char *json_string_member(const char *body, size_t len, const char *key);

int job_state_known(const char *state);
int job_state_ended(const char *state);
#endif
