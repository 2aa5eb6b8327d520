#!/bin/sh
#OFFLOAD --kernel=k.wasm --tasks=4
#OFFLOAD --rescue-after=90s500ms --deadline=PT2H
exec surge offload "$0"
