#!/bin/bash
# Monte Carlo pi: 720 tasks of 2,000,000 samples. Submit from this directory:
#   sbatch -p volunteer pi.sh     (offloaded to browser volunteers through Surge)
#   sbatch -p batch pi.sh         (the same work, natively, on a batch node)
# Both print "<hits> <samples>" into pi-<jobid>.out. PI_TASKS and PI_SAMPLES (in the environment
# sbatch passes on) make it smaller or bigger.
#SBATCH --job-name=pi
#SBATCH --output=pi-%j.out
#SBATCH --time=30
#OFFLOAD --kernel=../kernels/build/wasm/montecarlo.wasm --merge=sum
#OFFLOAD --tasks=${PI_TASKS:-720} --arg=${PI_SAMPLES:-2000000}
#OFFLOAD --deadline=25m
[ "$SLURM_JOB_PARTITION" = volunteer ] && exec surge offload "$0"
exec ../kernels/build/native/montecarlo-whole "${PI_TASKS:-720}" "${PI_SAMPLES:-2000000}"
