#!/bin/bash
# A job array: each element offloads its own job, here Monte Carlo with a sample count that
# depends on the element's index (1<index>000: 10000, 11000, ...), 20 elements, at most 10 at once.
#   sbatch -p volunteer array.sh   ->  array-<arrayjobid>_<index>.out, one per element
#SBATCH --job-name=pi-array
#SBATCH --array=0-19%10
#SBATCH --output=array-%A_%a.out
#SBATCH --time=30
#OFFLOAD --kernel=../kernels/build/wasm/montecarlo.wasm --merge=sum
#OFFLOAD --tasks=${ARRAY_TASKS:-16} --arg=1${SLURM_ARRAY_TASK_ID}000
[ "$SLURM_JOB_PARTITION" = volunteer ] && exec surge offload "$0"
exec ../kernels/build/native/montecarlo-whole "${ARRAY_TASKS:-16}" "1${SLURM_ARRAY_TASK_ID}000"
