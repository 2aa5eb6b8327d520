/*
 * mandelbrot: renders the Mandelbrot set as a binary PGM, one band of rows per task.
 *
 *   mandelbrot [WIDTH [HEIGHT [MAXITER]]]     defaults 400 300 255
 *   -> task 0: "P5\n<WIDTH> <HEIGHT>\n255\n" then its rows; other tasks: their rows only
 *
 * The plane x in [-2, 1], y in [-1, 1] (row 0 at y = 1) is sampled at the top-left corner of
 * each pixel. Task i of N renders rows [i*HEIGHT/N, (i+1)*HEIGHT/N) (integer division), one
 * byte per pixel, so the `concat` merge of all tasks is exactly a valid PGM image. A task renders
 * its band in chunks of rows through surge_run() (surge.h), which saves and resumes checkpoints
 * when the runtime asks for them, and prints the band when it is complete.
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

/* Renders row `py` of the image into `row` (width bytes). */
static void render_row(const image *img, uint64_t py, unsigned char *row)
{
    double ci = 1.0 - 2.0 * (double)py / (double)img->height;
    for (uint64_t px = 0; px < img->width; px++) {
        double cr = -2.0 + 3.0 * (double)px / (double)img->width;
        row[px] = grey(escape_time(cr, ci, img->maxiter), img->maxiter);
    }
}

/* The PGM header, written by task 0 only. */
static void write_header(FILE *out, const image *img)
{
    fprintf(out, "P5\n%llu %llu\n255\n", (unsigned long long)img->width,
            (unsigned long long)img->height);
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

/*
 * A task's state, saved as is in its checkpoints: the image and band (so a loaded state can be
 * checked against the task), the next row, and the band's pixels so far. The pixels are printed
 * only when the band is complete, so a resumed task prints the whole band too.
 */
typedef struct {
    image img;
    uint64_t first; /* the band is rows [first, end) */
    uint64_t end;
    uint64_t next;  /* the next row to render */
    unsigned char pixels[];
} band_state;

/* Renders up to `units` rows of the band. */
SURGE_STEP static int band_step(void *state, uint64_t units)
{
    band_state *st = state;
    for (uint64_t n = 0; n < units && st->next < st->end; n++, st->next++) {
        render_row(&st->img, st->next, st->pixels + (st->next - st->first) * st->img.width);
    }
    return st->next == st->end;
}

static band_state band_expected; /* this task's band, for band_check */

static double band_progress(const void *state)
{
    const band_state *st = state;
    return st->end == st->first ? 1.0
                                : (double)(st->next - st->first) / (double)(st->end - st->first);
}

/* A loaded state must describe this task's band (see mc_check in montecarlo.c). */
static int band_check(const void *state)
{
    const band_state *st = state;
    return st->img.width == band_expected.img.width &&
           st->img.height == band_expected.img.height &&
           st->img.maxiter == band_expected.img.maxiter && st->first == band_expected.first &&
           st->end == band_expected.end && st->next >= st->first && st->next <= st->end;
}

int main(int argc, char **argv)
{
    surge_usage_text = "mandelbrot [WIDTH [HEIGHT [MAXITER]]]   (defaults 400 300 255; "
                       "env SURGE_TASK_INDEX, SURGE_TASK_COUNT)";
    surge_task task = surge_task_from_env();
    image img = parse_image(argc, argv, 1);
    band_expected.img = img;
    band_expected.first = task.index * img.height / task.count;
    band_expected.end = (task.index + 1) * img.height / task.count;
    band_expected.next = band_expected.first;
    size_t pixels = (size_t)((band_expected.end - band_expected.first) * img.width);
    band_state *st = malloc(sizeof *st + pixels);
    if (st == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    *st = band_expected;
    surge_work work = {st, sizeof *st + pixels, band_step, band_progress, band_check,
                       surge_fingerprint("mandelbrot", task, argc, argv)};
    surge_run(&work);
    if (task.index == 0) {
        write_header(stdout, &img);
    }
    fwrite(st->pixels, 1, pixels, stdout);
    free(st);
    return surge_finish();
}

#else

/* Writes task `index` of `count` in one go: the whole-job baseline's way. */
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
        write_header(out, img);
    }
    for (uint64_t py = first; py < end; py++) {
        render_row(img, py, row);
        fwrite(row, 1, (size_t)img->width, out);
    }
    free(row);
    return 0;
}

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
