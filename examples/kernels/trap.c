/*
 * trap: says so on stderr, then traps.
 *
 *   trap [ANY...]   -> stderr "trap: trapping on purpose (task I of N)", then a trap
 *
 * __builtin_trap() compiles to the wasm `unreachable` instruction, so the runtime aborts the
 * instance with a RuntimeError instead of an exit code (natively it is an illegal instruction,
 * SIGILL). Tests use it to check that a trapped task is reported as failed with its stderr.
 * Arguments are ignored so that no usage error can hide the trap.
 */
#include <stdio.h>

#include "surge.h"

int main(void)
{
    surge_usage_text = "trap   (env SURGE_TASK_INDEX, SURGE_TASK_COUNT)";
    surge_task task = surge_task_from_env();
    fprintf(stderr, "trap: trapping on purpose (task %llu of %llu)\n",
            (unsigned long long)task.index, (unsigned long long)task.count);
    /* stderr is unbuffered, but make sure nothing is lost when the instance dies. */
    fflush(stderr);
    __builtin_trap();
}
