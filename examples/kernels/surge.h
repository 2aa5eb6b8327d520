/*
 * Small helpers shared by the example kernels (header-only so each kernel stays one .c file).
 *
 * A Surge task learns who it is from the environment: SURGE_TASK_INDEX (0-based) and
 * SURGE_TASK_COUNT. Both default to a single-task job (0 of 1) so a kernel also runs by hand.
 * Anything malformed is a usage error: the kernel prints a usage line and exits 2, which the
 * server reports as a failed task instead of silently computing the wrong slice.
 */
#ifndef SURGE_H
#define SURGE_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SURGE_EXIT_USAGE 2

static const char *surge_usage_text = "";

/* Prints the usage line (and why) on stderr and exits 2. */
static inline _Noreturn void surge_usage(const char *why)
{
    if (why != NULL && why[0] != '\0') {
        fprintf(stderr, "%s\n", why);
    }
    fprintf(stderr, "usage: %s\n", surge_usage_text);
    exit(SURGE_EXIT_USAGE);
}

/*
 * Strict unsigned decimal parse: digits only, no sign, no spaces, no overflow. strtoull alone
 * would accept "-1" (wrapping to 2^64-1) and " 12", which are not what anyone meant.
 */
static inline int surge_parse_u64(const char *text, uint64_t *out)
{
    if (text == NULL || text[0] < '0' || text[0] > '9') {
        return 0;
    }
    uint64_t value = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return 0;
        }
        uint64_t digit = (uint64_t)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            return 0;
        }
        value = value * 10 + digit;
    }
    *out = value;
    return 1;
}

/* Parses an argument that must lie in [min, max]; a usage error otherwise. */
static inline uint64_t surge_arg_u64(const char *name, const char *text, uint64_t min,
                                     uint64_t max)
{
    uint64_t value;
    if (!surge_parse_u64(text, &value) || value < min || value > max) {
        fprintf(stderr, "invalid %s: '%s' (expected an integer from %llu to %llu)\n", name,
                text == NULL ? "" : text, (unsigned long long)min, (unsigned long long)max);
        surge_usage(NULL);
    }
    return value;
}

/* Reads an unsigned environment variable, `fallback` when unset. */
static inline uint64_t surge_env_u64(const char *name, uint64_t fallback)
{
    const char *text = getenv(name);
    uint64_t value;
    if (text == NULL) {
        return fallback;
    }
    if (!surge_parse_u64(text, &value)) {
        fprintf(stderr, "invalid %s: '%s' (expected an unsigned integer)\n", name, text);
        surge_usage(NULL);
    }
    return value;
}

typedef struct {
    uint64_t index;
    uint64_t count;
} surge_task;

/*
 * This task's index and the job's task count, validated (1 <= count <= 2^32-1, index < count).
 * The cap is far above the server's own limit and keeps index * rows products within 64 bits.
 */
static inline surge_task surge_task_from_env(void)
{
    surge_task task;
    task.index = surge_env_u64("SURGE_TASK_INDEX", 0);
    task.count = surge_env_u64("SURGE_TASK_COUNT", 1);
    if (task.count == 0 || task.count > UINT32_MAX || task.index >= task.count) {
        fprintf(stderr, "invalid task: SURGE_TASK_INDEX=%llu SURGE_TASK_COUNT=%llu\n",
                (unsigned long long)task.index, (unsigned long long)task.count);
        surge_usage(NULL);
    }
    return task;
}

/*
 * ---- The work loop and checkpoints (docs/checkpoints.md) ----
 *
 * A kernel keeps everything it needs to go on in one block of plain bytes (no pointers, only
 * fixed-width integers and doubles, so the same bytes mean the same on wasm32 and natively) and
 * hands surge_run() a step function that does `units` units of work on it. surge_run():
 *
 *  - calls the step function once per chunk of about SURGE_CHUNK_MS of work, sizing the chunks
 *    from the clock. V8 starts wasm in its baseline compiler and cannot move a running loop to
 *    optimised code: a hot loop that runs for the whole task stays slow (a fresh module's first
 *    Monte Carlo task ran about 6x slower than later ones). Called again every few ms, the step
 *    function gets its optimised code from the next call on. Mark it SURGE_STEP (noinline), or
 *    the compiler may fold it back into one long loop.
 *  - when the runtime gives a checkpoint file (SURGE_CHECKPOINT, a path; SURGE_CHECKPOINT_MS,
 *    how often), loads the state from it at the start if one is there, and saves the state and
 *    its progress (0..1) there about every SURGE_CHECKPOINT_MS ms, between two chunks. Without
 *    SURGE_CHECKPOINT (a native build, plain node:wasi, a run by hand) nothing is read or written.
 *
 * Output: a resumed task starts with empty stdout, so a kernel must keep what it will print in
 * its state and print it after surge_run() returns (both sample kernels do). stdout written
 * before a checkpoint would be lost on resume; the runtime refuses such checkpoints.
 *
 * The checkpoint file (little endian): "SURGECK1", u64 fingerprint (of the task's index, count
 * and arguments: a checkpoint of other inputs is ignored), u64 state size, u64 FNV-1a of the
 * state, u32 progress in millionths, u32 zero, then the state. It is written to PATH.tmp and
 * renamed, so a kill in the middle leaves the previous checkpoint whole.
 */

#define SURGE_STEP __attribute__((noinline))
#define SURGE_CHUNK_MS 4
#define SURGE_CHECKPOINT_HEADER_BYTES 40
/* Exit code of the test hook SURGE_CHECKPOINT_EXIT_AFTER (check.sh: interrupt and resume). */
#define SURGE_EXIT_INTERRUPTED 75

/* Does `units` units of work on `state`; returns 1 when the task's work is complete. */
typedef int (*surge_step_fn)(void *state, uint64_t units);
/* The fraction of the task done, 0..1, from the state. */
typedef double (*surge_progress_fn)(const void *state);
/* 1 when a state loaded from a checkpoint is one this kernel could have saved. */
typedef int (*surge_check_fn)(const void *state);

typedef struct {
    void *state;                /* the whole state, `size` plain bytes */
    size_t size;
    surge_step_fn step;
    surge_progress_fn progress;
    surge_check_fn check;       /* may be NULL: any state of the right size is accepted */
    uint64_t fingerprint;       /* surge_fingerprint() of the task's inputs */
} surge_work;

static inline uint64_t surge_fnv1a(uint64_t hash, const void *data, size_t size)
{
    const unsigned char *p = (const unsigned char *)data;
    for (size_t i = 0; i < size; i++) {
        hash = (hash ^ p[i]) * 0x100000001b3ULL;
    }
    return hash;
}

/* A fingerprint of what makes this task's work: kernel name, task index and count, arguments. */
static inline uint64_t surge_fingerprint(const char *kernel, surge_task task, int argc, char **argv)
{
    uint64_t h = surge_fnv1a(0xcbf29ce484222325ULL, kernel, strlen(kernel) + 1);
    unsigned char numbers[16];
    for (int i = 0; i < 8; i++) {
        numbers[i] = (unsigned char)(task.index >> (8 * i));
        numbers[8 + i] = (unsigned char)(task.count >> (8 * i));
    }
    h = surge_fnv1a(h, numbers, sizeof numbers);
    for (int i = 1; i < argc; i++) {
        h = surge_fnv1a(h, argv[i], strlen(argv[i]) + 1);
    }
    return h;
}

static inline uint64_t surge_now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline void surge_put_le(unsigned char *out, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; i++) {
        out[i] = (unsigned char)(value >> (8 * i));
    }
}

static inline uint64_t surge_get_le(const unsigned char *in, int bytes)
{
    uint64_t value = 0;
    for (int i = 0; i < bytes; i++) {
        value |= (uint64_t)in[i] << (8 * i);
    }
    return value;
}

typedef struct {
    const char *path;     /* NULL: no checkpoints */
    uint64_t interval_ns;
    uint64_t exit_after;  /* test hook: stop after this many saves (0 never) */
} surge_checkpointing;

static inline surge_checkpointing surge_checkpointing_from_env(void)
{
    surge_checkpointing c;
    const char *path = getenv("SURGE_CHECKPOINT");
    c.path = (path != NULL && path[0] != '\0') ? path : NULL;
    c.interval_ns = surge_env_u64("SURGE_CHECKPOINT_MS", 1000);
    if (c.interval_ns > UINT64_MAX / 1000000ULL) {
        c.interval_ns = UINT64_MAX / 1000000ULL;
    }
    c.interval_ns *= 1000000ULL;
    c.exit_after = surge_env_u64("SURGE_CHECKPOINT_EXIT_AFTER", 0);
    return c;
}

/*
 * Loads the state from the checkpoint file; 1 when it did. A missing file is the normal start;
 * anything else that does not fit (other inputs, other size, damaged, implausible) is reported on
 * stderr and ignored: the task starts from the beginning, which is never wrong.
 */
static inline int surge_checkpoint_load(const surge_checkpointing *c, const surge_work *w)
{
    FILE *in = fopen(c->path, "rb");
    if (in == NULL) {
        return 0;
    }
    unsigned char header[SURGE_CHECKPOINT_HEADER_BYTES];
    const char *why = NULL;
    void *copy = malloc(w->size == 0 ? 1 : w->size);
    if (copy == NULL) {
        why = "out of memory";
    } else if (fread(header, 1, sizeof header, in) != sizeof header ||
               memcmp(header, "SURGECK1", 8) != 0) {
        why = "not a checkpoint";
    } else if (surge_get_le(header + 8, 8) != w->fingerprint) {
        why = "saved by a task with other inputs";
    } else if (surge_get_le(header + 16, 8) != (uint64_t)w->size) {
        why = "state of another size";
    } else if (fread(copy, 1, w->size, in) != w->size || fgetc(in) != EOF) {
        why = "truncated or too long";
    } else if (surge_fnv1a(0xcbf29ce484222325ULL, copy, w->size) != surge_get_le(header + 24, 8)) {
        why = "checksum mismatch";
    } else if (w->check != NULL && !w->check(copy)) {
        why = "implausible state";
    }
    fclose(in);
    if (why == NULL) {
        memcpy(w->state, copy, w->size);
        fprintf(stderr, "surge: resumed from checkpoint at progress %.6f\n",
                (double)surge_get_le(header + 32, 4) / 1000000.0);
    } else {
        fprintf(stderr, "surge: ignoring checkpoint %s: %s\n", c->path, why);
    }
    free(copy);
    return why == NULL;
}

/* Saves the state atomically (PATH.tmp, then rename). A failed save only costs the checkpoint. */
static inline void surge_checkpoint_save(const surge_checkpointing *c, const surge_work *w)
{
    double progress = w->progress != NULL ? w->progress(w->state) : 0.0;
    if (!(progress >= 0.0)) {
        progress = 0.0;
    }
    if (progress > 1.0) {
        progress = 1.0;
    }
    unsigned char header[SURGE_CHECKPOINT_HEADER_BYTES] = {0};
    memcpy(header, "SURGECK1", 8);
    surge_put_le(header + 8, w->fingerprint, 8);
    surge_put_le(header + 16, (uint64_t)w->size, 8);
    surge_put_le(header + 24, surge_fnv1a(0xcbf29ce484222325ULL, w->state, w->size), 8);
    surge_put_le(header + 32, (uint64_t)(progress * 1000000.0), 4);
    size_t length = strlen(c->path);
    char *tmp = malloc(length + 5);
    if (tmp == NULL) {
        return;
    }
    memcpy(tmp, c->path, length);
    memcpy(tmp + length, ".tmp", 5);
    FILE *out = fopen(tmp, "wb");
    int ok = out != NULL;
    if (ok) {
        ok = fwrite(header, 1, sizeof header, out) == sizeof header &&
             fwrite(w->state, 1, w->size, out) == w->size;
        ok = (fclose(out) == 0) && ok;
    }
    if (!ok || rename(tmp, c->path) != 0) {
        remove(tmp);
    }
    free(tmp);
}

/*
 * Runs the step function until it reports the work complete, in chunks of about SURGE_CHUNK_MS,
 * resuming from and saving checkpoints as described above. Returns 1 when it resumed.
 * The result must not depend on how the work was cut into chunks or where it was resumed.
 */
static inline int surge_run(const surge_work *w)
{
    surge_checkpointing c = surge_checkpointing_from_env();
    int resumed = c.path != NULL && surge_checkpoint_load(&c, w);
    const uint64_t target = SURGE_CHUNK_MS * 1000000ULL;
    uint64_t units = 1;
    uint64_t saves = 0;
    uint64_t now = surge_now_ns();
    uint64_t next_save = now + c.interval_ns;
    for (;;) {
        uint64_t began = now;
        if (w->step(w->state, units)) {
            break;
        }
        now = surge_now_ns();
        uint64_t took = now - began;
        /* Doubling reaches the chunk size in a few calls; halving follows a slower stretch. */
        if (took < target / 2 && units <= UINT64_MAX / 2) {
            units *= 2;
        } else if (took > target * 2 && units > 1) {
            units /= 2;
        }
        if (c.path != NULL && now >= next_save) {
            surge_checkpoint_save(&c, w);
            now = surge_now_ns();
            next_save = now + c.interval_ns;
            if (c.exit_after != 0 && ++saves >= c.exit_after) {
                fprintf(stderr, "surge: stopped after checkpoint %llu (SURGE_CHECKPOINT_EXIT_AFTER)\n",
                        (unsigned long long)saves);
                exit(SURGE_EXIT_INTERRUPTED);
            }
        }
    }
    return resumed;
}

/* Flushes stdout and turns a write error (e.g. a closed pipe) into exit code 1. */
static inline int surge_finish(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "error writing stdout\n");
        return 1;
    }
    return 0;
}

#endif
