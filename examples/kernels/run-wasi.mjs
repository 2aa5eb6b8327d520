#!/usr/bin/env node
// Runs one WASI preview-1 command kernel the way a Surge task runs: explicit args, an
// environment holding only the task variables (plus --env extras), stdin from a file.
//
//   node run-wasi.mjs [--index I] [--count N] [--env K=V]... [--stdin FILE] [--preopen GUEST=HOST]
//                     KERNEL.wasm [ARG...]
//
// The kernel's stdout and stderr go straight to this process's stdout and stderr (fds 1 and 2),
// byte for byte. The exit status is the kernel's exit code; a trap (e.g. `unreachable`) prints
// "run-wasi: trap: <message>" on stderr and exits 134, like an aborted native process.
// --preopen gives the kernel one host directory (check.sh: a checkpoint directory, as the Surge
// runtime gives one); without it the kernel sees no file system.
// Programmatic use: `await runWasi({wasm, args, env, stdinFile, preopens})` -> {exitCode, trap}.
import { readFileSync, openSync, closeSync } from 'node:fs';
import { basename } from 'node:path';
import { argv, exit, stderr } from 'node:process';
import { pathToFileURL } from 'node:url';

export const TRAP_EXIT_CODE = 134;

// node:wasi is still flagged experimental in Node 20; its one-time warning would pollute stderr,
// which tests compare. Drop only that warning, keep every other one.
function quietWasiWarning() {
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name === 'ExperimentalWarning' && /WASI/.test(w.message)) return;
    for (const l of listeners) l(w);
  });
}

export async function runWasi({ wasm, args = [], env = {}, stdinFile = '/dev/null', stdout = 1, stderr: errFd = 2, preopens = {} }) {
  quietWasiWarning();
  const { WASI } = await import('node:wasi');
  const stdin = openSync(stdinFile, 'r');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: [basename(wasm, '.wasm'), ...args],
      env,
      stdin,
      stdout,
      stderr: errFd,
      preopens, // a task gets no file system unless asked (--preopen)
      returnOnExit: true, // proc_exit returns its code instead of ending this process
    });
    const module = await WebAssembly.compile(readFileSync(wasm));
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    try {
      return { exitCode: wasi.start(instance), trap: null };
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        return { exitCode: TRAP_EXIT_CODE, trap: e.message };
      }
      throw e;
    }
  } finally {
    closeSync(stdin);
  }
}

function usage(why) {
  stderr.write(`run-wasi: ${why}\nusage: node run-wasi.mjs [--index I] [--count N] [--env K=V]... [--stdin FILE] [--preopen GUEST=HOST] KERNEL.wasm [ARG...]\n`);
  exit(2);
}

async function main(cli) {
  const env = { SURGE_TASK_INDEX: '0', SURGE_TASK_COUNT: '1' };
  let stdinFile = '/dev/null';
  const preopens = {};
  let i = 0;
  for (; i < cli.length && cli[i].startsWith('--'); i++) {
    const opt = cli[i];
    const value = cli[++i];
    if (value === undefined) usage(`${opt} needs a value`);
    if (opt === '--index') env.SURGE_TASK_INDEX = value;
    else if (opt === '--count') env.SURGE_TASK_COUNT = value;
    else if (opt === '--stdin') stdinFile = value;
    else if (opt === '--preopen') {
      const eq = value.indexOf('=');
      if (eq <= 0) usage(`--preopen wants GUEST=HOST, got '${value}'`);
      preopens[value.slice(0, eq)] = value.slice(eq + 1);
    }
    else if (opt === '--env') {
      const eq = value.indexOf('=');
      if (eq <= 0) usage(`--env wants K=V, got '${value}'`);
      env[value.slice(0, eq)] = value.slice(eq + 1);
    } else usage(`unknown option ${opt}`);
  }
  if (i >= cli.length) usage('missing KERNEL.wasm');
  const result = await runWasi({ wasm: cli[i], args: cli.slice(i + 1), env, stdinFile, preopens });
  if (result.trap !== null) stderr.write(`run-wasi: trap: ${result.trap}\n`);
  exit(result.exitCode);
}

if (import.meta.url === pathToFileURL(argv[1]).href) {
  await main(argv.slice(2));
}
