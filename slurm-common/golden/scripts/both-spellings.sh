#!/bin/bash
#SBATCH -p batch
#OFFLOAD --kernel=mc/montecarlo.wasm --tasks 16 --arg=1000
#OFFLOAD --rescue-after 30s --deadline='1h30m'  # urgent
[ "$SLURM_JOB_PARTITION" = volunteer ] && exec surge offload "$0"
#OFFLOAD --tasks=99
./native
