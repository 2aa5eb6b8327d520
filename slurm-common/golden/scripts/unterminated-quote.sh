#!/bin/sh
#OFFLOAD --kernel=k.wasm --tasks=5 --rescue-after=1m
#OFFLOAD --arg="open
exec surge offload "$0"
