// Package tenancy is the organizations bounded context: organizations and
// their slugs, memberships with per-organization roles (the built-in owner,
// admin and member, and custom roles made of declared permissions),
// invitations by email, ownership transfer, the permission catalog every
// module declares into, and the organization-context middleware that puts
// the caller's active organization, role and grants in each request's
// kernel context — re-reading the membership every time, never trusting the
// cookie.
package tenancy
