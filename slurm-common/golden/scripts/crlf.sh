#!/bin/sh
#OFFLOAD --kernel=k.wasm --tasks=2 --rescue-after=2m
exec surge offload "$0"
