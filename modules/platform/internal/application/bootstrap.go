// Package application holds the platform module's use cases: the first-run
// bootstrap.
package application

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// BootstrapTTL is how long a setup token works.
const BootstrapTTL = 30 * time.Minute

// The bootstrap's answers.
var (
	// ErrBootstrapNotFound: no live token matches (404, as an unknown one,
	// so a guesser learns nothing).
	ErrBootstrapNotFound = kernel.NotFound("platform.bootstrap_not_found", "This setup link is not valid.")
	// ErrBootstrapGone: the token was spent, has expired, or a platform
	// admin exists: the bootstrap is over (410).
	ErrBootstrapGone = kernel.Gone("platform.bootstrap_spent",
		"This setup link was already used or has expired; a platform admin can promote others, and a new link is logged at the next start while none exists.")
	// ErrEmailNotVerified: the first admin must have a verified email.
	ErrEmailNotVerified = kernel.Forbidden("platform.email_not_verified",
		"Verify your email address before you become a platform admin.")
	errInvalidToken = kernel.Invalid("platform.invalid_token", "The setup token is missing.",
		kernel.FieldError{Field: "body.token", Code: "required", Message: "The token from the setup link."})
)

// Admins is what the bootstrap needs of iam: how many platform admins
// exist, whether a user's email is verified, and making one the first
// admin, in the transaction ctx carries.
type Admins interface {
	CountPlatformAdmins(ctx context.Context) (int, error)
	EmailVerified(ctx context.Context, user kernel.UserID) (bool, error)
	PromoteFirst(ctx context.Context, user kernel.UserID) error
}

// BootstrapToken is the stored state of the setup token.
type BootstrapToken struct {
	Hash      [32]byte
	CreatedAt time.Time
	ExpiresAt time.Time
	SpentAt   *time.Time
}

// BootstrapStore keeps the one setup token.
type BootstrapStore interface {
	// Replace stores t as the setup token, replacing any earlier one.
	Replace(ctx context.Context, t BootstrapToken) error
	// Lock returns the setup token, locked until the transaction ctx
	// carries ends; false when there is none.
	Lock(ctx context.Context) (BootstrapToken, bool, error)
	// Spend marks the token spent by user at.
	Spend(ctx context.Context, user kernel.UserID, at time.Time) error
}

// Bootstrap is the first-run use case.
type Bootstrap struct {
	UoW    kernel.UnitOfWork
	Store  BootstrapStore
	Admins Admins
	Clock  kernel.Clock
	Logger *slog.Logger
}

// Prepare issues a new setup token while no platform admin exists,
// replacing the earlier one; needed is false (and the token zero) once one
// does.
func (b *Bootstrap) Prepare(ctx context.Context) (token kernel.Token, expiresAt time.Time, needed bool, err error) {
	err = b.UoW.Tx(ctx, func(ctx context.Context) error {
		n, err := b.Admins.CountPlatformAdmins(ctx)
		if err != nil || n > 0 {
			return err
		}
		if token, err = kernel.NewToken(); err != nil {
			return err
		}
		now := b.Clock.Now()
		expiresAt = now.Add(BootstrapTTL)
		needed = true
		return b.Store.Replace(ctx, BootstrapToken{Hash: token.Hash(), CreatedAt: now, ExpiresAt: expiresAt})
	})
	if err != nil {
		return kernel.Token{}, time.Time{}, false, fmt.Errorf("prepare bootstrap: %w", err)
	}
	return token, expiresAt, needed, nil
}

// Spend makes user (signed in, with a verified email) the first platform
// admin with the setup token raw, and spends it. A wrong token answers
// ErrBootstrapNotFound after the same work as a spent one, which answers
// ErrBootstrapGone, as does every token once an admin exists. Two
// concurrent calls make exactly one admin: the token's row is locked.
func (b *Bootstrap) Spend(ctx context.Context, user kernel.UserID, raw string) error {
	if raw == "" {
		return errInvalidToken
	}
	// A malformed token hashes like any other and matches nothing, so
	// every wrong token takes the same path.
	given, _ := kernel.HashString(raw)
	verified, err := b.Admins.EmailVerified(ctx, user)
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	err = b.UoW.Tx(ctx, func(ctx context.Context) error {
		t, ok, err := b.Store.Lock(ctx)
		if err != nil {
			return err
		}
		match := ok && kernel.HashesEqual(t.Hash, given)
		n, err := b.Admins.CountPlatformAdmins(ctx)
		switch {
		case err != nil:
			return err
		case !match:
			return ErrBootstrapNotFound
		case n > 0 || t.SpentAt != nil || !b.Clock.Now().Before(t.ExpiresAt):
			return ErrBootstrapGone
		case !verified:
			return ErrEmailNotVerified
		}
		if err := b.Admins.PromoteFirst(ctx, user); err != nil {
			return err
		}
		return b.Store.Spend(ctx, user, b.Clock.Now())
	})
	if err != nil {
		var ke *kernel.Error
		if errors.As(err, &ke) {
			return err
		}
		return fmt.Errorf("bootstrap: %w", err)
	}
	b.Logger.InfoContext(ctx, "first platform admin made by the setup link", "user_id", user.String())
	return nil
}
