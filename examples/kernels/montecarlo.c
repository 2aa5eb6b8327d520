/*
 * montecarlo: Monte Carlo estimate of pi, one independent batch of samples per task.
 *
 *   montecarlo SAMPLES            (task index/count from SURGE_TASK_INDEX / SURGE_TASK_COUNT)
 *   -> "<hits> <samples>\n"
 *
 * Each task draws SAMPLES points in the unit square and counts those inside the quarter circle
 * x^2 + y^2 <= 1, in chunks through surge_run() (surge.h), which saves and resumes checkpoints
 * when the runtime asks for them; the output is printed only at the end. The job's `sum` merge adds the lines up, and pi ~= 4 * hits / samples
 * (see pi-reduce.c for a reducer that prints it).
 *
 * Built with -DSURGE_WHOLE_JOB it becomes the native baseline
 *
 *   montecarlo-whole TASKS SAMPLES -> "<total hits> <total samples>\n"
 *
 * which runs every task's batch in one process and must equal the merged volunteer result.
 */
#include <stdint.h>
#include <stdio.h>

#include "surge.h"

/*
 * splitmix64: only used to expand the task index into a full xoshiro state. It is a bijection on
 * its 64-bit counter, so distinct task indices get distinct, well-mixed starting states.
 */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: fast, 256 bits of state, and pure integer arithmetic, so wasm == native. */
typedef struct {
    uint64_t s[4];
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* A different stream per task index; the constant only keeps index 0 away from a zero seed. */
static rng rng_for_task(uint64_t index)
{
    rng r;
    uint64_t seed = 0x53555247450a0000ULL ^ index; /* "SURGE" */
    for (int i = 0; i < 4; i++) {
        r.s[i] = splitmix64(&seed);
    }
    return r;
}

/* What a task needs to go on: saved as is in its checkpoints (plain 64-bit fields only). */
typedef struct {
    rng r;
    uint64_t samples; /* the task's total */
    uint64_t done;    /* samples drawn so far */
    uint64_t hits;
} mc_state;

static mc_state mc_start(uint64_t index, uint64_t samples)
{
    mc_state st;
    st.r = rng_for_task(index);
    st.samples = samples;
    st.done = 0;
    st.hits = 0;
    return st;
}

/*
 * Draws up to `units` samples. The top 53 bits make an exact double in [0, 1); the products and
 * the sum are single IEEE operations (the build forbids FMA contraction), so every platform
 * counts the same hits, however the samples are cut into chunks.
 */
SURGE_STEP static int mc_step(void *state, uint64_t units)
{
    mc_state *st = state;
    rng r = st->r;
    uint64_t hits = st->hits;
    uint64_t left = st->samples - st->done;
    uint64_t n = units < left ? units : left;
    for (uint64_t i = 0; i < n; i++) {
        double x = (double)(rng_next(&r) >> 11) * 0x1.0p-53;
        double y = (double)(rng_next(&r) >> 11) * 0x1.0p-53;
        if (x * x + y * y <= 1.0) {
            hits++;
        }
    }
    st->r = r;
    st->hits = hits;
    st->done += n;
    return st->done == st->samples;
}

#ifndef SURGE_WHOLE_JOB

static double mc_progress(const void *state)
{
    const mc_state *st = state;
    return st->samples == 0 ? 1.0 : (double)st->done / (double)st->samples;
}

static uint64_t mc_samples; /* the task's SAMPLES, for mc_check */

/*
 * A loaded state must be one this task could have saved. The runtime hands over a checkpoint as
 * untrusted as a result (verification judges the result); this only keeps the counts sane.
 */
static int mc_check(const void *state)
{
    const mc_state *st = state;
    return st->samples == mc_samples && st->done <= st->samples && st->hits <= st->done;
}

int main(int argc, char **argv)
{
    surge_usage_text = "montecarlo SAMPLES   (env SURGE_TASK_INDEX, SURGE_TASK_COUNT)";
    if (argc != 2) {
        surge_usage("expected exactly one argument");
    }
    surge_task task = surge_task_from_env();
    uint64_t samples = surge_arg_u64("SAMPLES", argv[1], 0, UINT64_MAX);
    mc_samples = samples;
    mc_state st = mc_start(task.index, samples);
    surge_work work = {&st, sizeof st, mc_step, mc_progress, mc_check,
                       surge_fingerprint("montecarlo", task, argc, argv)};
    surge_run(&work);
    printf("%llu %llu\n", (unsigned long long)st.hits, (unsigned long long)samples);
    return surge_finish();
}

#else

/* The per-task computation of the whole-job baseline: the same steps in one call. */
static uint64_t count_hits(uint64_t index, uint64_t samples)
{
    mc_state st = mc_start(index, samples);
    mc_step(&st, samples);
    return st.hits;
}

int main(int argc, char **argv)
{
    surge_usage_text = "montecarlo-whole TASKS SAMPLES";
    if (argc != 3) {
        surge_usage("expected exactly two arguments");
    }
    uint64_t tasks = surge_arg_u64("TASKS", argv[1], 1, UINT64_MAX);
    uint64_t samples = surge_arg_u64("SAMPLES", argv[2], 0, UINT64_MAX);
    if (samples != 0 && tasks > UINT64_MAX / samples) {
        surge_usage("TASKS * SAMPLES does not fit in 64 bits");
    }
    uint64_t total_hits = 0;
    for (uint64_t index = 0; index < tasks; index++) {
        total_hits += count_hits(index, samples);
    }
    printf("%llu %llu\n", (unsigned long long)total_hits, (unsigned long long)(tasks * samples));
    return surge_finish();
}

#endif
