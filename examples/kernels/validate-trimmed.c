/*
 * validate-trimmed: a validator kernel (`--compare=kernel:validate-trimmed.wasm`) that judges two
 * outputs the same answer when they differ only in white space at the ends of lines (spaces, tabs,
 * a '\r' before the '\n') and in blank lines at the end: for kernels whose runtime or libc pads
 * its output differently.
 *
 *   validate-trimmed validate   with SURGE_CANDIDATES=N and on stdin, N times:
 *                               "<length>\n" followed by that many bytes (one candidate output)
 *   -> N numbers: for each candidate, the index of the first candidate it agrees with, exit 0
 *   -> malformed framing or more than 16 MiB in all: stderr message, exit 1
 *
 * The server runs it (docs/verification.md, "Validator kernels") with the reducers' limits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "surge.h"

#define MAX_CANDIDATES 64
#define MAX_TOTAL (16u << 20)

typedef struct {
    unsigned char *bytes;
    size_t length;
} text;

static _Noreturn void malformed(uint64_t candidate, const char *why)
{
    fprintf(stderr, "validate-trimmed: candidate %llu: %s\n", (unsigned long long)candidate, why);
    exit(1);
}

/* Drops white space before each '\n' and blank lines at the end, in place. */
static void trim(text *t)
{
    size_t out = 0;
    size_t line_end = 0; /* out position just after the last non-blank byte of this line */
    for (size_t i = 0; i < t->length; i++) {
        unsigned char c = t->bytes[i];
        if (c == '\n') {
            out = line_end;
            t->bytes[out++] = '\n';
            line_end = out;
        } else {
            t->bytes[out++] = c;
            if (c != ' ' && c != '\t' && c != '\r') {
                line_end = out;
            }
        }
    }
    out = line_end;
    while (out > 0 && t->bytes[out - 1] == '\n') {
        out--;
    }
    t->length = out;
}

int main(int argc, char **argv)
{
    surge_usage_text = "validate-trimmed validate   (SURGE_CANDIDATES=N, framed outputs on stdin)";
    if (argc != 2 || strcmp(argv[1], "validate") != 0) {
        surge_usage("expected the single argument 'validate'");
    }
    uint64_t n = surge_env_u64("SURGE_CANDIDATES", 0);
    if (n < 1 || n > MAX_CANDIDATES) {
        surge_usage("SURGE_CANDIDATES must be from 1 to 64");
    }
    text candidates[MAX_CANDIDATES];
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; i++) {
        unsigned long long length;
        if (scanf("%llu", &length) != 1 || getchar() != '\n') {
            malformed(i, "expected its length in decimal and a newline");
        }
        total += length;
        if (length > MAX_TOTAL || total > MAX_TOTAL) {
            malformed(i, "the candidates hold more than 16 MiB");
        }
        candidates[i].bytes = malloc(length == 0 ? 1 : length);
        if (candidates[i].bytes == NULL) {
            malformed(i, "out of memory");
        }
        candidates[i].length = fread(candidates[i].bytes, 1, length, stdin);
        if (candidates[i].length != length) {
            malformed(i, "stdin ended before its bytes did");
        }
        trim(&candidates[i]);
    }
    for (uint64_t i = 0; i < n; i++) {
        uint64_t label = i;
        for (uint64_t j = 0; j < i; j++) {
            if (candidates[j].length == candidates[i].length &&
                memcmp(candidates[j].bytes, candidates[i].bytes, candidates[i].length) == 0) {
                label = j;
                break;
            }
        }
        printf(i == 0 ? "%llu" : " %llu", (unsigned long long)label);
    }
    printf("\n");
    return surge_finish();
}
