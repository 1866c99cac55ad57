// Checks Groundwork's OFREP endpoints on the wire, with fetch: the shapes,
// status codes and headers the OpenFeature Remote Evaluation Protocol
// gives (and @openfeature/ofrep-core reads), what the session decides and
// what the body cannot, the bulk ETag, and the cross-origin rules a
// browser provider meets.
//
//   GROUNDWORK_URL=… GROUNDWORK_USER_COOKIE=… … node --test wire.test.mjs
//
// compat_test.go runs it against a fresh server on every database, with:
//   global values   beta-dashboard true, theme "dark", export-limit 250,
//                   banner {text:"everyone"}, internal-tool true (hidden);
//   the user's organization's overrides
//                   beta-dashboard false, theme "solarized", export-limit 500,
//                   banner {text:"acme", tone:"info"}.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { BASE_URL, FRONT_ORIGIN, ORG_ID, USER_ID, ofrep, signedIn } from "./server.mjs";

const JSON_TYPE = /^application\/json\b/;

const forUser = {
  banner: { key: "banner", value: { text: "acme", tone: "info" }, reason: "TARGETING_MATCH", variant: "organization-override", metadata: { type: "object" } },
  "beta-dashboard": { key: "beta-dashboard", value: false, reason: "TARGETING_MATCH", variant: "organization-override", metadata: { type: "boolean" } },
  "export-limit": { key: "export-limit", value: 500, reason: "TARGETING_MATCH", variant: "organization-override", metadata: { type: "integer" } },
  theme: { key: "theme", value: "solarized", reason: "TARGETING_MATCH", variant: "organization-override", metadata: { type: "string" } },
};

const forAnyone = {
  banner: { key: "banner", value: { text: "everyone" }, reason: "STATIC", variant: "global", metadata: { type: "object" } },
  "beta-dashboard": { key: "beta-dashboard", value: true, reason: "STATIC", variant: "global", metadata: { type: "boolean" } },
  "export-limit": { key: "export-limit", value: 250, reason: "STATIC", variant: "global", metadata: { type: "integer" } },
  theme: { key: "theme", value: "dark", reason: "STATIC", variant: "global", metadata: { type: "string" } },
};

// failure checks an OFREP error answer: its status, JSON and exact members.
function failure({ res, json, text }, status, want, what) {
  assert.equal(res.status, status, `${what}: ${text}`);
  assert.match(res.headers.get("content-type") ?? "", JSON_TYPE, what);
  assert.equal(typeof json?.errorDetails, "string", `${what}: errorDetails: ${text}`);
  assert.ok(json.errorDetails.length > 0, `${what}: empty errorDetails`);
  assert.deepEqual({ ...json, errorDetails: "…" }, { ...want, errorDetails: "…" }, what);
}

describe("OFREP single-flag evaluation", () => {
  it("answers a client-visible flag for the session's user and organization, in OFREP's shape", async () => {
    for (const [key, want] of Object.entries(forUser)) {
      const { res, json, text } = await ofrep(`/${key}`, { headers: signedIn() });
      assert.equal(res.status, 200, `${key}: ${text}`);
      assert.match(res.headers.get("content-type") ?? "", JSON_TYPE, key);
      assert.deepEqual(json, want, key);
    }
    const limit = (await ofrep("/export-limit", { headers: signedIn() })).json.value;
    assert.ok(Number.isInteger(limit), `an integer flag's value is a JSON integer: ${limit}`);
  });

  it("answers anonymous callers with the global values", async () => {
    for (const [key, want] of Object.entries(forAnyone)) {
      const { res, json, text } = await ofrep(`/${key}`);
      assert.equal(res.status, 200, `${key}: ${text}`);
      assert.deepEqual(json, want, key);
    }
  });

  it("takes whom to evaluate for from the session, never from the body's context", async () => {
    const claim = JSON.stringify({ context: { targetingKey: USER_ID, organizationId: ORG_ID, userId: USER_ID } });
    assert.deepEqual((await ofrep("/theme", { body: claim })).json, forAnyone.theme, "anonymous claiming the user");
    const other = JSON.stringify({ context: { targetingKey: "someone-else", organizationId: "org_someone_else" } });
    assert.deepEqual((await ofrep("/theme", { headers: signedIn(), body: other })).json, forUser.theme, "the user claiming someone else");
  });

  it("answers 404 FLAG_NOT_FOUND for a flag that is not client-visible, as for one that does not exist", async () => {
    for (const key of ["internal-tool", "no-such-flag"]) {
      for (const headers of [signedIn(), {}]) {
        failure(await ofrep(`/${key}`, { headers }), 404, { key, errorCode: "FLAG_NOT_FOUND" }, `${key} (${headers.cookie ? "signed in" : "anonymous"})`);
      }
    }
  });

  it("answers 400 PARSE_ERROR for a malformed body and INVALID_CONTEXT for a context that is not an object", async () => {
    failure(await ofrep("/theme", { headers: signedIn(), body: "{not json" }), 400, { key: "theme", errorCode: "PARSE_ERROR" }, "malformed");
    failure(await ofrep("/theme", { body: '{"context":{}} {"context":{}}' }), 400, { key: "theme", errorCode: "PARSE_ERROR" }, "two values");
    failure(await ofrep("/theme", { body: '{"context":"user-1"}' }), 400, { key: "theme", errorCode: "INVALID_CONTEXT" }, "string context");
    // An empty body and a null context are an empty context.
    assert.equal((await ofrep("/theme", { body: "" })).res.status, 200, "empty body");
    assert.equal((await ofrep("/theme", { body: '{"context":null}' })).res.status, 200, "null context");
  });
});

describe("OFREP bulk evaluation", () => {
  it("answers every client-visible flag, and only those, for the session", async () => {
    const { res, json, text } = await ofrep("", { headers: signedIn(), body: JSON.stringify({ context: { targetingKey: "x" } }) });
    assert.equal(res.status, 200, text);
    assert.match(res.headers.get("content-type") ?? "", JSON_TYPE);
    assert.ok(Array.isArray(json.flags), text);
    assert.deepEqual(Object.fromEntries(json.flags.map((f) => [f.key, f])), forUser);
    const anonymous = (await ofrep("")).json;
    assert.deepEqual(Object.fromEntries(anonymous.flags.map((f) => [f.key, f])), forAnyone);
  });

  it("sends an ETag; If-None-Match with it is a 304 with no body, another caller's or a stale one a 200", async () => {
    const first = await ofrep("", { headers: signedIn() });
    const etag = first.res.headers.get("etag");
    assert.match(etag ?? "", /^"[^"]+"$/, `a strong ETag: ${etag}`);
    assert.match(first.res.headers.get("vary") ?? "", /\bCookie\b/i, "the answer varies with the session");

    const again = await ofrep("", { headers: { ...signedIn(), "if-none-match": etag } });
    assert.equal(again.res.status, 304, again.text);
    assert.equal(again.text, "", "a 304 has no body");
    assert.equal(again.res.headers.get("etag"), etag, "a 304 repeats the ETag");

    const anonymous = await ofrep("", { headers: { "if-none-match": etag } });
    assert.equal(anonymous.res.status, 200, "another caller's flags differ");
    assert.notEqual(anonymous.res.headers.get("etag"), etag);

    const stale = await ofrep("", { headers: { ...signedIn(), "if-none-match": '"stale"' } });
    assert.equal(stale.res.status, 200);
    assert.equal(stale.res.headers.get("etag"), etag, "the same flags, the same ETag");
  });

  it("answers 400 PARSE_ERROR and INVALID_CONTEXT without a key", async () => {
    failure(await ofrep("", { headers: signedIn(), body: "{not json" }), 400, { errorCode: "PARSE_ERROR" }, "malformed");
    failure(await ofrep("", { body: '{"context":[1]}' }), 400, { errorCode: "INVALID_CONTEXT" }, "array context");
  });
});

describe("OFREP and the cross-origin rules", () => {
  it("refuses a cookie-bearing request without Origin or Sec-Fetch-Site; a browser's Sec-Fetch-Site passes", async () => {
    const { res, text } = await ofrep("", { headers: { cookie: signedIn().cookie } });
    assert.equal(res.status, 403, text);
    assert.equal(JSON.parse(text).code, "MISSING_OR_NULL_ORIGIN", text);
    const browser = await ofrep("", { headers: { cookie: signedIn().cookie, "sec-fetch-site": "same-origin" } });
    assert.equal(browser.res.status, 200, browser.text);
    assert.deepEqual(Object.fromEntries(browser.json.flags.map((f) => [f.key, f])), forUser);
  });

  it("lets a trusted front end preflight the provider's request (Content-Type, If-None-Match) and read the answer", async () => {
    const url = `${BASE_URL}/ofrep/v1/evaluate/flags`;
    const pre = await fetch(url, {
      method: "OPTIONS",
      headers: { origin: FRONT_ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type,if-none-match" },
    });
    assert.equal(pre.status, 204, await pre.text());
    assert.equal(pre.headers.get("access-control-allow-origin"), FRONT_ORIGIN);
    assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
    assert.match(pre.headers.get("access-control-allow-methods") ?? "", /\bPOST\b/);
    const allowed = (pre.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    for (const h of ["content-type", "if-none-match"]) assert.ok(allowed.includes(h), `${h} allowed: ${allowed}`);

    const { res, json, text } = await ofrep("", { headers: { cookie: signedIn().cookie, origin: FRONT_ORIGIN } });
    assert.equal(res.status, 200, text);
    assert.equal(res.headers.get("access-control-allow-origin"), FRONT_ORIGIN);
    assert.equal(res.headers.get("access-control-allow-credentials"), "true");
    assert.deepEqual(Object.fromEntries(json.flags.map((f) => [f.key, f])), forUser);
  });

  // The provider reads the bulk answer's ETag to send If-None-Match on its
  // next poll; across origins a script reads only the headers the answer
  // exposes, so without ETag in Access-Control-Expose-Headers a front end
  // on another origin polls with full 200s forever.
  it("exposes the bulk answer's ETag to a trusted front end", async () => {
    const { res } = await ofrep("", { headers: { cookie: signedIn().cookie, origin: FRONT_ORIGIN } });
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    assert.ok(exposed.includes("etag"), `Access-Control-Expose-Headers: ${res.headers.get("access-control-expose-headers")}`);
  });

  it("gives an untrusted origin no CORS headers and refuses its cookie-bearing request", async () => {
    const { res, text } = await ofrep("", { headers: { cookie: signedIn().cookie, origin: "http://evil.example.test" } });
    assert.equal(res.status, 403, text);
    assert.equal(JSON.parse(text).code, "INVALID_ORIGIN", text);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
  });
});
