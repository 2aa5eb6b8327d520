/*
 * linecount: counts stdin like `wc`: lines, words and bytes.
 *
 *   linecount < chunk   -> "<lines> <words> <bytes>\n"
 *
 * Meant for jobs whose input is split by lines or bytes and merged with `sum`. Lines are '\n'
 * characters, words are maximal runs of bytes other than ' ', \t, \n, \v, \f, \r (the C locale's
 * isspace). With a split by lines the summed counts equal those of the whole input; with a split
 * by bytes lines and bytes still add up, but a word cut in two by a chunk boundary counts twice.
 */
#include <stdint.h>
#include <stdio.h>

#include "surge.h"

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int main(int argc, char **argv)
{
    (void)argv;
    surge_usage_text = "linecount < INPUT   (no arguments)";
    if (argc != 1) {
        surge_usage("expected no arguments");
    }
    uint64_t lines = 0;
    uint64_t words = 0;
    uint64_t bytes = 0;
    int in_word = 0;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        bytes += n;
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                lines++;
            }
            if (is_space(buf[i])) {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                words++;
            }
        }
    }
    if (ferror(stdin)) {
        fprintf(stderr, "linecount: error reading stdin\n");
        return 1;
    }
    printf("%llu %llu %llu\n", (unsigned long long)lines, (unsigned long long)words,
           (unsigned long long)bytes);
    return surge_finish();
}
