/*
 * fail: exits with a chosen code on one task (or all), for tests of failure reporting.
 *
 *   fail CODE [MESSAGE]   (env FAIL_INDEX: the only task that fails; unset: every task fails)
 *   -> failing task: stderr "fail: MESSAGE (task I of N)", exit CODE (0..255)
 *   -> other tasks:  stdout "ok\n", exit 0
 *
 * MESSAGE defaults to "failing on purpose". The task index is in the message so a test can check
 * that the server's error names the right task and carries its stderr tail.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "surge.h"

int main(int argc, char **argv)
{
    surge_usage_text = "fail CODE [MESSAGE]   (env FAIL_INDEX, SURGE_TASK_INDEX, "
                       "SURGE_TASK_COUNT)";
    if (argc < 2 || argc > 3) {
        surge_usage("expected CODE and an optional MESSAGE");
    }
    /* Exit statuses are 8 bits on POSIX hosts; larger codes would be truncated there. */
    int code = (int)surge_arg_u64("CODE", argv[1], 0, 255);
    const char *message = argc == 3 ? argv[2] : "failing on purpose";
    surge_task task = surge_task_from_env();

    /* Read FAIL_INDEX only when set: "unset" must mean every task, not task 0. */
    int failing = 1;
    if (getenv("FAIL_INDEX") != NULL) {
        failing = surge_env_u64("FAIL_INDEX", 0) == task.index;
    }
    if (!failing) {
        printf("ok\n");
        return surge_finish();
    }
    fprintf(stderr, "fail: %s (task %llu of %llu)\n", message, (unsigned long long)task.index,
            (unsigned long long)task.count);
    return code;
}
