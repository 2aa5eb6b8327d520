// Standard base64 (with padding) for the bytes that travel in JSON: stdin, stdout, stderr.
// Node has Buffer, recent browsers have Uint8Array.toBase64; the atob/btoa fallback is for the rest.

const NodeBuffer = globalThis.Buffer;
const hasNative = typeof Uint8Array.prototype.toBase64 === "function";

/**
 * Encodes bytes as standard base64 with padding.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toBase64(bytes) {
  if (bytes.length === 0) return "";
  if (NodeBuffer)
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64");
  if (hasNative) return bytes.toBase64();
  let binary = "";
  // Chunked so String.fromCharCode never gets more arguments than the engine allows.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Decodes standard base64; the caller validates the text first (see isBase64).
 * @param {string} text
 * @returns {Uint8Array}
 */
export function fromBase64(text) {
  if (text.length === 0) return new Uint8Array(0);
  if (NodeBuffer) {
    const b = NodeBuffer.from(text, "base64");
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * True for standard base64 with padding: a multiple of 4 characters, padding only at the end.
 * @param {unknown} text
 * @returns {boolean}
 */
export function isBase64(text) {
  return typeof text === "string" && text.length % 4 === 0 && BASE64_CHARS.test(text);
}
