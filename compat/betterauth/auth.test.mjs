// Drives Groundwork's /api/auth with Better Auth's own client, the way a
// front end written against Better Auth would, and checks that what the
// client hands back has the shapes Better Auth documents.
//
//   GROUNDWORK_URL=http://127.0.0.1:8080 node --test auth.test.mjs
//
// compat_test.go runs it against a fresh server on every database.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { describe, it } from "node:test";

import { createAuthClient } from "better-auth/client";

import { CookieJar } from "./cookiejar.mjs";

const BASE_URL = process.env.GROUNDWORK_URL;
if (!BASE_URL) throw new Error("GROUNDWORK_URL is not set (the server's base URL)");

const SESSION_COOKIE = "groundwork.session_token";

// The server's file mailbox, and a second server run with
// AUTH_COOKIE_PREFIX=better-auth and the rate limits on.
const MAILBOX = process.env.GROUNDWORK_MAILBOX;
const BA_URL = process.env.GROUNDWORK_BETTER_AUTH_URL;

// verifyLink returns the verification link emailed to address (the .eml is
// quoted-printable).
function verifyLink(address) {
  for (const name of readdirSync(MAILBOX).sort().reverse()) {
    const eml = readFileSync(join(MAILBOX, name), "utf8");
    if (!eml.includes(`To: <${address}>`) || !eml.includes("X-Groundwork-Tag-template: verify_email")) continue;
    const text = eml.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const m = text.match(/https?:\/\/\S+\/api\/auth\/verify-email\?\S+/);
    if (m) return m[0];
  }
  return null;
}

// browser returns a client with a cookie jar of its own: one browser.
function browser() {
  const jar = new CookieJar();
  const client = createAuthClient({
    baseURL: BASE_URL,
    fetchOptions: { customFetchImpl: jar.fetch },
  });
  return { client, jar };
}

// ok fails with the server's answer when a call returned an error.
function ok(res, what) {
  assert.equal(res.error, null, `${what}: ${JSON.stringify(res.error)}`);
  return res.data;
}

async function sessionOf(b) {
  return ok(await b.client.getSession(), "getSession");
}

// signedOut checks that Better Auth's "no session" answer comes back: data
// null and no error (get-session answers 200 null, not 401).
async function assertSignedOut(b, what) {
  const res = await b.client.getSession();
  assert.equal(res.error, null, `${what}: getSession error ${JSON.stringify(res.error)}`);
  assert.equal(res.data, null, `${what}: still signed in as ${JSON.stringify(res.data?.user?.email)}`);
}

describe("Better Auth client against Groundwork", () => {
  const email = `compat-${Date.now()}-${randomBytes(4).toString("hex")}@example.com`;
  const password = "correct horse battery";
  const newPassword = "correct horse battery staple";

  const alice = browser(); // signs up and does most things
  const laptop = browser(); // the same user on another device, signed in early
  let userId;

  it("signs up with email and password, and is signed in", async () => {
    const data = ok(await alice.client.signUp.email({ email, password, name: "Alice" }), "signUp.email");
    assert.equal(data.user.email, email);
    assert.equal(data.user.name, "Alice");
    assert.equal(data.user.emailVerified, false);
    assert.equal(typeof data.user.id, "string");
    assert.ok(data.user.createdAt instanceof Date, `user.createdAt parsed as a Date: ${data.user.createdAt}`);
    userId = data.user.id;

    const cookie = alice.jar.get(SESSION_COOKIE);
    assert.ok(cookie, `sign-up set ${SESSION_COOKIE}`);
    assert.equal(cookie.attributes.httponly, true, "session cookie is HttpOnly");
    assert.equal(String(cookie.attributes.samesite).toLowerCase(), "lax", "session cookie is SameSite=Lax");
  });

  it("refuses a second sign-up with the same email, in any case, as Better Auth does (422)", async () => {
    const { data, error } = await browser().client.signUp.email({ email: email.toUpperCase(), password, name: "Mallory" });
    assert.equal(data, null);
    assert.equal(error?.code, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", JSON.stringify(error));
    assert.equal(error?.status, 422);
  });

  it("refuses a password that is too short with 400", async () => {
    const { error } = await browser().client.signUp.email({
      email: `short-${randomBytes(4).toString("hex")}@example.com`,
      password: "short",
      name: "Shorty",
    });
    assert.equal(error?.code, "PASSWORD_TOO_SHORT", JSON.stringify(error));
    assert.equal(error?.status, 400);
  });

  it("answers a body that fails the schema with 400 VALIDATION_ERROR", async () => {
    const { error } = await browser().client.signUp.email({ email: "not-an-email", password, name: "Bad" });
    assert.equal(error?.status, 400, JSON.stringify(error));
    assert.equal(error?.code, "VALIDATION_ERROR", JSON.stringify(error));
  });

  it("ignores unknown body fields at sign-up, as Better Auth does", async () => {
    const b = browser();
    const extra = `extra-${randomBytes(4).toString("hex")}@example.com`;
    const data = ok(await b.client.signUp.email({ email: extra, password, name: "Extra", favouriteColour: "teal" }), "signUp.email with an unknown field");
    assert.equal(data.user.email, extra);
  });

  it("refuses an untrusted callbackURL with 403 INVALID_CALLBACK_URL", async () => {
    const { error } = await browser().client.signUp.email({
      email: `cb-${randomBytes(4).toString("hex")}@example.com`, password, name: "Cb", callbackURL: "https://evil.example/welcome",
    });
    assert.equal(error?.status, 403, JSON.stringify(error));
    assert.equal(error?.code, "INVALID_CALLBACK_URL");
  });

  it("signs in with email and password on another device", async () => {
    const data = ok(await laptop.client.signIn.email({ email, password }), "signIn.email");
    assert.equal(data.user.id, userId);
    assert.equal(data.user.email, email);
    assert.ok(laptop.jar.get(SESSION_COOKIE), `sign-in set ${SESSION_COOKIE}`);
    assert.notEqual(laptop.jar.get(SESSION_COOKIE).value, alice.jar.get(SESSION_COOKIE).value, "a new session per sign-in");
  });

  it("gets the session: user and session", async () => {
    const data = await sessionOf(alice);
    assert.ok(data, "a session");
    assert.equal(data.user.id, userId);
    assert.equal(data.user.email, email);
    assert.equal(data.session.userId, userId);
    assert.ok(data.session.expiresAt instanceof Date, `session.expiresAt parsed as a Date: ${data.session.expiresAt}`);
    // The server's clock may be a test clock: compare with its own times.
    assert.ok(data.session.createdAt instanceof Date, `session.createdAt parsed as a Date: ${data.session.createdAt}`);
    assert.ok(data.session.expiresAt > data.session.createdAt, "session expires after it was created");
  });

  // The client turns ISO strings into Dates with its own parser, which
  // takes every fractional digit as milliseconds: it reads what
  // Date.toISOString writes (3 digits), and misreads more (".312116" as 312 s).
  it("reads the server's timestamps as the instants they name", async () => {
    const parsed = await sessionOf(alice);
    const res = await alice.jar.fetch(new URL("/api/auth/get-session", BASE_URL));
    assert.equal(res.status, 200);
    const raw = await res.json();
    for (const [what, got, text] of [
      ["session.expiresAt", parsed.session.expiresAt, raw.session.expiresAt],
      ["session.createdAt", parsed.session.createdAt, raw.session.createdAt],
      ["user.createdAt", parsed.user.createdAt, raw.user.createdAt],
      ["user.updatedAt", parsed.user.updatedAt, raw.user.updatedAt],
    ]) {
      assert.ok(got instanceof Date, `${what} ${JSON.stringify(text)} was not parsed as a Date`);
      assert.equal(got.toISOString(), new Date(text).toISOString(), `${what}: the server sent ${JSON.stringify(text)}, the client read ${got.toISOString()}`);
    }
  });

  it("updates the user's name", async () => {
    ok(await alice.client.updateUser({ name: "Alice Liddell" }), "updateUser");
    const data = await sessionOf(alice);
    assert.equal(data.user.name, "Alice Liddell");
  });

  it("changes the password and revokes the other sessions", async () => {
    const data = ok(
      await alice.client.changePassword({ currentPassword: password, newPassword, revokeOtherSessions: true }),
      "changePassword",
    );
    assert.equal(data.user.id, userId);

    const mine = await sessionOf(alice);
    assert.equal(mine?.user.id, userId, "the session that changed the password stays signed in");
    await assertSignedOut(laptop, "the other device after changePassword({revokeOtherSessions: true})");
  });

  it("answers a wrong password with INVALID_EMAIL_OR_PASSWORD and 401", async () => {
    const b = browser();
    const { data, error } = await b.client.signIn.email({ email, password }); // the old one
    assert.equal(data, null);
    assert.equal(error?.code, "INVALID_EMAIL_OR_PASSWORD", JSON.stringify(error));
    assert.equal(error?.status, 401);
    assert.equal(typeof error?.message, "string");
    assert.equal(b.jar.get(SESSION_COOKIE), undefined, "no session cookie on a failed sign-in");
  });

  it("lists the sessions; a listed token is no credential", async () => {
    const sessions = ok(await alice.client.listSessions(), "listSessions");
    assert.ok(Array.isArray(sessions), `an array: ${JSON.stringify(sessions)}`);
    assert.equal(sessions.length, 1, `one session left: ${JSON.stringify(sessions)}`);
    assert.equal(sessions[0].userId, userId);

    for (const s of sessions) {
      if (!s.token) continue;
      const thief = browser();
      thief.jar.set(SESSION_COOKIE, s.token);
      await assertSignedOut(thief, "a listed session's token replayed as the cookie");
    }
  });

  it("revokes the other sessions", async () => {
    const phone = browser();
    ok(await phone.client.signIn.email({ email, password: newPassword }), "signIn.email with the new password");
    assert.equal((await sessionOf(phone))?.user.id, userId);
    assert.equal(ok(await alice.client.listSessions(), "listSessions").length, 2);

    ok(await alice.client.revokeOtherSessions(), "revokeOtherSessions");
    await assertSignedOut(phone, "the other device after revokeOtherSessions");
    assert.equal((await sessionOf(alice))?.user.id, userId, "the caller stays signed in");
    assert.equal(ok(await alice.client.listSessions(), "listSessions").length, 1);
  });

  it("revokes an unknown session idempotently (200 true)", async () => {
    const data = ok(await alice.client.revokeSession({ token: "ses_nothing_like_it" }), "revokeSession of an unknown handle");
    assert.equal(data.status, true);
  });

  it("answers a wrong current password with 400 INVALID_PASSWORD", async () => {
    const { error } = await alice.client.changePassword({ currentPassword: "not the password", newPassword: "whatever whatever" });
    assert.equal(error?.status, 400, JSON.stringify(error));
    assert.equal(error?.code, "INVALID_PASSWORD");
  });

  it("refuses a cookie-bearing write without Origin with MISSING_OR_NULL_ORIGIN, and a foreign one with INVALID_ORIGIN", async () => {
    const cookie = `${SESSION_COOKIE}=${alice.jar.get(SESSION_COOKIE)?.value}`;
    const post = (headers) =>
      fetch(new URL("/api/auth/update-user", BASE_URL), {
        method: "POST",
        headers: { "content-type": "application/json", cookie, ...headers },
        body: JSON.stringify({ name: "CSRF" }),
      });
    let res = await post({});
    assert.equal(res.status, 403);
    assert.equal((await res.json()).code, "MISSING_OR_NULL_ORIGIN");
    res = await post({ origin: "https://evil.example" });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).code, "INVALID_ORIGIN");
    assert.equal((await sessionOf(alice)).user.name, "Alice Liddell", "nothing changed");
  });

  it("signs out, and the old cookie is dead on the server too", async () => {
    const token = alice.jar.get(SESSION_COOKIE)?.value;
    assert.ok(token, "signed in before signing out");
    ok(await alice.client.signOut(), "signOut");
    assert.equal(alice.jar.get(SESSION_COOKIE), undefined, "sign-out cleared the cookie");
    await assertSignedOut(alice, "after signOut");

    const replay = browser();
    replay.jar.set(SESSION_COOKIE, token);
    await assertSignedOut(replay, "the signed-out cookie replayed");
  });

  it("blocks a cross-site form navigation to sign-in with CROSS_SITE_NAVIGATION_LOGIN_BLOCKED", async () => {
    // fetch drops Sec-Fetch-* (a browser sets them itself): send them raw.
    const { status, body } = await new Promise((resolve, reject) => {
      const req = request(new URL("/api/auth/sign-in/email", BASE_URL), {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://evil.example", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" },
      }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
      });
      req.on("error", reject);
      req.end(JSON.stringify({ email, password: newPassword }));
    });
    assert.equal(status, 403);
    assert.equal(body.code, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED");
  });

  it("deletes the account without a password on a fresh session (Better Auth's freshAge)", async () => {
    const b = browser();
    const gone = `gone-${randomBytes(4).toString("hex")}@example.com`;
    ok(await b.client.signUp.email({ email: gone, password, name: "Gone" }), "signUp.email");
    ok(await b.client.deleteUser({}), "deleteUser without a password");
    await assertSignedOut(b, "after deleteUser");
    const { error } = await browser().client.signIn.email({ email: gone, password });
    assert.equal(error?.code, "INVALID_EMAIL_OR_PASSWORD", JSON.stringify(error));
  });

  it("sends a verification link that lands on a page, not on JSON", async () => {
    const link = verifyLink(email);
    assert.ok(link, `a verification email to ${email} in ${MAILBOX}`);
    const res = await fetch(link, { redirect: "manual" });
    assert.equal(res.status, 302, `the link answered ${res.status}`);
    assert.equal(res.headers.get("location"), "/");
  });
});

describe("Better Auth's cookie names and rate-limit headers (AUTH_COOKIE_PREFIX=better-auth)", () => {
  it("sets better-auth.session_token, and reads it back", async () => {
    const jar = new CookieJar();
    const client = createAuthClient({ baseURL: BA_URL, fetchOptions: { customFetchImpl: jar.fetch } });
    const address = `ba-${randomBytes(4).toString("hex")}@example.com`;
    ok(await client.signUp.email({ email: address, password: "correct horse battery", name: "Bea" }), "signUp.email");
    assert.ok(jar.get("better-auth.session_token"), "better-auth.session_token set");
    assert.equal(jar.get(SESSION_COOKIE), undefined, "no groundwork cookie");
    const s = ok(await client.getSession(), "getSession");
    assert.equal(s?.user.email, address);
  });

  it("answers a 429 with Retry-After and X-Retry-After", async () => {
    const address = `limited-${randomBytes(4).toString("hex")}@example.com`;
    let res;
    for (let i = 0; i < 11; i++) {
      res = await fetch(new URL("/api/auth/sign-in/email", BA_URL), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: address, password: `wrong ${i}` }),
      });
    }
    assert.equal(res.status, 429);
    assert.ok(res.headers.get("x-retry-after"), "X-Retry-After");
    assert.equal(res.headers.get("x-retry-after"), res.headers.get("retry-after"));
  });
});
