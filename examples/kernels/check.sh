#!/usr/bin/env bash
# Checks the kernels the way Surge uses them: every wasm kernel runs under Node's node:wasi
# (run-wasi.mjs) task by task, and its stdout must equal, byte for byte, that of the native build
# of the same source for the same task; the merged per-task outputs must equal the native
# whole-job baselines. Run by `make check` (after `make`). Prints "N passed, M failed" last and
# exits non-zero when anything failed. Scratch files stay in build/check for a look after a failure.
set -euo pipefail
cd "$(dirname "$0")"

NODE=${NODE:-node}
WASM=build/wasm
NATIVE=build/native
T=build/check
KERNELS=(montecarlo mandelbrot noop pi-reduce linecount fail trap spin validate-trimmed)

passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL: $*" >&2
}
# expect DESCRIPTION COMMAND...: one assertion, counted.
expect() {
  local what=$1
  shift
  if "$@"; then pass; else fail "$what"; fi
}
same_file() { cmp -s "$1" "$2"; }
equals() { [[ "$1" == "$2" ]]; }
contains() { grep -qF -- "$2" "$1"; }
empty() { [[ ! -s "$1" ]]; }

for f in "${KERNELS[@]}"; do
  for b in "$WASM/$f.wasm" "$NATIVE/$f"; do
    [[ -f "$b" ]] || { echo "missing $b: run make first" >&2; exit 1; }
  done
done
command -v "$NODE" >/dev/null || { echo "node not found (set NODE=...)" >&2; exit 1; }
command -v wasm-objdump >/dev/null || { echo "wasm-objdump not found (Debian package wabt)" >&2; exit 1; }

rm -rf "$T"
mkdir -p "$T"
: >"$T/empty"

# Extra K=V environment for both runs (e.g. FAIL_INDEX); reset by each test that sets it.
EXTRA_ENV=()

# run_native OUT ERR INDEX COUNT STDIN KERNEL [ARG...] -> exit code in RC. A task's environment
# holds only the task variables, as on a volunteer. Called with 2>/dev/null by run_task so that
# bash's own "Illegal instruction" report for the trap kernel does not clutter the output.
run_native() {
  local out=$1 err=$2 index=$3 count=$4 input=$5 kernel=$6
  shift 6
  RC=0
  env -i "SURGE_TASK_INDEX=$index" "SURGE_TASK_COUNT=$count" ${EXTRA_ENV[@]+"${EXTRA_ENV[@]}"} \
    "$NATIVE/$kernel" "$@" <"$input" >"$out" 2>"$err" || RC=$?
}

# run_task TAG KERNEL INDEX COUNT STDIN [ARG...]: runs one task as wasm and natively.
# Leaves $T/TAG.{wasm,native}.{out,err} and the exit codes in WASM_RC and NATIVE_RC.
run_task() {
  local tag=$1 kernel=$2 index=$3 count=$4 input=$5
  shift 5
  local envopts=() e
  for e in ${EXTRA_ENV[@]+"${EXTRA_ENV[@]}"}; do envopts+=(--env "$e"); done
  WASM_RC=0
  "$NODE" run-wasi.mjs --index "$index" --count "$count" --stdin "$input" \
    ${envopts[@]+"${envopts[@]}"} "$WASM/$kernel.wasm" "$@" \
    >"$T/$tag.wasm.out" 2>"$T/$tag.wasm.err" || WASM_RC=$?
  run_native "$T/$tag.native.out" "$T/$tag.native.err" "$index" "$count" "$input" "$kernel" "$@" \
    2>/dev/null
  NATIVE_RC=$RC
}

# run_job KERNEL TASKS STDIN_PREFIX [ARG...]: runs every task of a job (stdin of task i is
# STDIN_PREFIX.i, or the empty file when STDIN_PREFIX is "-"), asserts wasm == native and exit 0
# per task, and concatenates the outputs in index order into $T/job.{wasm,native}.
run_job() {
  local kernel=$1 tasks=$2 prefix=$3 i input
  shift 3
  : >"$T/job.wasm"
  : >"$T/job.native"
  for ((i = 0; i < tasks; i++)); do
    input="$T/empty"
    [[ "$prefix" == - ]] || input="$prefix.$i"
    run_task "task$i" "$kernel" "$i" "$tasks" "$input" "$@"
    expect "$kernel $* task $i/$tasks: wasm exit $WASM_RC, native exit $NATIVE_RC (want 0)" \
      equals "$WASM_RC/$NATIVE_RC" "0/0"
    expect "$kernel $* task $i/$tasks: wasm stdout differs from native" \
      same_file "$T/task$i.wasm.out" "$T/task$i.native.out"
    cat "$T/task$i.wasm.out" >>"$T/job.wasm"
    cat "$T/task$i.native.out" >>"$T/job.native"
  done
}

# sum_lines FILE: the `sum` merge for outputs of two numbers each ("hits samples").
sum_lines() {
  local h=0 s=0 a b
  while read -r a b; do
    h=$((h + a))
    s=$((s + b))
  done <"$1"
  echo "$h $s"
}

echo "== module shape (wasm-objdump -x)"
for k in "${KERNELS[@]}"; do
  wasm-objdump -x "$WASM/$k.wasm" >"$T/$k.objdump"
  # Section bodies are the " - " lines under a "Name[count]:" heading.
  awk '/^[A-Z][A-Za-z]*\[[0-9]+\]:/ { s = $1 } /^ - / && s ~ /^Import\[/' "$T/$k.objdump" >"$T/$k.imports"
  awk '/^[A-Z][A-Za-z]*\[[0-9]+\]:/ { s = $1 } /^ - / && s ~ /^Export\[/' "$T/$k.objdump" >"$T/$k.exports"
  expect "$k.wasm imports something outside wasi_snapshot_preview1: $(grep -v '<- wasi_snapshot_preview1\.' "$T/$k.imports" | tr '\n' ' ')" \
    equals "$(grep -vc '^ - func\[[0-9]*\] .*<- wasi_snapshot_preview1\.[a-z_]*$' "$T/$k.imports" || true)" 0
  expect "$k.wasm does not export _start" grep -q '^ - func\[[0-9]*\] .*-> "_start"$' "$T/$k.exports"
  expect "$k.wasm does not export memory" grep -q '^ - memory\[0\] -> "memory"$' "$T/$k.exports"
done

echo "== montecarlo + pi-reduce"
for combo in "1 100000" "4 50000" "7 1234" "3 0"; do
  read -r tasks samples <<<"$combo"
  run_job montecarlo "$tasks" - "$samples"
  "$NATIVE/montecarlo-whole" "$tasks" "$samples" >"$T/whole"
  expect "montecarlo $samples x $tasks tasks: summed tasks != montecarlo-whole" \
    equals "$(sum_lines "$T/job.native")" "$(cat "$T/whole")"
  expect "montecarlo-whole output format" grep -qE '^[0-9]+ [0-9]+$' "$T/whole"
  [[ "$samples" != 0 ]] || continue
  run_task reduce pi-reduce 0 1 "$T/job.wasm"
  expect "pi-reduce ($tasks tasks): exit $WASM_RC/$NATIVE_RC" equals "$WASM_RC/$NATIVE_RC" "0/0"
  expect "pi-reduce ($tasks tasks): wasm stdout differs from native" \
    same_file "$T/reduce.wasm.out" "$T/reduce.native.out"
  expect "pi-reduce ($tasks tasks): format" \
    grep -qxE "pi ~= 3\.[0-9]{10} from $((tasks * samples)) samples \($tasks tasks\)" "$T/reduce.wasm.out"
done
# Different tasks must draw different streams: equal counts in all 4 tasks would be suspicious.
run_job montecarlo 4 - 1000
expect "montecarlo: all tasks produced the same count (same random stream?)" \
  equals "$(sort -u "$T/job.wasm" | wc -l)" 4

echo "== pi-reduce refuses malformed input"
printf '785 1000' >"$T/in.nonl"
run_task reduce-nonl pi-reduce 0 1 "$T/in.nonl"
expect "pi-reduce: a last line without newline is accepted" equals "$WASM_RC/$NATIVE_RC" "0/0"
expect "pi-reduce: last line without newline output" \
  equals "$(cat "$T/reduce-nonl.wasm.out")" "pi ~= 3.1400000000 from 1000 samples (1 tasks)"
n=0
for bad in '' '12 10\n' 'abc\n' '1 2 3\n' '5 10\n\n' '-1 10\n' '0 0\n' '99999999999999999999 1\n'; do
  n=$((n + 1))
  printf -- "$bad" >"$T/in.bad$n"
  run_task "reduce-bad$n" pi-reduce 0 1 "$T/in.bad$n"
  expect "pi-reduce on '$bad': exit $WASM_RC/$NATIVE_RC (want 1/1)" equals "$WASM_RC/$NATIVE_RC" "1/1"
  expect "pi-reduce on '$bad': wrote to stdout" empty "$T/reduce-bad$n.wasm.out"
  expect "pi-reduce on '$bad': no message on stderr" contains "$T/reduce-bad$n.wasm.err" "pi-reduce:"
  expect "pi-reduce on '$bad': stderr differs" same_file "$T/reduce-bad$n.wasm.err" "$T/reduce-bad$n.native.err"
done

echo "== mandelbrot"
# "5 10 3 50" has more tasks than rows (empty bands). "3 400 300 1000" has a few pixels that
# change when the compiler fuses multiply-adds (gcc -ffp-contract=fast -march=native on an FMA
# machine), so it catches a build that lost -ffp-contract=off.
for combo in "1" "3" "7" "4 64 48 100" "5 10 3 50" "2 37 11 1000" "3 400 300 1000"; do
  read -r tasks dims <<<"$combo"
  read -r -a args <<<"$dims"
  run_job mandelbrot "$tasks" - ${args[@]+"${args[@]}"}
  "$NATIVE/mandelbrot-whole" "$tasks" ${args[@]+"${args[@]}"} >"$T/whole"
  expect "mandelbrot $combo: concatenated tasks != mandelbrot-whole" same_file "$T/job.native" "$T/whole"
  w=${args[0]:-400}
  h=${args[1]:-300}
  header="P5"$'\n'"$w $h"$'\n'"255"$'\n'
  expect "mandelbrot $combo: PGM header" equals "$(head -c ${#header} "$T/job.wasm" | od -An -c)" \
    "$(printf '%s' "$header" | od -An -c)"
  expect "mandelbrot $combo: size $(stat -c %s "$T/job.wasm") != $((w * h + ${#header}))" \
    equals "$(stat -c %s "$T/job.wasm")" "$((w * h + ${#header}))"
  expect "mandelbrot $combo: task 1 must not write a header" \
    bash -c '[[ $0 == 1 ]] || ! grep -q "^P5" "$1"' "$tasks" "$T/task1.wasm.out"
done
"$NATIVE/mandelbrot-whole" 1 >"$T/whole1"
"$NATIVE/mandelbrot-whole" 13 >"$T/whole13"
expect "mandelbrot: the image depends on the task count" same_file "$T/whole1" "$T/whole13"
expect "mandelbrot: image is all one grey" \
  bash -c '[[ $(tail -c +16 "$0" | od -An -v -tu1 -w1 | sort -u | wc -l) -gt 50 ]]' "$T/whole1"

echo "== linecount"
# Text with blank lines, tabs, runs of blanks, and no newline at the end.
awk 'BEGIN { for (i = 0; i < 200; i++) { printf "line %d\t%s  word%s\n", i, (i % 7 ? "a b" : ""), (i % 3 ? " x" : "") } ; printf "\n\nlast words without newline" }' >"$T/text"
read -r wl ww wc_ _ < <(wc -l -w -c "$T/text")
"$NATIVE/linecount" <"$T/text" >"$T/whole"
expect "linecount on the whole text != wc" equals "$(cat "$T/whole")" "$wl $ww $wc_"
for tasks in 1 3 8; do
  split -n "l/$tasks" -d -a 3 "$T/text" "$T/chunk."
  for ((i = 0; i < tasks; i++)); do mv "$T/chunk.$(printf %03d $i)" "$T/chunk.$i"; done
  run_job linecount "$tasks" "$T/chunk"
  expect "linecount split by lines into $tasks: summed counts != whole" \
    equals "$(awk '{ l += $1; w += $2; b += $3 } END { print l, w, b }' "$T/job.wasm")" "$(cat "$T/whole")"
  rm -f "$T"/chunk.*
done

echo "== validate-trimmed (a validator kernel: which candidate outputs agree)"
printf '4\n1 2\n4\n1 3\n9\n1 2  \r\n\n\n0\n' >"$T/candidates"
EXTRA_ENV=(SURGE_CANDIDATES=4)
run_task val validate-trimmed 0 1 "$T/candidates" validate
EXTRA_ENV=()
expect "validate-trimmed exited $WASM_RC" equals "$WASM_RC" 0
expect "validate-trimmed labels" equals "$(cat "$T/val.wasm.out")" "0 1 0 3"
expect "validate-trimmed: wasm != native" same_file "$T/val.wasm.out" "$T/val.native.out"
printf '9\nshort\n' >"$T/candidates"
EXTRA_ENV=(SURGE_CANDIDATES=1)
run_task val validate-trimmed 0 1 "$T/candidates" validate
EXTRA_ENV=()
expect "validate-trimmed on a truncated candidate exited $WASM_RC, not 1" equals "$WASM_RC" 1

echo "== noop"
run_job noop 3 - ignored args
expect "noop printed something" empty "$T/job.wasm"

echo "== fail"
EXTRA_ENV=()
for ((i = 0; i < 3; i++)); do
  run_task "fail$i" fail "$i" 3 "$T/empty" 7
  expect "fail 7 task $i: exit $WASM_RC/$NATIVE_RC (want 7/7)" equals "$WASM_RC/$NATIVE_RC" "7/7"
  expect "fail 7 task $i: stderr" contains "$T/fail$i.wasm.err" "fail: failing on purpose (task $i of 3)"
  expect "fail 7 task $i: stderr differs" same_file "$T/fail$i.wasm.err" "$T/fail$i.native.err"
  expect "fail 7 task $i: stdout" empty "$T/fail$i.wasm.out"
done
EXTRA_ENV=(FAIL_INDEX=1)
for ((i = 0; i < 3; i++)); do
  run_task "failone$i" fail "$i" 3 "$T/empty" 42 "custom message"
  if [[ $i == 1 ]]; then
    expect "fail 42 FAIL_INDEX=1 task 1: exit $WASM_RC/$NATIVE_RC" equals "$WASM_RC/$NATIVE_RC" "42/42"
    expect "fail 42 FAIL_INDEX=1 task 1: stderr" contains "$T/failone1.wasm.err" "fail: custom message (task 1 of 3)"
  else
    expect "fail FAIL_INDEX=1 task $i: exit $WASM_RC/$NATIVE_RC" equals "$WASM_RC/$NATIVE_RC" "0/0"
    expect "fail FAIL_INDEX=1 task $i: stdout" equals "$(cat "$T/failone$i.wasm.out")" "ok"
  fi
  expect "fail FAIL_INDEX=1 task $i: stdout differs" same_file "$T/failone$i.wasm.out" "$T/failone$i.native.out"
done
EXTRA_ENV=()

echo "== trap"
run_task trap trap 2 4 "$T/empty"
expect "trap: wasm exit $WASM_RC (want a trap, $((128 + 6)))" equals "$WASM_RC" 134
expect "trap: wasm trap not reported" contains "$T/trap.wasm.err" "run-wasi: trap: unreachable"
expect "trap: stderr before the trap" contains "$T/trap.wasm.err" "trap: trapping on purpose (task 2 of 4)"
expect "trap: native exit $NATIVE_RC (want death by signal)" test "$NATIVE_RC" -gt 128
expect "trap: stdout" empty "$T/trap.wasm.out"

echo "== spin"
start=$(date +%s%N)
run_task spin spin 2 3 "$T/empty" 150
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
expect "spin: exit $WASM_RC/$NATIVE_RC" equals "$WASM_RC/$NATIVE_RC" "0/0"
expect "spin: stdout" equals "$(cat "$T/spin.wasm.out")" "2"
expect "spin: stdout differs" same_file "$T/spin.wasm.out" "$T/spin.native.out"
expect "spin 150 twice took only $elapsed_ms ms" test "$elapsed_ms" -ge 300
expect "spin 150 twice took $elapsed_ms ms" test "$elapsed_ms" -lt 10000

echo "== determinism (what verification needs: the same output for the same index, args, env, stdin)"
# A kernel's only other sources of difference would be the clock and randomness from the host.
for k in "${KERNELS[@]}"; do
  expect "$k.wasm imports random_get: its output could differ between volunteers" \
    equals "$(grep -c '<- wasi_snapshot_preview1\.random_get$' "$T/$k.imports" || true)" 0
  clock=$(grep -c '<- wasi_snapshot_preview1\.clock_time_get$' "$T/$k.imports" || true)
  # spin reads the clock only to decide how long to keep the CPU busy, never for its output;
  # montecarlo and mandelbrot only to size their chunks and time checkpoints (surge_run).
  expect "$k.wasm imports clock_time_get (only spin, montecarlo, mandelbrot may; not for output)" \
    equals "$clock/$k" "$([[ $k == spin || $k == montecarlo || $k == mandelbrot ]] && echo 1 || echo 0)/$k"
done
# The same task twice, the second with more variables around it (a volunteer's runtime may set
# some), gives the same bytes, and the same as the native build.
printf '3 10\n4 10\n' >"$T/det.in"
printf 'one two\n\nthree\n' >"$T/det.text"
while IFS='|' read -r kernel index count input args; do
  # shellcheck disable=SC2086 # args is a word list
  run_task det1 "$kernel" "$index" "$count" "$input" $args
  first="$WASM_RC:$(cksum <"$T/det1.wasm.out")"
  EXTRA_ENV=(HOME=/nowhere TZ=Pacific/Kiritimati LANG=tr_TR.UTF-8 "RANDOM_SEED=$RANDOM")
  # shellcheck disable=SC2086
  run_task det2 "$kernel" "$index" "$count" "$input" $args
  EXTRA_ENV=()
  expect "$kernel task $index/$count ($args): two runs differ" \
    equals "$first" "$WASM_RC:$(cksum <"$T/det2.wasm.out")"
  expect "$kernel task $index/$count ($args): the run differs from native" \
    same_file "$T/det2.wasm.out" "$T/det2.native.out"
done <<EOF
montecarlo|5|8|$T/empty|20000
mandelbrot|2|3|$T/empty|64 48 200
linecount|0|1|$T/det.text|
pi-reduce|0|1|$T/det.in|
noop|0|1|$T/empty|
spin|3|4|$T/empty|5
fail|0|2|$T/empty|3
EOF

echo "== checkpoints: interrupt and resume (surge.h surge_run)"
# A task interrupted right after a checkpoint (the test hook SURGE_CHECKPOINT_EXIT_AFTER exits 75
# there, as if the volunteer had left) and resumed from it must print exactly what an
# uninterrupted native run prints, whichever build saved and whichever resumed: volunteers are
# wasm, and the checkpoint format is the same bytes on wasm32 and natively.
CK=$T/ck
# ck_run BUILD TAG KERNEL INDEX COUNT [ENV...] -- [ARG...]: one run with the checkpoint file
# $CK/checkpoint (the wasm build sees $CK as /surge); exit code in RC.
ck_run() {
  local build=$1 tag=$2 kernel=$3 index=$4 count=$5
  shift 5
  local envs=()
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  RC=0
  if [[ $build == wasm ]]; then
    local envopts=(--env SURGE_CHECKPOINT=/surge/checkpoint) e
    for e in ${envs[@]+"${envs[@]}"}; do envopts+=(--env "$e"); done
    "$NODE" run-wasi.mjs --index "$index" --count "$count" --preopen "/surge=$CK" \
      "${envopts[@]}" "$WASM/$kernel.wasm" "$@" >"$T/$tag.out" 2>"$T/$tag.err" || RC=$?
  else
    env -i "SURGE_TASK_INDEX=$index" "SURGE_TASK_COUNT=$count" "SURGE_CHECKPOINT=$CK/checkpoint" \
      ${envs[@]+"${envs[@]}"} "$NATIVE/$kernel" "$@" >"$T/$tag.out" 2>"$T/$tag.err" || RC=$?
  fi
}
while IFS='|' read -r kernel index count args; do
  read -r -a argv <<<"$args"
  run_native "$T/ck-ref.out" "$T/ck-ref.err" "$index" "$count" "$T/empty" "$kernel" "${argv[@]}"
  for pair in wasm/wasm native/native wasm/native native/wasm; do
    saver=${pair%/*}
    resumer=${pair#*/}
    what="$kernel $args task $index/$count saved by $saver, resumed by $resumer"
    rm -rf "$CK" && mkdir -p "$CK"
    ck_run "$saver" ck-stop "$kernel" "$index" "$count" SURGE_CHECKPOINT_MS=0 SURGE_CHECKPOINT_EXIT_AFTER=3 -- "${argv[@]}"
    expect "$what: the interrupted run exited $RC, not 75" equals "$RC" 75
    expect "$what: the interrupted run printed to stdout" empty "$T/ck-stop.out"
    expect "$what: no checkpoint file" test -s "$CK/checkpoint"
    expect "$what: a temporary file was left" test ! -e "$CK/checkpoint.tmp"
    ck_run "$resumer" ck-go "$kernel" "$index" "$count" SURGE_CHECKPOINT_MS=0 -- "${argv[@]}"
    expect "$what: exit $RC" equals "$RC" 0
    expect "$what: did not resume" contains "$T/ck-go.err" "surge: resumed from checkpoint at progress 0."
    expect "$what: stdout differs from an uninterrupted native run" same_file "$T/ck-go.out" "$T/ck-ref.out"
  done
  # Checkpoints that must be ignored: the task starts over and is still right.
  rm -rf "$CK" && mkdir -p "$CK"
  ck_run wasm ck-stop "$kernel" "$index" "$count" SURGE_CHECKPOINT_MS=0 SURGE_CHECKPOINT_EXIT_AFTER=2 -- "${argv[@]}"
  cp "$CK/checkpoint" "$T/ck-good"
  size=$(stat -c %s "$T/ck-good")
  for damage in flip truncate other-task garbage; do
    case $damage in
      flip) cp "$T/ck-good" "$CK/checkpoint"
        printf '\xff' | dd of="$CK/checkpoint" bs=1 seek=$((size - 1)) conv=notrunc status=none
        why="checksum mismatch" ;;
      truncate) head -c $((size - 1)) "$T/ck-good" >"$CK/checkpoint"; why="truncated or too long" ;;
      other-task) cp "$T/ck-good" "$CK/checkpoint"; why="saved by a task with other inputs" ;;
      garbage) printf 'not a checkpoint at all, but long enough to hold a header' >"$CK/checkpoint"
        why="not a checkpoint" ;;
    esac
    cp "$CK/checkpoint" "$T/ck-damaged"
    for build in wasm native; do
      cp "$T/ck-damaged" "$CK/checkpoint"
      if [[ $damage == other-task ]]; then
        ck_run "$build" ck-bad "$kernel" "$((index + 1))" "$((count + 1))" SURGE_CHECKPOINT_MS=100000 -- "${argv[@]}"
        run_native "$T/ck-ref2.out" "$T/ck-ref2.err" "$((index + 1))" "$((count + 1))" "$T/empty" "$kernel" "${argv[@]}"
        expect "$kernel $args ($build, $damage): stdout differs" same_file "$T/ck-bad.out" "$T/ck-ref2.out"
      else
        ck_run "$build" ck-bad "$kernel" "$index" "$count" SURGE_CHECKPOINT_MS=100000 -- "${argv[@]}"
        expect "$kernel $args ($build, $damage): stdout differs" same_file "$T/ck-bad.out" "$T/ck-ref.out"
      fi
      expect "$kernel $args ($build, $damage): exit $RC" equals "$RC" 0
      expect "$kernel $args ($build, $damage): not reported as '$why'" contains "$T/ck-bad.err" "$why"
    done
  done
done <<'CASES'
montecarlo|3|5|200000
montecarlo|0|1|1000
mandelbrot|1|3|64 48 200
mandelbrot|0|2|400 300 255
CASES
# Without SURGE_CHECKPOINT nothing is read or written, even with the other variables set.
rm -rf "$CK" && mkdir -p "$CK"
RC=0
(cd "$CK" && env -i SURGE_CHECKPOINT_MS=0 SURGE_CHECKPOINT_EXIT_AFTER=1 "../../native/montecarlo" 100000 >../ck-none.out 2>&1) || RC=$?
expect "montecarlo without SURGE_CHECKPOINT: exit $RC" equals "$RC" 0
expect "montecarlo without SURGE_CHECKPOINT: output" \
  equals "$(cat "$T/ck-none.out")" "$("$NATIVE/montecarlo-whole" 1 100000)"
expect "montecarlo without SURGE_CHECKPOINT: wrote files" empty <(ls -A "$CK")
# A real kill at an arbitrary moment (SIGKILL, not the hook), natively: the rename keeps the
# last checkpoint whole, and the resumed run is still right.
rm -rf "$CK" && mkdir -p "$CK"
"$NATIVE/montecarlo-whole" 1 60000000 >"$T/ck-kill-ref.out"
RC=0
(env -i SURGE_CHECKPOINT="$CK/checkpoint" SURGE_CHECKPOINT_MS=1 timeout -s KILL 0.15 \
  "$NATIVE/montecarlo" 60000000 >/dev/null 2>&1) 2>/dev/null || RC=$?
if [[ $RC == 137 && -s "$CK/checkpoint" ]]; then
  env -i SURGE_CHECKPOINT="$CK/checkpoint" "$NATIVE/montecarlo" 60000000 >"$T/ck-kill.out" 2>"$T/ck-kill.err"
  expect "montecarlo killed at random: did not resume" contains "$T/ck-kill.err" "resumed from checkpoint"
  expect "montecarlo killed at random: resumed output differs" same_file "$T/ck-kill.out" "$T/ck-kill-ref.out"
else
  echo "(montecarlo kill case skipped: the run ended with $RC before a kill after a checkpoint)"
fi

echo "== usage errors exit 2 with a usage line"
n=0
while IFS='|' read -r index count kernel args; do
  n=$((n + 1))
  read -r -a argv <<<"$args"
  run_task "usage$n" "$kernel" "$index" "$count" "$T/empty" ${argv[@]+"${argv[@]}"}
  expect "$kernel '$args' (task $index/$count): exit $WASM_RC/$NATIVE_RC (want 2/2)" equals "$WASM_RC/$NATIVE_RC" "2/2"
  expect "$kernel '$args' (task $index/$count): no usage line" contains "$T/usage$n.wasm.err" "usage: $kernel"
  expect "$kernel '$args' (task $index/$count): stderr differs" same_file "$T/usage$n.wasm.err" "$T/usage$n.native.err"
done <<'EOF'
0|1|montecarlo|
0|1|montecarlo|abc
0|1|montecarlo|-5
0|1|montecarlo|10 20
3|3|montecarlo|10
0|0|montecarlo|10
x|2|montecarlo|10
0|1|mandelbrot|0
0|1|mandelbrot|400 300 255 9
0|1|mandelbrot|400 0
0|1|mandelbrot|16385
0|1|spin|
0|1|spin|1.5
0|1|fail|
0|1|fail|256
0|1|fail|x
0|1|linecount|extra
0|1|pi-reduce|extra
EOF

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
