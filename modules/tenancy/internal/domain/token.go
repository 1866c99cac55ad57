package domain

import "github.com/groundworkhq/groundwork/kernel"

// InvitationToken is the secret in an invitation link: the kernel's
// Token, sent once by email and stored only as its SHA-256 Hash.
type InvitationToken = kernel.Token

// NewInvitationToken returns a fresh random token; it fails only if the
// system's random source does.
func NewInvitationToken() (InvitationToken, error) { return kernel.NewToken() }

// ParseInvitationToken reads a token's text form (43 characters of
// canonical base64url); false for anything else.
func ParseInvitationToken(s string) (InvitationToken, bool) { return kernel.ParseToken(s) }
