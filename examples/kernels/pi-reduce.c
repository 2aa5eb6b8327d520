/*
 * pi-reduce: the reducer for montecarlo jobs (merge kind `reduce`).
 *
 *   pi-reduce < "<hits> <samples>\n" lines (montecarlo outputs, in task order)
 *   -> "pi ~= <4*hits/samples, %.10f> from <samples> samples (<lines> tasks)\n", exit 0
 *   -> malformed line, hits > samples, no lines, 0 samples or overflow: stderr message, exit 1
 *
 * The server runs it once with every task's output concatenated on stdin. A line is exactly
 * digits, blanks (spaces or tabs), digits, then '\n' (or the end of input on the last line);
 * anything else is refused rather than guessed at, so a broken task cannot slip into the result.
 * The printed value is deterministic: the counts are exact integers and the division and
 * printf("%.10f") are correctly rounded in both wasi-libc and glibc.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "surge.h"

static _Noreturn void malformed(uint64_t line, const char *why)
{
    fprintf(stderr, "pi-reduce: line %llu: %s (expected \"<hits> <samples>\")\n",
            (unsigned long long)line, why);
    exit(1);
}

/* Reads a decimal number starting at the current character *c; leaves *c after it. */
static int read_u64(int *c, uint64_t *out)
{
    if (*c < '0' || *c > '9') {
        return 0;
    }
    uint64_t value = 0;
    while (*c >= '0' && *c <= '9') {
        uint64_t digit = (uint64_t)(*c - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            return 0;
        }
        value = value * 10 + digit;
        *c = getchar();
    }
    *out = value;
    return 1;
}

int main(int argc, char **argv)
{
    (void)argv;
    surge_usage_text = "pi-reduce < MONTECARLO_OUTPUTS   (no arguments)";
    if (argc != 1) {
        surge_usage("expected no arguments");
    }
    uint64_t total_hits = 0;
    uint64_t total_samples = 0;
    uint64_t line = 0;
    int c = getchar();
    while (c != EOF) {
        uint64_t hits;
        uint64_t samples;
        line++;
        if (!read_u64(&c, &hits)) {
            malformed(line, "bad or missing hit count");
        }
        if (c != ' ' && c != '\t') {
            malformed(line, "expected a blank after the hit count");
        }
        while (c == ' ' || c == '\t') {
            c = getchar();
        }
        if (!read_u64(&c, &samples)) {
            malformed(line, "bad or missing sample count");
        }
        if (c == '\n') {
            c = getchar();
        } else if (c != EOF) {
            malformed(line, "unexpected text after the sample count");
        }
        if (hits > samples) {
            malformed(line, "more hits than samples");
        }
        if (total_samples > UINT64_MAX - samples) {
            malformed(line, "total samples overflow 64 bits");
        }
        total_hits += hits; /* cannot overflow: hits <= samples */
        total_samples += samples;
    }
    if (ferror(stdin)) {
        fprintf(stderr, "pi-reduce: error reading stdin\n");
        return 1;
    }
    if (line == 0) {
        fprintf(stderr, "pi-reduce: no input lines\n");
        return 1;
    }
    if (total_samples == 0) {
        fprintf(stderr, "pi-reduce: 0 samples in total, pi cannot be estimated\n");
        return 1;
    }
    double pi = 4.0 * (double)total_hits / (double)total_samples;
    printf("pi ~= %.10f from %llu samples (%llu tasks)\n", pi, (unsigned long long)total_samples,
           (unsigned long long)line);
    return surge_finish();
}
