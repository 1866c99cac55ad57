// Package iam is identity and access: users, cookie sessions, email
// verification and password reset, a Better Auth–compatible /api/auth and
// the tenant-scoped user administration /api/users.
//
// Sessions. Signing in opens a new session whose 256-bit token goes to the
// browser once, in the HttpOnly, SameSite=Lax cookie SessionCookieName
// (Secure under an https SERVER_URL), and is stored only as its SHA-256.
// Sessions slide: 7 days from the last refresh, refreshed at most daily
// (the cookie's Max-Age follows). Routes installs the session hydration
// middleware: a request with a live session gets the kernel.Principal in
// its context; one without a cookie costs no database round trip; a
// malformed, unknown or expired cookie, or a deactivated user's, makes the
// request anonymous and clears the cookie. Handlers of other modules ask
// for a signed-in user through the one HTTP edge: web.RequireUser on a
// huma operation, kernel.RequireUser in a handler (401 UNAUTHORIZED).
//
// /api/auth follows Better Auth's HTTP API for email and password
// (packages/better-auth/src/api/routes in better-auth/better-auth): the
// same paths, methods, camelCase bodies and answers, and Better Auth's
// error codes and messages as the code and message of the problem JSON.
//
//	POST /sign-up/email        {name,email,password,image?,callbackURL?,rememberMe?,username?,locale?} → {token|null, user}
//	POST /sign-in/email        {email,password,callbackURL?,rememberMe?} → {redirect, token, url?, user}
//	POST /sign-out             → {success:true}
//	GET  /get-session          → {session, user} | null
//	GET  /list-sessions        → [session]
//	POST /revoke-session       {token} → {status:true}
//	POST /revoke-sessions      → {status:true}
//	POST /revoke-other-sessions → {status:true}
//	POST /update-user          {name?,image?,username?,locale?} → {status:true}
//	POST /change-password      {newPassword,currentPassword,revokeOtherSessions?} → {token|null, user}
//	POST /delete-user          {password,callbackURL?} → {success:true, message:"User deleted"}
//	POST /send-verification-email {email,callbackURL?} → {status:true}
//	GET  /verify-email?token=&callbackURL= → 302 to callbackURL | {status:true, user}
//	POST /request-password-reset (and /forget-password) {email,redirectTo?} → {status:true, message}
//	POST /reset-password       {newPassword,token?} (?token=) → {status:true}
//	GET  /reset-password/{token}?callbackURL= → 302 to callbackURL?token= | an HTML page
//	POST /reset-password/{token} (the page's form) → an HTML page
//
// User objects carry Better Auth's fields {id, email, emailVerified, name,
// image, createdAt, updatedAt} and Groundwork's {username, locale, active};
// unset optional fields are null. Session objects are {id, userId, token,
// expiresAt, createdAt, updatedAt, ipAddress, userAgent}. Times are RFC 3339
// UTC with exactly three fractional digits, as JavaScript writes them:
// Better Auth's client reads every fractional digit as milliseconds.
//
// Where Groundwork differs from Better Auth, on purpose:
//   - Where Better Auth returns a session token in a body (sign-up, sign-in,
//     change-password, get-session, list-sessions), Groundwork returns the
//     session's ID: a handle for revoke-session, not a credential. The
//     credential only ever travels in the HttpOnly cookie.
//   - Statuses are Better Auth's under /api/auth (betterauth.go): 400 for
//     validation and credential errors and VALIDATION_ERROR for a body that
//     fails the schema, 401 for a bad verification token, 403 for an
//     untrusted callback or redirect, 422 for a taken email; unknown body
//     fields are ignored. Field errors come along in our problem JSON;
//     malformed JSON is 400, an oversized body 413.
//   - sign-out without a session succeeds (Better Auth answers 400).
//   - update-user refuses email (EMAIL_CAN_NOT_BE_UPDATED) and active
//     (FIELD_NOT_ALLOWED); an empty update is NO_FIELDS_TO_UPDATE.
//   - delete-user takes the password, or none on a session opened within
//     the last day (Better Auth's freshAge; else SESSION_EXPIRED); no
//     deletion email.
//   - verify-email answers {status, user} with the verified user (Better
//     Auth sends user null). On failure with a callbackURL it redirects to
//     callbackURL?error=INVALID_TOKEN (one code for used, expired and
//     unknown tokens); without one it answers the 401 INVALID_TOKEN
//     problem. The emailed link always carries a callbackURL. A callbackURL (or redirectTo) not on SERVER_URL or
//     WEB_ORIGINS is refused with INVALID_CALLBACK_URL (INVALID_REDIRECT_URL)
//     before anything happens: there is no open redirect.
//   - GET /reset-password/{token} checks only that the token is well formed
//     before redirecting; its validity is checked when the password is set.
//     Without a callbackURL it serves a self-contained page (no script, no
//     remote asset, a strict Content-Security-Policy) whose form posts,
//     form-encoded, to POST /reset-password/{token}. That is the default
//     reset experience for an app without a front end: reset emails link
//     to it unless request-password-reset named a redirectTo.
//   - rememberMe false gives a browser-session cookie (and a
//     groundwork.dont_remember marker so refreshes keep it so); the session
//     itself still lives 7 days, sliding.
//   - Rate limits (sign-in, sign-up, reset, verification mail; per IP and
//     per email, in the database) answer 429 TOO_MANY_REQUESTS with
//     Retry-After. The client address is the TCP peer's; X-Forwarded-For
//     is not trusted.
//
// /api/users administers the members of the caller's active organization
// (kernel.OrganizationFrom): list (?search=&cursor=&limit=, {items,
// nextCursor}), get, create (by email; a new account gets a set-password
// email), update (name, username, locale, active) and delete (removes the
// member from the organization only). Each route needs its grant
// (users:read, users:create, users:update, users:delete): 401 without a
// session, 403 tenancy.no_active_organization without an active organization
// (nothing is hidden, so not 404), 403 tenancy.forbidden without the grant, and
// 404 for anyone who is not a member. Membership comes from the Members
// port; until tenancy provides it, NoMembers makes the lists empty, every
// user 404 and creation 503 iam.no_tenancy.
//
// A River periodic job (iam.purge_expired, hourly, default queue) removes
// expired sessions, spent or expired tokens and ended rate-limit windows.
//
// Events out: user.created, user.email_verified, user.signed_in,
// user.password_changed, user.password_reset, user.updated,
// user.deactivated, user.reactivated, user.deleted, session.revoked
// (events.go). Events in: none.
// Ports provided: Module.User, UserByEmail, Profiles (api.go).
// Ports required: Emails (account emails, over notifications) and Members
// (organization membership, over tenancy; optional).
package iam
