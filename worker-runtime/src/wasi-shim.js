// The one import of browser_wasi_shim. It goes by path rather than by package name because a
// browser resolves no bare specifiers without a bundler, and a module Web Worker sees no import
// map. Whoever serves this runtime to browsers serves node_modules/@bjorn3/browser_wasi_shim/dist/
// at the same place relative to src/ (see README.md).

export {
  WASI,
  File,
  OpenFile,
  ConsoleStdout,
  PreopenDirectory,
} from "../node_modules/@bjorn3/browser_wasi_shim/dist/index.js";
