#!/bin/sh
#OFFLOAD --kernel=k.wasm --tasks=2 --rescue-after=0s
exec surge offload "$0"
