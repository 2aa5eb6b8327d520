// Validation of everything the banner is configured with: its <script> attributes, the optional
// window.SurgeBanner object and the server's project info. Pure functions: each returns
// {ok: true, value} or {ok: false, reason}, and the embed turns a reason into one console warning.

import { STRINGS } from "./strings.js";

export const PROJECT_ID = /^[a-z0-9-]{1,64}$/;

const MAX_TEXT = 2000;

/**
 * Reads the embed's own attributes.
 * @param {{project?: string|null, server?: string|null, src?: string|null}} attributes
 *   `data-project`, `data-server` and the script's resolved `src`
 * @returns {{ok: true, value: {project: string, server: string}} | {ok: false, reason: string}}
 */
export function readEmbedConfig({ project, server, src }) {
  if (typeof project !== "string" || !PROJECT_ID.test(project)) {
    return fail(`data-project must match ${PROJECT_ID} (lower-case letters, digits, "-")`);
  }
  const base = server ?? src;
  if (typeof base !== "string" || base === "") {
    return fail("data-server is missing and the script's own address is unknown");
  }
  let url;
  try {
    url = new URL(base);
  } catch {
    return fail(`data-server is not an absolute URL: ${base}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return fail(`data-server must be http(s): ${base}`);
  }
  if (url.username || url.password) return fail("data-server must not carry credentials");
  // data-server may name a path prefix (a server behind a reverse proxy); src gives the origin.
  const path = server == null ? "" : url.pathname.replace(/\/+$/, "");
  return { ok: true, value: { project, server: url.origin + path } };
}

/**
 * Validates window.SurgeBanner set by the host page before the script (undefined is fine).
 * @param {unknown} options
 * @returns {{ok: true, value: {strings: Record<string,string>}} | {ok: false, reason: string}}
 */
export function readPageOptions(options) {
  if (options === undefined || options === null) return { ok: true, value: { strings: {} } };
  if (typeof options !== "object") return fail("window.SurgeBanner must be an object");
  const known = ["strings"];
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) return fail(`window.SurgeBanner has unknown keys: ${unknown.join(", ")}`);
  const strings = options.strings ?? {};
  if (typeof strings !== "object" || Array.isArray(strings)) {
    return fail("window.SurgeBanner.strings must be an object of strings");
  }
  for (const [k, v] of Object.entries(strings)) {
    if (!Object.hasOwn(STRINGS, k))
      return fail(`window.SurgeBanner.strings.${k} is not a string id`);
    if (typeof v !== "string" || v.length > MAX_TEXT) {
      return fail(`window.SurgeBanner.strings.${k} must be a string of at most ${MAX_TEXT} chars`);
    }
  }
  return { ok: true, value: { strings: { ...strings } } };
}

/**
 * Validates the answer of GET /api/projects/{project}.
 * @param {unknown} info
 * @param {{project: string, server: string}} config
 * @returns {{ok: true, value: ProjectInfo} | {ok: false, reason: string}}
 *
 * @typedef {object} ProjectInfo
 * @property {string} id
 * @property {string} centre
 * @property {string} name
 * @property {string} purpose
 * @property {string} detailsUrl absolute http(s) URL
 * @property {number} revision integer ≥ 1
 * @property {number[]} cpuLevels 1 to 5 distinct integers in 1..100, ascending
 */
export function readProjectInfo(info, { project, server }) {
  if (info === null || typeof info !== "object") return fail("project info is not a JSON object");
  if (info.id !== project) return fail(`project info names ${info.id}, not ${project}`);
  for (const field of ["centre", "name", "purpose"]) {
    const v = info[field];
    if (typeof v !== "string" || v.trim() === "" || v.length > MAX_TEXT) {
      return fail(`project info: ${field} must be a non-empty string`);
    }
  }
  if (!Number.isInteger(info.revision) || info.revision < 1) {
    return fail("project info: revision must be an integer ≥ 1");
  }
  const levels = info.cpuLevels ?? [25, 50, 75];
  if (
    !Array.isArray(levels) ||
    levels.length < 1 ||
    levels.length > 5 ||
    !levels.every((l) => Number.isInteger(l) && l >= 1 && l <= 100) ||
    new Set(levels).size !== levels.length
  ) {
    return fail("project info: cpuLevels must be 1 to 5 distinct integers from 1 to 100");
  }
  let detailsUrl = `${server}/surge/project/${project}`;
  if (info.detailsUrl !== undefined) {
    try {
      const u = new URL(info.detailsUrl, server);
      if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error();
      detailsUrl = u.href;
    } catch {
      return fail("project info: detailsUrl must be an http(s) URL");
    }
  }
  return {
    ok: true,
    value: {
      id: project,
      centre: info.centre.trim(),
      name: info.name.trim(),
      purpose: info.purpose.trim(),
      detailsUrl,
      revision: info.revision,
      cpuLevels: [...levels].sort((a, b) => a - b),
    },
  };
}

/**
 * Fills `{name}` placeholders; unknown placeholders stay as written. The result is only ever
 * set as textContent, never parsed as HTML.
 * @param {string} template
 * @param {Record<string, string|number>} values
 */
export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) =>
    Object.hasOwn(values, k) ? String(values[k]) : m,
  );
}

/**
 * CPU time for people: "45 s", "3 min 5 s", "2 h 10 min".
 * @param {number} ms
 */
export function formatDuration(ms) {
  if (!(ms > 0)) return "0 s";
  if (ms < 50) return "< 0.1 s";
  // Tenths below ten seconds, so that short tasks do not read as no time at all.
  if (ms < 9_950) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function fail(reason) {
  return { ok: false, reason };
}
