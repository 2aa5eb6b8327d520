import { test } from "node:test";
import assert from "node:assert/strict";
import { consentTokenProvider, requestConsentToken } from "../src/consent.js";

function fakeFetch(answers) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: String(url), init });
    const [status, body] = answers.shift();
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  };
  return { fetch, calls };
}

test("POSTs the consent as JSON to {server}/api/consent and returns the token", async () => {
  const { fetch, calls } = fakeFetch([[200, { token: "abc", expiresAt: "2030-01-01T00:00:00Z" }]]);
  const consent = { site: "headless", revision: 1, cpu: 100 };
  const answer = await requestConsentToken("http://srv:8080", consent, { fetch });
  assert.equal(answer.token, "abc");
  assert.equal(calls[0].url, "http://srv:8080/api/consent");
  assert.equal(calls[0].init.method, "POST");
  assert.deepEqual(JSON.parse(calls[0].init.body), consent);
});

test("an error answer is an Error naming the status and the server's reason", async () => {
  const { fetch } = fakeFetch([[400, { error: "cpu must be between 1 and 100", field: "cpu" }]]);
  await assert.rejects(
    requestConsentToken("http://srv", { site: "s", revision: 1, cpu: 0 }, { fetch }),
    /answered 400: cpu must be between 1 and 100/,
  );
  const { fetch: noToken } = fakeFetch([[200, {}]]);
  await assert.rejects(
    requestConsentToken("http://srv", {}, { fetch: noToken }),
    /without a token/,
  );
});

test("the provider reuses a token until asked for a fresh one or it nears expiry", async () => {
  let now = Date.parse("2030-01-01T00:00:00Z");
  const { fetch, calls } = fakeFetch([
    [200, { token: "t1", expiresAt: "2030-01-01T01:00:00Z" }],
    [200, { token: "t2", expiresAt: "2030-01-01T02:00:00Z" }],
    [200, { token: "t3", expiresAt: "2030-01-01T03:00:00Z" }],
  ]);
  const getToken = consentTokenProvider("http://srv", {}, { fetch, now: () => now });
  assert.equal(await getToken({ fresh: false }), "t1");
  assert.equal(await getToken({ fresh: false }), "t1");
  assert.equal(await getToken({ fresh: true }), "t2");
  now = Date.parse("2030-01-01T01:59:30Z"); // within the one-minute margin
  assert.equal(await getToken({ fresh: false }), "t3");
  assert.equal(calls.length, 3);
});
