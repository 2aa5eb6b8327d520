/*
 * spin: keeps a CPU busy for about MILLIS milliseconds, then prints its task index.
 *
 *   spin MILLIS   (0..86400000)  -> "<task index>\n"
 *
 * For lease, timeout and cancel tests: a task that takes a known wall time and really uses the
 * CPU (a sleep would not show whether the runtime can interrupt a busy worker). The monotonic
 * clock is WASI's clock_time_get, so wall-clock jumps on the volunteer do not matter.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "surge.h"

static uint64_t now_nanos(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        fprintf(stderr, "spin: clock_gettime(CLOCK_MONOTONIC) failed\n");
        exit(1);
    }
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    surge_usage_text = "spin MILLIS   (env SURGE_TASK_INDEX, SURGE_TASK_COUNT)";
    if (argc != 2) {
        surge_usage("expected exactly one argument");
    }
    uint64_t millis = surge_arg_u64("MILLIS", argv[1], 0, 86400000);
    surge_task task = surge_task_from_env();

    uint64_t deadline = now_nanos() + millis * 1000000ULL;
    /* Some real work between clock reads; volatile so the optimizer cannot drop it. */
    volatile uint64_t sink = 0;
    while (now_nanos() < deadline) {
        for (uint64_t i = 0; i < 1000; i++) {
            sink = sink * 6364136223846793005ULL + i;
        }
    }
    printf("%llu\n", (unsigned long long)task.index);
    return surge_finish();
}
