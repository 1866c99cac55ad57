// Drives Groundwork's /api/auth/admin with Better Auth's own adminClient,
// the way an admin screen written against Better Auth's admin plugin would:
// its "admin" role is Groundwork's platform admin flag, its ban is a
// deactivation, its impersonation Groundwork's.
//
//   GROUNDWORK_URL=… GROUNDWORK_ADMIN_EMAIL=… GROUNDWORK_ADMIN_PASSWORD=… node --test admin.test.mjs
//
// compat_test.go runs it against a fresh server on every database, with a
// platform admin it made.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";

import { createAuthClient } from "better-auth/client";
import { adminClient } from "better-auth/client/plugins";

import { CookieJar } from "./cookiejar.mjs";

const BASE_URL = process.env.GROUNDWORK_URL;
const ADMIN_EMAIL = process.env.GROUNDWORK_ADMIN_EMAIL;
const ADMIN_PASSWORD = process.env.GROUNDWORK_ADMIN_PASSWORD;
if (!BASE_URL || !ADMIN_EMAIL || !ADMIN_PASSWORD) {
  throw new Error("GROUNDWORK_URL, GROUNDWORK_ADMIN_EMAIL and GROUNDWORK_ADMIN_PASSWORD must be set");
}

function browser() {
  const jar = new CookieJar();
  const client = createAuthClient({
    baseURL: BASE_URL,
    plugins: [adminClient()],
    fetchOptions: { customFetchImpl: jar.fetch },
  });
  return { client, jar };
}

function ok(res, what) {
  assert.equal(res.error, null, `${what}: ${JSON.stringify(res.error)}`);
  return res.data;
}

function refused(res, status, code, what) {
  assert.equal(res.data, null, `${what}: ${JSON.stringify(res.data)}`);
  assert.equal(res.error?.status, status, `${what}: ${JSON.stringify(res.error)}`);
  assert.equal(res.error?.code, code, `${what}: ${JSON.stringify(res.error)}`);
}

describe("Better Auth's adminClient against Groundwork", () => {
  const password = "correct horse battery";
  const tag = randomBytes(4).toString("hex");
  const userEmail = `admin-compat-${tag}@example.com`;
  const admin = browser();
  const user = browser();
  let adminId;
  let userId;

  it("signs the admin in, and a user up", async () => {
    adminId = ok(await admin.client.signIn.email({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }), "admin signIn").user.id;
    userId = ok(await user.client.signUp.email({ email: userEmail, password, name: "Ursula" }), "user signUp").user.id;
  });

  it("refuses the admin routes to a user who is not an admin, with the plugin's codes", async () => {
    refused(await user.client.admin.listUsers({ query: {} }), 403, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS", "listUsers");
    refused(await user.client.admin.banUser({ userId: adminId }), 403, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS", "banUser");
    refused(await user.client.admin.impersonateUser({ userId: adminId }), 403, "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS", "impersonateUser");
    refused(await browser().client.admin.listUsers({ query: {} }), 401, "UNAUTHORIZED", "listUsers signed out");
  });

  it("lists and searches users, with the plugin's fields", async () => {
    const data = ok(await admin.client.admin.listUsers({ query: { searchValue: `compat-${tag}`, limit: 10 } }), "listUsers");
    assert.equal(data.total, 1, JSON.stringify(data));
    assert.equal(data.limit, 10);
    const [u] = data.users;
    assert.equal(u.id, userId);
    assert.equal(u.email, userEmail);
    assert.equal(u.role, "user");
    assert.equal(u.banned, false);
    assert.equal(u.banReason, null);
    assert.ok(u.createdAt instanceof Date, `createdAt parsed as a Date: ${u.createdAt}`);

    const admins = ok(await admin.client.admin.listUsers({ query: { filterField: "role", filterValue: "admin" } }), "listUsers role=admin");
    assert.ok(admins.users.some((x) => x.id === adminId) && admins.users.every((x) => x.role === "admin"), JSON.stringify(admins));
    const byName = ok(await admin.client.admin.listUsers({ query: { searchField: "name", searchOperator: "starts_with", searchValue: "ursu" } }), "listUsers by name");
    assert.ok(byName.users.some((x) => x.id === userId), JSON.stringify(byName));
    const page = ok(await admin.client.admin.listUsers({ query: { limit: 1, offset: 1, sortBy: "createdAt", sortDirection: "desc" } }), "listUsers page");
    assert.equal(page.users.length, 1);
    assert.ok(page.total >= 2);
  });

  it("sets the role: admin makes a platform admin", async () => {
    let data = ok(await admin.client.admin.setRole({ userId, role: "admin" }), "setRole admin");
    assert.equal(data.user.role, "admin");
    ok(await user.client.admin.listUsers({ query: {} }), "the new admin lists users");
    data = ok(await admin.client.admin.setRole({ userId, role: "user" }), "setRole user");
    assert.equal(data.user.role, "user");
    refused(await admin.client.admin.setRole({ userId, role: "superuser" }), 400, "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE", "setRole unknown");
  });

  it("lists and revokes a user's sessions", async () => {
    const laptop = browser();
    ok(await laptop.client.signIn.email({ email: userEmail, password }), "user signIn on a laptop");
    const { sessions } = ok(await admin.client.admin.listUserSessions({ userId }), "listUserSessions");
    assert.equal(sessions.length, 2, JSON.stringify(sessions));
    const laptopSession = ok(await laptop.client.getSession(), "laptop getSession").session;
    assert.equal(ok(await admin.client.admin.revokeUserSession({ sessionToken: laptopSession.token }), "revokeUserSession").success, true);
    assert.equal(ok(await laptop.client.getSession(), "laptop after revoke"), null);
    assert.equal(ok(await admin.client.admin.revokeUserSessions({ userId }), "revokeUserSessions").success, true);
    assert.equal(ok(await user.client.getSession(), "user after revoke-all"), null);
    ok(await user.client.signIn.email({ email: userEmail, password }), "user signs in again");
  });

  it("bans and unbans: a banned user's sessions end and sign-in answers BANNED_USER", async () => {
    refused(await admin.client.admin.banUser({ userId: adminId }), 400, "YOU_CANNOT_BAN_YOURSELF", "ban self");
    const data = ok(await admin.client.admin.banUser({ userId, banReason: "spamming", banExpiresIn: 3600 }), "banUser");
    assert.equal(data.user.banned, true);
    assert.equal(data.user.banReason, "spamming");
    // An hour after the ban, on the server's clock.
    assert.ok(data.user.banExpires instanceof Date, `banExpires: ${data.user.banExpires}`);
    assert.equal(data.user.banExpires - data.user.updatedAt, 3600 * 1000, `banExpires ${data.user.banExpires}, updatedAt ${data.user.updatedAt}`);
    assert.equal(ok(await user.client.getSession(), "banned user's session"), null);
    refused(await user.client.signIn.email({ email: userEmail, password }), 403, "BANNED_USER", "banned sign-in");

    const un = ok(await admin.client.admin.unbanUser({ userId }), "unbanUser");
    assert.equal(un.user.banned, false);
    ok(await user.client.signIn.email({ email: userEmail, password }), "unbanned sign-in");
  });

  it("impersonates a user and stops, restoring the admin's own session", async () => {
    refused(await admin.client.admin.impersonateUser({ userId: adminId }), 403, "YOU_CANNOT_IMPERSONATE_ADMINS", "impersonate an admin");
    const data = ok(await admin.client.admin.impersonateUser({ userId }), "impersonateUser");
    assert.equal(data.user.id, userId);
    assert.equal(data.session.impersonatedBy, adminId);
    const during = ok(await admin.client.getSession(), "getSession while impersonating");
    assert.equal(during.user.id, userId);
    assert.equal(during.session.impersonatedBy, adminId);
    // An hour (IMPERSONATION_MAX), never refreshed.
    assert.equal(during.session.expiresAt - during.session.createdAt, 3600 * 1000, `expiresAt ${during.session.expiresAt}`);
    // While impersonating, the admin routes are closed.
    refused(await admin.client.admin.listUsers({ query: {} }), 403, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS", "listUsers while impersonating");

    const back = ok(await admin.client.admin.stopImpersonating(), "stopImpersonating");
    assert.equal(back.user.id, adminId);
    const after = ok(await admin.client.getSession(), "getSession after stop");
    assert.equal(after.user.id, adminId);
    assert.equal(after.session.impersonatedBy ?? null, null);
    ok(await admin.client.admin.listUsers({ query: {} }), "listUsers after stop");
  });

  it("gets and removes a user", async () => {
    const u = ok(await admin.client.admin.getUser({ query: { id: userId } }), "getUser");
    assert.equal(u.id, userId);
    assert.equal(u.role, "user");
    refused(await admin.client.admin.removeUser({ userId: adminId }), 400, "YOU_CANNOT_REMOVE_YOURSELF", "remove self");
    assert.equal(ok(await admin.client.admin.removeUser({ userId }), "removeUser").success, true);
    refused(await admin.client.admin.getUser({ query: { id: userId } }), 404, "USER_NOT_FOUND", "getUser after remove");
    refused(await user.client.signIn.email({ email: userEmail, password }), 401, "INVALID_EMAIL_OR_PASSWORD", "removed sign-in");
  });
});
