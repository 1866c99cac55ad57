// Package platform is what administers a Groundwork as a whole, across
// organizations: the admin gate, the mechanism by which every module mounts
// its admin routes under /api/v1/platform, the first-run bootstrap, and the
// overview.
//
// The gate. Everything under /api/v1/platform answers 401 to nobody, 403
// platform.forbidden to a signed-in user who is not a platform admin, and
// 403 platform.impersonating to an impersonated session — whoever started
// it. Platform admin is a global flag on the user (iam owns it), never an
// organization role.
//
// Admin routes. A module that implements AdminRoutes(*web.Admin) mounts its
// routes there, relative to the prefix; app.New calls it for every module
// after Routes. The mutations stay in the owning module: user lifecycle,
// platform admins and impersonation in iam, organizations in tenancy, audit
// reads in audit, jobs in the job plumbing.
//
// Bootstrap. While no platform admin exists, serve logs one line with a
// setup link, SERVER_URL/setup?token=…: a 256-bit token stored as its
// SHA-256 hash, valid 30 minutes, replaced at each start while no admin
// exists. A signed-in user with a verified email who spends it (POST
// /api/v1/platform/bootstrap {token}, or the form on /setup) becomes the
// first platform admin; the token is then 410. A wrong token is 404 after
// the same work. Two concurrent spends make exactly one admin: the token's
// row is locked. Operators and containers use the CLI instead: groundwork
// admin create --email E.
//
// Ports. Admins (the bootstrap's view of iam) is satisfied by the
// composition root over iam's public API.
package platform
