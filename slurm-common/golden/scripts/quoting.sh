#!/bin/sh
#OFFLOAD --kernel="my kernels/k.wasm" --tasks=5 --arg='a b'\ c --arg=\"q # a comment --tasks=7
#OFFLOAD --rescue-after="30m" --arg="a\"b\\c\$d"
exec surge offload "$0"
