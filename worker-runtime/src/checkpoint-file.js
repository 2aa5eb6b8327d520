// The checkpoint file a kernel sees (docs/checkpoints.md): a WASI directory /surge holding
// `checkpoint`, preloaded with the task's checkpoint when it resumes. examples/kernels/surge.h
// writes checkpoint.tmp and renames it, so a rename onto `checkpoint` is a complete checkpoint:
// this module notices it and hands the bytes on while the kernel keeps running.

import { File, PreopenDirectory } from "./wasi-shim.js";

export const CHECKPOINT_DIR = "/surge";
export const CHECKPOINT_NAME = "checkpoint";
/** Where the file lives in the kernel's file system (SURGE_CHECKPOINT). */
export const CHECKPOINT_PATH = `${CHECKPOINT_DIR}/${CHECKPOINT_NAME}`;

const MAGIC = [0x53, 0x55, 0x52, 0x47, 0x45, 0x43, 0x4b, 0x31]; // "SURGECK1"
const HEADER_BYTES = 40;

/**
 * The progress (0..1) a surge.h checkpoint header records, 0 for any other file: the server only
 * shows it and lets dispatch prefer resumable work, it never trusts it for anything else.
 * @param {Uint8Array} data
 */
export function progressOf(data) {
  if (data.length < HEADER_BYTES || MAGIC.some((b, i) => data[i] !== b)) return 0;
  const millionths = new DataView(data.buffer, data.byteOffset + 32, 4).getUint32(0, true);
  return Math.min(1, millionths / 1e6);
}

/**
 * Sets up the checkpoint file of one run.
 * @param {{everyMs: number, maxBytes: number, onSave: (data: Uint8Array, progress: number) => void}} options
 * @param {Uint8Array|undefined} resumeFrom the task's checkpoint, if it has one
 * @param {() => number} stdoutLength bytes the kernel has written to stdout so far
 * @returns {{fd: object, env: string[], watch: (wasiImport: object) => void, refused: () => string}}
 */
export function checkpointFile(options, resumeFrom, stdoutLength) {
  const contents = new Map();
  if (resumeFrom && resumeFrom.length > 0) contents.set(CHECKPOINT_NAME, new File(resumeFrom));
  const dir = new PreopenDirectory(CHECKPOINT_DIR, contents);
  let tooLarge = 0;
  let afterOutput = 0;
  const committed = () => {
    const file = dir.dir.contents.get(CHECKPOINT_NAME);
    if (!(file instanceof File)) return;
    if (stdoutLength() > 0) return void afterOutput++;
    if (file.data.length > options.maxBytes) return void tooLarge++;
    // A copy: the worker may transfer it, and the kernel's next save makes a new file anyway.
    const data = file.data.slice();
    options.onSave(data, progressOf(data));
  };
  return {
    fd: dir,
    env: [`SURGE_CHECKPOINT=${CHECKPOINT_PATH}`, `SURGE_CHECKPOINT_MS=${options.everyMs}`],
    watch(wasiImport) {
      const rename = wasiImport.path_rename;
      wasiImport.path_rename = (...args) => {
        const errno = rename(...args);
        if (errno === 0) committed();
        return errno;
      };
    },
    refused() {
      const notes = [];
      if (afterOutput > 0) {
        notes.push(
          `surge: ${afterOutput} checkpoint(s) not sent: saved after the kernel wrote to stdout (keep output in the state; docs/checkpoints.md)`,
        );
      }
      if (tooLarge > 0) {
        notes.push(
          `surge: ${tooLarge} checkpoint(s) not sent: larger than ${options.maxBytes} bytes`,
        );
      }
      return notes.map((n) => `${n}\n`).join("");
    },
  };
}
