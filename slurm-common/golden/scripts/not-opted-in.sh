#!/bin/sh
#OFFLOAD --kernel=k.wasm --tasks=2
exec surge offload "$0"
