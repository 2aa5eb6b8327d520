#!/bin/sh
# OFFLOAD --rescue-after=1m
##OFFLOAD --rescue-after=1m
  #OFFLOAD --rescue-after=1m
#OFFLOADED --rescue-after=1m
echo hi
#OFFLOAD --rescue-after=1m --kernel=k.wasm --tasks=1
