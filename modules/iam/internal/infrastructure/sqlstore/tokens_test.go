package sqlstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
	"github.com/groundworkhq/groundwork/modules/iam/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// createToken stores a token of purpose for u issued at at.
func createToken(t *testing.T, s *sqlstore.Store, u *domain.User, p domain.VerificationPurpose, at time.Time) *domain.VerificationToken {
	t.Helper()
	v, err := domain.NewVerificationToken(p, u.ID(), u.Email(), newToken(t), at)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Tokens.Create(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	return v
}

// exists reports whether the token is still stored.
func exists(t *testing.T, s *sqlstore.Store, v *domain.VerificationToken) bool {
	t.Helper()
	_, err := s.Tokens.ByHash(context.Background(), v.TokenHash())
	if err != nil && !errors.Is(err, application.ErrTokenNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func TestTokensCreateAndByHash(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		tokens, ctx := s.Tokens, context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		for _, p := range []domain.VerificationPurpose{domain.PurposeEmailVerification, domain.PurposePasswordReset, domain.PurposeSetPassword} {
			v := createToken(t, s, u, p, t0.Add(123456*time.Microsecond))
			got, err := tokens.ByHash(ctx, v.TokenHash())
			if err != nil {
				t.Fatal(err)
			}
			if flat(got.Snapshot()) != flat(v.Snapshot()) || !got.IssuedFor(u.Email()) {
				t.Errorf("ByHash:\n got %s\nwant %s", flat(got.Snapshot()), flat(v.Snapshot()))
			}
		}
		if _, err := tokens.ByHash(ctx, newToken(t).Hash()); !errors.Is(err, application.ErrTokenNotFound) {
			t.Errorf("unknown hash = %v, want ErrTokenNotFound", err)
		}
		orphan, err := domain.NewVerificationToken(domain.PurposePasswordReset, kernel.NewID[kernel.UserKind](), u.Email(), newToken(t), t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := tokens.Create(ctx, orphan); !errors.Is(err, application.ErrUserNotFound) {
			t.Errorf("token of an unknown user = %v, want ErrUserNotFound", err)
		}
	})
}

func TestTokensMarkUsedOnce(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		tokens, ctx := s.Tokens, context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		v := createToken(t, s, u, domain.PurposePasswordReset, t0)

		const workers = 10
		var (
			wg   sync.WaitGroup
			won  atomic.Int32
			used = t0.Add(time.Minute)
		)
		for i := range workers {
			wg.Go(func() {
				ok, err := tokens.MarkUsed(ctx, v.ID(), used.Add(time.Duration(i)*time.Microsecond))
				if err != nil {
					t.Error(err)
				}
				if ok {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		if n := won.Load(); n != 1 {
			t.Errorf("%d of %d concurrent MarkUsed succeeded, want exactly 1", n, workers)
		}
		got, err := tokens.ByHash(ctx, v.TokenHash())
		if err != nil {
			t.Fatal(err)
		}
		if at, ok := got.UsedAt(); !ok || at.Before(used) || at.After(used.Add(workers*time.Microsecond)) {
			t.Errorf("UsedAt = %v, %v", at, ok)
		}
		if ok, err := tokens.MarkUsed(ctx, v.ID(), t0.Add(time.Hour)); ok || err != nil {
			t.Errorf("MarkUsed again = %v, %v; want false", ok, err)
		}
		if ok, err := tokens.MarkUsed(ctx, kernel.NewID[domain.VerificationTokenKind](), t0); ok || err != nil {
			t.Errorf("MarkUsed unknown = %v, %v; want false", ok, err)
		}
	})
}

func TestTokensDeleteForUser(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		tokens, ctx := s.Tokens, context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		other := createUser(t, s, "bob@example.com", "Bob")
		reset1 := createToken(t, s, u, domain.PurposePasswordReset, t0)
		reset2 := createToken(t, s, u, domain.PurposePasswordReset, t0.Add(time.Minute))
		usedReset := createToken(t, s, u, domain.PurposePasswordReset, t0)
		if ok, err := tokens.MarkUsed(ctx, usedReset.ID(), t0.Add(time.Minute)); !ok || err != nil {
			t.Fatal(ok, err)
		}
		verify := createToken(t, s, u, domain.PurposeEmailVerification, t0)
		theirs := createToken(t, s, other, domain.PurposePasswordReset, t0)

		if err := tokens.DeleteForUser(ctx, u.ID(), domain.PurposePasswordReset); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name string
			v    *domain.VerificationToken
			want bool
		}{
			{"unused reset", reset1, false},
			{"another unused reset", reset2, false},
			{"used reset", usedReset, true},
			{"another purpose", verify, true},
			{"another user's", theirs, true},
		} {
			if got := exists(t, s, tt.v); got != tt.want {
				t.Errorf("%s: exists = %v, want %v", tt.name, got, tt.want)
			}
		}
	})
}

func TestTokensDeleteExpired(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		tokens, ctx := s.Tokens, context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		now := t0.Add(2 * time.Hour)
		expired := createToken(t, s, u, domain.PurposePasswordReset, t0)              // expired at t0+1h
		atEnd := createToken(t, s, u, domain.PurposePasswordReset, t0.Add(time.Hour)) // expires exactly now
		used := createToken(t, s, u, domain.PurposeEmailVerification, t0)             // live, but used
		if ok, err := tokens.MarkUsed(ctx, used.ID(), t0.Add(time.Minute)); !ok || err != nil {
			t.Fatal(ok, err)
		}
		live := createToken(t, s, u, domain.PurposeEmailVerification, t0)

		n, err := tokens.DeleteExpired(ctx, now)
		if err != nil || n != 3 {
			t.Errorf("DeleteExpired = %d, %v; want 3", n, err)
		}
		for _, v := range []*domain.VerificationToken{expired, atEnd, used} {
			if exists(t, s, v) {
				t.Errorf("token %s (%s) survived", v.ID(), flat(v.Snapshot()))
			}
		}
		if !exists(t, s, live) {
			t.Error("a live, unused token was deleted")
		}
	})
}
