package domain

import (
	"errors"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// ErrInvalidToken is the one answer to a verification or reset token that
// is unknown, used, expired or issued for another address: Better Auth's
// INVALID_TOKEN. It does not say which, so a token cannot be probed.
var ErrInvalidToken = kernel.Invalid("INVALID_TOKEN", "Invalid token")

// VerificationTokenKind is the ID kind of verification tokens ("vtk_…").
type VerificationTokenKind struct{}

// Prefix implements kernel.Kind.
func (VerificationTokenKind) Prefix() string { return "vtk" }

// VerificationTokenID identifies a verification token.
type VerificationTokenID = kernel.ID[VerificationTokenKind]

// VerificationPurpose says what a verification token is for; its string is
// stable and stored. The zero VerificationPurpose is invalid.
type VerificationPurpose struct {
	s string
}

// The verification purposes.
var (
	// PurposeEmailVerification proves the user owns the email; 24 h.
	PurposeEmailVerification = VerificationPurpose{"email_verification"}
	// PurposePasswordReset lets a user who forgot the password set a new
	// one; 1 h.
	PurposePasswordReset = VerificationPurpose{"password_reset"}
	// PurposeSetPassword lets a user created by an admin set a first
	// password; 72 h.
	PurposeSetPassword = VerificationPurpose{"set_password"}
)

var purposeTTL = map[VerificationPurpose]time.Duration{
	PurposeEmailVerification: 24 * time.Hour,
	PurposePasswordReset:     time.Hour,
	PurposeSetPassword:       72 * time.Hour,
}

// ParseVerificationPurpose returns the purpose named s ("email_verification",
// "password_reset", "set_password"), or an Invalid error with code
// "iam.invalid_verification_purpose".
func ParseVerificationPurpose(s string) (VerificationPurpose, error) {
	p := VerificationPurpose{s}
	if _, ok := purposeTTL[p]; !ok {
		return VerificationPurpose{}, kernel.Invalid("iam.invalid_verification_purpose",
			"Unknown verification purpose "+truncate(s, 40)+".")
	}
	return p, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return "\"" + s + "\""
	}
	return "\"" + s[:n] + "…\""
}

// String returns the purpose's stable name.
func (p VerificationPurpose) String() string { return p.s }

// IsZero reports whether p is the zero (invalid) purpose.
func (p VerificationPurpose) IsZero() bool { return p.s == "" }

// TTL returns how long a token of this purpose stays valid.
func (p VerificationPurpose) TTL() time.Duration { return purposeTTL[p] }

// VerificationToken is a single-use, expiring token sent by email to prove
// ownership of an address or to set a password. Only the token's hash is
// kept. It is bound to the address it was sent to: after an email change a
// token sent to the old address must not act on the new one, so the
// application checks IssuedFor against the user's current email.
type VerificationToken struct {
	id        VerificationTokenID
	purpose   VerificationPurpose
	userID    kernel.UserID
	email     Email
	tokenHash [32]byte
	expiresAt time.Time
	usedAt    *time.Time
	createdAt time.Time
}

// NewVerificationToken issues a token of the given purpose for userID, sent
// to email, expiring purpose.TTL() after now. A zero purpose, user or email
// is a programming error and gives an Internal error.
func NewVerificationToken(purpose VerificationPurpose, userID kernel.UserID, email Email, token kernel.Token, now time.Time) (*VerificationToken, error) {
	switch {
	case purpose.TTL() == 0:
		return nil, kernel.Internal(errors.New("iam: verification token without a purpose"))
	case userID.IsZero():
		return nil, kernel.Internal(errors.New("iam: verification token without a user"))
	case email.IsZero():
		return nil, kernel.Internal(errors.New("iam: verification token without an email"))
	}
	return &VerificationToken{
		id:        kernel.NewID[VerificationTokenKind](),
		purpose:   purpose,
		userID:    userID,
		email:     email,
		tokenHash: token.Hash(),
		expiresAt: now.Add(purpose.TTL()),
		createdAt: now,
	}, nil
}

// VerificationTokenSnapshot is every field of a VerificationToken, for
// repositories and RehydrateVerificationToken. Purpose is typed: a
// repository reads it with ParseVerificationPurpose.
type VerificationTokenSnapshot struct {
	ID        VerificationTokenID
	Purpose   VerificationPurpose
	UserID    kernel.UserID
	Email     string
	TokenHash [32]byte
	ExpiresAt time.Time
	UsedAt    *time.Time // nil while unused
	CreatedAt time.Time
}

// RehydrateVerificationToken rebuilds a token from stored state without
// validating it; only repositories call it.
func RehydrateVerificationToken(s VerificationTokenSnapshot) *VerificationToken {
	return &VerificationToken{
		id:        s.ID,
		purpose:   s.Purpose,
		userID:    s.UserID,
		email:     kernel.RehydrateEmail(s.Email),
		tokenHash: s.TokenHash,
		expiresAt: s.ExpiresAt,
		usedAt:    copyTime(s.UsedAt),
		createdAt: s.CreatedAt,
	}
}

// Snapshot returns the token's state.
func (v *VerificationToken) Snapshot() VerificationTokenSnapshot {
	return VerificationTokenSnapshot{
		ID:        v.id,
		Purpose:   v.purpose,
		UserID:    v.userID,
		Email:     v.email.String(),
		TokenHash: v.tokenHash,
		ExpiresAt: v.expiresAt,
		UsedAt:    copyTime(v.usedAt),
		CreatedAt: v.createdAt,
	}
}

// ID returns the token's ID.
func (v *VerificationToken) ID() VerificationTokenID { return v.id }

// Purpose returns what the token is for.
func (v *VerificationToken) Purpose() VerificationPurpose { return v.purpose }

// UserID returns the user the token acts on.
func (v *VerificationToken) UserID() kernel.UserID { return v.userID }

// Email returns the address the token was sent to.
func (v *VerificationToken) Email() Email { return v.email }

// TokenHash returns the SHA-256 of the token.
func (v *VerificationToken) TokenHash() [32]byte { return v.tokenHash }

// ExpiresAt returns when the token stops working.
func (v *VerificationToken) ExpiresAt() time.Time { return v.expiresAt }

// CreatedAt returns when the token was issued.
func (v *VerificationToken) CreatedAt() time.Time { return v.createdAt }

// UsedAt returns when the token was used; false while unused.
func (v *VerificationToken) UsedAt() (time.Time, bool) {
	if v.usedAt == nil {
		return time.Time{}, false
	}
	return *v.usedAt, true
}

// Expired reports whether the token no longer works at now: from ExpiresAt on.
func (v *VerificationToken) Expired(now time.Time) bool { return !now.Before(v.expiresAt) }

// MatchesToken reports, in constant time, whether t is this token.
func (v *VerificationToken) MatchesToken(t kernel.Token) bool {
	return kernel.HashesEqual(v.tokenHash, t.Hash())
}

// IssuedFor reports whether the token was sent to e; a token sent before an
// email change must not act after it.
func (v *VerificationToken) IssuedFor(e Email) bool { return v.email == e }

// Use spends the token at now. A token already used, or expired, gives
// ErrInvalidToken and stays as it was.
func (v *VerificationToken) Use(now time.Time) error {
	if v.usedAt != nil || v.Expired(now) {
		return ErrInvalidToken
	}
	v.usedAt = &now
	return nil
}
