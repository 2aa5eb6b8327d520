/*
 * mandelbrot: renders the Mandelbrot set as a binary PGM, one band of rows per task.
 *
 *   mandelbrot [WIDTH [HEIGHT [MAXITER]]]     defaults 400 300 255
 *   -> task 0: "P5\n<WIDTH> <HEIGHT>\n255\n" then its rows; other tasks: their rows only
 *
 * The plane x in [-2, 1], y in [-1, 1] (row 0 at y = 1) is sampled at the top-left corner of
 * each pixel. Task i of N renders rows [i*HEIGHT/N, (i+1)*HEIGHT/N) (integer division), one
 * byte per pixel, so the `concat` merge of all tasks is exactly a valid PGM image.
 *
 * Built with -DSURGE_WHOLE_JOB it becomes the native baseline
 *
 *   mandelbrot-whole TASKS [WIDTH [HEIGHT [MAXITER]]] -> the whole PGM
 *
 * which calls the same per-task function for every task index in one process.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "surge.h"

#define MAX_SIDE 16384
#define MAX_ITER 1000000

typedef struct {
    uint64_t width;
    uint64_t height;
    uint64_t maxiter;
} image;

/*
 * Escape-time iteration. Every operation is a single IEEE double operation; -ffp-contract=off
 * keeps the compiler from fusing zr*zr - zi*zi + cr into an FMA on targets that have one,
 * which would change the rounding and hence some pixels.
 */
static uint64_t escape_time(double cr, double ci, uint64_t maxiter)
{
    double zr = 0.0;
    double zi = 0.0;
    uint64_t n = 0;
    while (n < maxiter) {
        double zr2 = zr * zr;
        double zi2 = zi * zi;
        if (zr2 + zi2 > 4.0) {
            break;
        }
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        n++;
    }
    return n;
}

/* Integer square root (floor), so the shading needs no further floating point. */
static uint64_t isqrt(uint64_t v)
{
    uint64_t r = 0;
    while ((r + 1) * (r + 1) <= v) {
        r++;
    }
    return r;
}

/*
 * Points that never escape are black; the others get lighter the sooner they escape. The square
 * root spreads the few slow-escaping points near the boundary over visible greys instead of
 * leaving almost the whole picture white.
 */
static unsigned char grey(uint64_t n, uint64_t maxiter)
{
    if (n >= maxiter) {
        return 0;
    }
    return (unsigned char)(255 - isqrt(n * 255 * 255 / maxiter));
}

/* Writes task `index` of `count`: the header if it is task 0, then its band of rows. */
static int write_band(FILE *out, const image *img, uint64_t index, uint64_t count)
{
    uint64_t first = index * img->height / count;
    uint64_t end = (index + 1) * img->height / count;
    unsigned char *row = malloc((size_t)img->width);
    if (row == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    if (index == 0) {
        fprintf(out, "P5\n%llu %llu\n255\n", (unsigned long long)img->width,
                (unsigned long long)img->height);
    }
    for (uint64_t py = first; py < end; py++) {
        double ci = 1.0 - 2.0 * (double)py / (double)img->height;
        for (uint64_t px = 0; px < img->width; px++) {
            double cr = -2.0 + 3.0 * (double)px / (double)img->width;
            row[px] = grey(escape_time(cr, ci, img->maxiter), img->maxiter);
        }
        fwrite(row, 1, (size_t)img->width, out);
    }
    free(row);
    return 0;
}

/* Parses the optional WIDTH HEIGHT MAXITER starting at argv[first]; each one may be omitted. */
static image parse_image(int argc, char **argv, int first)
{
    image img = {400, 300, 255};
    if (argc - first > 3) {
        surge_usage("too many arguments");
    }
    if (argc > first) {
        img.width = surge_arg_u64("WIDTH", argv[first], 1, MAX_SIDE);
    }
    if (argc > first + 1) {
        img.height = surge_arg_u64("HEIGHT", argv[first + 1], 1, MAX_SIDE);
    }
    if (argc > first + 2) {
        img.maxiter = surge_arg_u64("MAXITER", argv[first + 2], 1, MAX_ITER);
    }
    return img;
}

#ifndef SURGE_WHOLE_JOB

int main(int argc, char **argv)
{
    surge_usage_text = "mandelbrot [WIDTH [HEIGHT [MAXITER]]]   (defaults 400 300 255; "
                       "env SURGE_TASK_INDEX, SURGE_TASK_COUNT)";
    surge_task task = surge_task_from_env();
    image img = parse_image(argc, argv, 1);
    if (write_band(stdout, &img, task.index, task.count) != 0) {
        return 1;
    }
    return surge_finish();
}

#else

int main(int argc, char **argv)
{
    surge_usage_text = "mandelbrot-whole TASKS [WIDTH [HEIGHT [MAXITER]]]";
    if (argc < 2) {
        surge_usage("missing TASKS");
    }
    uint64_t tasks = surge_arg_u64("TASKS", argv[1], 1, UINT32_MAX);
    image img = parse_image(argc, argv, 2);
    for (uint64_t index = 0; index < tasks; index++) {
        if (write_band(stdout, &img, index, tasks) != 0) {
            return 1;
        }
    }
    return surge_finish();
}

#endif
