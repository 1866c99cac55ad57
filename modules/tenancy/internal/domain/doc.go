// Package domain holds the tenancy module's model: the Organization
// aggregate and its value objects (OrgName, Slug), memberships and the rule
// that an organization always keeps an owner (EnsureOwnerRemains), roles
// (the immutable built-ins owner, admin and member, and per-organization
// custom roles), the permission Catalog every module declares into at boot,
// the anti-escalation rule (CanGrant), and invitations with their state
// machine.
//
// It imports only the standard library and kernel. Constructors validate
// and report every bad field at once; behaviour methods keep aggregates
// consistent; the Rehydrate functions skip validation and are for
// repositories only.
//
// Permission checks fail closed: a role naming a permission the Catalog
// does not know is refused (Catalog.Validate), never silently ignored.
// Invitation tokens rest only as SHA-256 hashes (kernel.Token.Hash).
package domain
