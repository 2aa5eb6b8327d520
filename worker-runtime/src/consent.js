// Consent tokens from POST /api/consent. The browser banner records the person's choice before it
// asks for a token; the headless volunteer consents by being started.

/**
 * Asks the server for a consent token.
 * @param {string} server base URL, e.g. `http://localhost:8080`
 * @param {{site: string, revision: number, cpu: number}} consent
 * @param {{fetch?: typeof fetch, timeoutMs?: number, origin?: string}} [options] timeoutMs
 *   default 10 s; origin: an `Origin` header to send (a browser sends its page's itself; the
 *   headless `surge-volunteer --consent` sends the page origin it stands in for)
 * @returns {Promise<{token: string, expiresAt?: string}>} rejects with an Error saying why
 */
export async function requestConsentToken(server, consent, options = {}) {
  const { fetch = globalThis.fetch, timeoutMs = 10_000, origin } = options;
  const url = new URL("api/consent", server.endsWith("/") ? server : `${server}/`);
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(origin ? { origin } : {}),
      },
      body: JSON.stringify(consent),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    // Node's fetch says only "fetch failed"; the cause names the real problem (ECONNREFUSED …).
    throw new Error(`POST ${url} failed: ${e.cause?.message ?? e.message}`);
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const detail = body?.error ?? text.slice(0, 200);
    throw new Error(`POST ${url} answered ${response.status}${detail ? `: ${detail}` : ""}`);
  }
  if (typeof body?.token !== "string" || body.token === "") {
    throw new Error(`POST ${url} answered without a token`);
  }
  return body;
}

/**
 * A `getToken` hook for Volunteer/Transport that reuses one token until it is refused (the
 * server closed with 1008) or about to expire.
 * @param {string} server
 * @param {{site: string, revision: number, cpu: number}} consent
 * @param {{fetch?: typeof fetch, now?: () => number, marginMs?: number, origin?: string}} [options]
 * @returns {(request: {fresh: boolean}) => Promise<string>}
 */
export function consentTokenProvider(server, consent, options = {}) {
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? 60_000;
  let cached = null;
  return async ({ fresh } = { fresh: false }) => {
    const expires = cached?.expiresAt ? Date.parse(cached.expiresAt) : Infinity;
    if (!cached || fresh || now() > expires - marginMs) {
      cached = await requestConsentToken(server, consent, options);
    }
    return cached.token;
  };
}
