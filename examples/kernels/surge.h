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
