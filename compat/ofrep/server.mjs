// What compat_test.go hands the suites: the server, a signed-in user with an
// active organization (by cookie), a platform admin (by cookie) and a
// trusted front end on another origin. Node's fetch keeps no cookies and
// sends no Origin, so the requests made here carry both, as a same-origin
// page's do: the server refuses unsafe cookie-bearing requests that carry
// neither Origin nor Sec-Fetch-Site.

import assert from "node:assert/strict";

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} must be set (compat_test.go sets it)`);
  return v;
}

export const BASE_URL = required("GROUNDWORK_URL");
export const USER_COOKIE = required("GROUNDWORK_USER_COOKIE");
export const USER_ID = required("GROUNDWORK_USER_ID");
export const ORG_ID = required("GROUNDWORK_ORG_ID");
export const ADMIN_COOKIE = required("GROUNDWORK_ADMIN_COOKIE");
export const FRONT_ORIGIN = required("GROUNDWORK_FRONT_ORIGIN");

/** signedIn returns the headers a same-origin page of the user sends. */
export function signedIn(cookie = USER_COOKIE) {
  return { cookie, origin: BASE_URL };
}

/**
 * admin calls a platform administration route as the admin and fails the
 * test unless it answers want.
 */
export async function admin(method, path, body, want = 200) {
  const res = await fetch(`${BASE_URL}/api/v1/platform/feature-flags${path}`, {
    method,
    headers: { ...signedIn(ADMIN_COOKIE), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, want, `${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** ofrep posts to an OFREP path and returns the response and its decoded body. */
export async function ofrep(path, { headers = {}, body = "{}" } = {}) {
  const res = await fetch(`${BASE_URL}/ofrep/v1/evaluate/flags${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    assert.fail(`POST ${path} answered ${res.status} with a body that is not JSON: ${text}`);
  }
  return { res, text, json };
}
