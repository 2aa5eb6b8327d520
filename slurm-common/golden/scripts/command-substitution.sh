#!/bin/sh
#OFFLOAD --kernel=k.wasm --tasks=$(nproc)
exec surge offload "$0"
