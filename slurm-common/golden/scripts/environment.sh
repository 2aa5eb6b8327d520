#!/bin/sh
#OFFLOAD --kernel=$SCRATCH/k.wasm --tasks=${N:-8} --rescue-after=${WAIT}
#OFFLOAD --deadline="2h" --arg="$SCRATCH/in put"
exec surge offload "$0"
