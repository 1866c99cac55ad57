// Drives Groundwork's OFREP endpoints with OpenFeature's own web SDK and
// OFREP web provider, the way a front end does: one provider for a
// signed-in user (the default provider: their session cookie, polling
// every 200ms) and one for an anonymous visitor (the "anonymous" domain:
// no cookie, no polling).
// Rules change mid-run through the admin routes, as a platform admin.
//
//   GROUNDWORK_URL=… GROUNDWORK_USER_COOKIE=… … node --test provider.test.mjs
//
// compat_test.go runs it against a fresh server on every database, with the
// rules wire.test.mjs describes, and checks the writes made here afterwards.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ErrorCode, OpenFeature, ProviderEvents, StandardResolutionReasons } from "@openfeature/web-sdk";
import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";

import { BASE_URL, ORG_ID, USER_COOKIE, USER_ID, admin } from "./server.mjs";

// The suite's waits are on events; this bounds each test, not a sleep.
const WAIT = { timeout: 15_000 };

// recorder is a fetchImplementation that keeps what the provider sent and
// what it got, and lets a test wait for an exchange it expects.
function recorder() {
  const log = [];
  const waiting = [];
  return {
    log,
    /** next resolves with the first exchange, from now on, that pred accepts. */
    next(pred) {
      return new Promise((resolve) => waiting.push({ pred, resolve }));
    },
    fetch: async (request, init) => {
      const sent = {
        url: request.url,
        method: request.method,
        contentType: request.headers.get("content-type"),
        ifNoneMatch: request.headers.get("if-none-match"),
        cookie: request.headers.get("cookie"),
        origin: request.headers.get("origin"),
      };
      const response = await fetch(request, init);
      const exchange = { ...sent, status: response.status, etag: response.headers.get("etag") };
      log.push(exchange);
      for (const w of waiting.splice(0)) {
        if (w.pred(exchange)) w.resolve(exchange);
        else waiting.push(w);
      }
      return response;
    },
  };
}

// problems collects a client's Error and Stale events: a failed poll or
// re-fetch is otherwise silent, the provider serving its last answer.
function problems(client) {
  const seen = [];
  for (const event of [ProviderEvents.Error, ProviderEvents.Stale]) {
    client.addHandler(event, (details) => seen.push(`${event}: ${details?.message}`));
  }
  return seen;
}

// changed resolves when the client's provider reports key among the flags
// a re-fetch changed.
function changed(client, key) {
  return new Promise((resolve) => {
    const handler = (details) => {
      if (!details?.flagsChanged?.includes(key)) return;
      client.removeHandler(ProviderEvents.ConfigurationChanged, handler);
      resolve(details);
    };
    client.addHandler(ProviderEvents.ConfigurationChanged, handler);
  });
}

const BULK = `${BASE_URL}/ofrep/v1/evaluate/flags`;

describe("OpenFeature's OFREP web provider against Groundwork", () => {
  const signedInWire = recorder();
  const anonymousWire = recorder();
  let signedInProvider;
  let user;
  let anonymous;
  let userProblems;
  let anonymousProblems;

  before(async () => {
    signedInProvider = new OFREPWebProvider({
      baseUrl: BASE_URL,
      pollInterval: 200,
      // Node has no localStorage; a browser's cache would answer CACHED first.
      cacheMode: "disabled",
      // What a same-origin page's fetch carries by itself.
      headers: [
        ["Cookie", USER_COOKIE],
        ["Origin", BASE_URL],
      ],
      fetchImplementation: signedInWire.fetch,
    });
    // The context claims someone else: the server must not listen.
    await OpenFeature.setProviderAndWait(signedInProvider, { targetingKey: "someone-else", organizationId: "org_someone_else" });
    await OpenFeature.setProviderAndWait(
      "anonymous",
      new OFREPWebProvider({ baseUrl: BASE_URL, pollInterval: 0, cacheMode: "disabled", fetchImplementation: anonymousWire.fetch }),
      { targetingKey: USER_ID, organizationId: ORG_ID },
    );
    user = OpenFeature.getClient();
    anonymous = OpenFeature.getClient("anonymous");
    userProblems = problems(user);
    anonymousProblems = problems(anonymous);
  });

  after(async () => {
    await OpenFeature.close(); // stops the polling, so node exits
  });

  it("fetched the bulk endpoint once each at start, the user's with their cookie and Origin", () => {
    const [first] = signedInWire.log;
    assert.equal(first?.url, BULK, JSON.stringify(signedInWire.log));
    assert.equal(first.method, "POST");
    assert.equal(first.status, 200);
    assert.equal(first.cookie, USER_COOKIE);
    assert.equal(first.origin, BASE_URL);
    assert.equal(first.ifNoneMatch, null);
    assert.match(first.etag ?? "", /^"[^"]+"$/);
    assert.deepEqual(anonymousWire.log.map((e) => [e.url, e.status, e.cookie]), [[BULK, 200, null]]);
  });

  it("gives the signed-in user the server's values: the organization override wins over the global value", () => {
    assert.equal(user.getBooleanValue("beta-dashboard", true), false);
    assert.equal(user.getStringValue("theme", "fallback"), "solarized");
    assert.equal(user.getNumberValue("export-limit", 0), 500);
    assert.deepEqual(user.getObjectValue("banner", {}), { text: "acme", tone: "info" });

    const d = user.getBooleanDetails("beta-dashboard", true);
    assert.equal(d.value, false);
    assert.equal(d.reason, StandardResolutionReasons.TARGETING_MATCH);
    assert.equal(d.variant, "organization-override");
    assert.equal(d.errorCode, undefined, d.errorMessage);
    assert.deepEqual(d.flagMetadata, { type: "boolean" });
    const n = user.getNumberDetails("export-limit", 0);
    assert.deepEqual([n.value, n.reason, n.variant, n.flagMetadata], [500, "TARGETING_MATCH", "organization-override", { type: "integer" }]);
  });

  it("gives an anonymous provider the global values, whoever its context claims to be", () => {
    assert.equal(anonymous.getBooleanValue("beta-dashboard", false), true);
    assert.equal(anonymous.getStringValue("theme", "fallback"), "dark");
    assert.equal(anonymous.getNumberValue("export-limit", 0), 250);
    assert.deepEqual(anonymous.getObjectValue("banner", {}), { text: "everyone" });
    const d = anonymous.getBooleanDetails("beta-dashboard", false);
    assert.deepEqual([d.value, d.reason, d.variant, d.errorCode], [true, StandardResolutionReasons.STATIC, "global", undefined]);
  });

  it("gives the caller's default, FLAG_NOT_FOUND, for a flag that is not client-visible", () => {
    // internal-tool is globally true on the server.
    for (const client of [user, anonymous]) {
      assert.equal(client.getBooleanValue("internal-tool", false), false);
      const d = client.getBooleanDetails("internal-tool", false);
      assert.deepEqual([d.value, d.reason, d.errorCode], [false, StandardResolutionReasons.ERROR, ErrorCode.FLAG_NOT_FOUND]);
      assert.equal(client.getBooleanDetails("no-such-flag", true).errorCode, ErrorCode.FLAG_NOT_FOUND);
    }
    assert.deepEqual(Object.keys(signedInProvider.flagCache).sort(), ["banner", "beta-dashboard", "export-limit", "theme"]);
  });

  it("gives the caller's default, TYPE_MISMATCH, for a flag asked as another type", () => {
    const asBool = user.getBooleanDetails("theme", true);
    assert.deepEqual([asBool.value, asBool.reason, asBool.errorCode], [true, StandardResolutionReasons.ERROR, ErrorCode.TYPE_MISMATCH]);
    assert.equal(user.getNumberDetails("theme", 7).errorCode, ErrorCode.TYPE_MISMATCH);
    assert.equal(user.getStringDetails("export-limit", "x").errorCode, ErrorCode.TYPE_MISMATCH);
    assert.equal(user.getObjectDetails("beta-dashboard", {}).errorCode, ErrorCode.TYPE_MISMATCH);
    assert.equal(user.getStringValue("theme", "x"), "solarized", "the flag itself still answers");
  });

  it("polls with the server's ETag and gets 304 while nothing changes", WAIT, async () => {
    const etag = signedInWire.log[0].etag;
    const poll = await signedInWire.next((e) => e.url === BULK);
    assert.equal(poll.ifNoneMatch, etag, "If-None-Match carries the first answer's ETag");
    assert.equal(poll.status, 304);
    assert.equal(poll.cookie, USER_COOKIE);
    assert.equal(user.getStringValue("theme", "x"), "solarized", "a 304 keeps the flags");
  });

  it("picks an admin's change up on its next poll", WAIT, async () => {
    const etag = signedInWire.log[0].etag; // the 304s keep it
    const seen = changed(user, "beta-dashboard");
    const fetched = signedInWire.next((e) => e.status === 200);
    await admin("PUT", `/beta-dashboard/users/${USER_ID}`, { value: true });
    const details = await seen;
    assert.deepEqual(details.flagsChanged, ["beta-dashboard"], "only the flag that changed");
    const poll = await fetched;
    assert.equal(poll.ifNoneMatch, etag);
    assert.notEqual(poll.etag, etag, "a new answer, a new ETag");

    const d = user.getBooleanDetails("beta-dashboard", false);
    assert.deepEqual([d.value, d.reason, d.variant], [true, StandardResolutionReasons.TARGETING_MATCH, "user-override"]);
    assert.equal(user.getStringValue("theme", "x"), "solarized", "the other flags are as they were");
    // The anonymous visitor is not the user.
    assert.equal(anonymous.getBooleanValue("beta-dashboard", false), true);
  });

  it("re-fetches on setContext: a provider that does not poll sees an admin's change then, not before", WAIT, async () => {
    await admin("PUT", "/export-limit/global", { value: 300 });
    assert.equal(anonymous.getNumberValue("export-limit", 0), 250, "no poll, no re-fetch: still the first answer");
    const fetches = anonymousWire.log.length;
    await OpenFeature.setContext("anonymous", { targetingKey: "visitor-2" });
    assert.equal(anonymousWire.log.length, fetches + 1, "one re-fetch of the bulk endpoint");
    assert.equal(anonymousWire.log.at(-1).status, 200);
    const d = anonymous.getNumberDetails("export-limit", 0);
    assert.deepEqual([d.value, d.reason, d.variant], [300, StandardResolutionReasons.STATIC, "global"]);

    // The kill switch: everyone gets the flag's default.
    await admin("PUT", "/theme/kill-switch", { enabled: true });
    await OpenFeature.setContext("anonymous", { targetingKey: "visitor-3" });
    const t = anonymous.getStringDetails("theme", "fallback");
    assert.deepEqual([t.value, t.reason, t.variant], ["light", StandardResolutionReasons.DISABLED, "kill-switch"]);
  });

  it("sees the kill switch on the signed-in user's next poll too", WAIT, async () => {
    if (user.getStringValue("theme", "x") !== "light") await changed(user, "theme");
    const t = user.getStringDetails("theme", "fallback");
    assert.deepEqual([t.value, t.reason, t.variant], ["light", StandardResolutionReasons.DISABLED, "kill-switch"]);
    // The user's organization override still wins over the new global value.
    assert.equal(user.getNumberValue("export-limit", 0), 500);
  });

  it("reported no error or stale event", () => {
    assert.deepEqual(userProblems, []);
    assert.deepEqual(anonymousProblems, []);
  });
});
