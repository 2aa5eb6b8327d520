#!/bin/sh
#OFFLOAD --kernel k.wasm --tasks 3 --rescue-after 10m
#OFFLOAD --deadline 2030-01-01T12:00:00Z
exec surge offload "$0"
