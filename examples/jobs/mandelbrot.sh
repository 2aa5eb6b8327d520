#!/bin/bash
# The Mandelbrot set as a binary PGM image, in bands of rows: a binary result goes to a file.
#   sbatch -p volunteer mandelbrot.sh   ->  mandelbrot-<jobid>.pgm (and progress in the .out)
#   sbatch -p batch mandelbrot.sh       ->  the same bytes, computed natively
# MANDEL_TASKS, MANDEL_WIDTH and MANDEL_HEIGHT change the split and the size.
#SBATCH --job-name=mandelbrot
#SBATCH --output=mandelbrot-%j.out
#SBATCH --time=30
#OFFLOAD --kernel=../kernels/build/wasm/mandelbrot.wasm --tasks=${MANDEL_TASKS:-30} --merge=concat
#OFFLOAD --arg=${MANDEL_WIDTH:-1200} --arg=${MANDEL_HEIGHT:-900}
#OFFLOAD --output=mandelbrot-${SLURM_JOB_ID}.pgm
[ "$SLURM_JOB_PARTITION" = volunteer ] && exec surge offload "$0"
../kernels/build/native/mandelbrot-whole "${MANDEL_TASKS:-30}" "${MANDEL_WIDTH:-1200}" \
  "${MANDEL_HEIGHT:-900}" >"mandelbrot-$SLURM_JOB_ID.pgm.part" &&
  mv "mandelbrot-$SLURM_JOB_ID.pgm.part" "mandelbrot-$SLURM_JOB_ID.pgm"
