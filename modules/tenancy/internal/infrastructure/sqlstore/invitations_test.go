package sqlstore_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func TestInvitationsCreateAndGet(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		invs, ctx := s.Invitations, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)

		i, err := domain.NewInvitation(domain.NewInvitationParams{
			OrganizationID: acme.ID(), Email: " Ana@Example.COM ", Role: "editor", InviterID: newUserID(), TokenHash: newHash(t), Now: t0,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := invs.Create(ctx, i); err != nil {
			t.Fatal(err)
		}
		want := flat(i.Snapshot())
		for _, tt := range []struct {
			name string
			fn   func() (*domain.Invitation, error)
		}{
			{"ByID", func() (*domain.Invitation, error) { return invs.ByID(ctx, acme.ID(), i.ID()) }},
			{"ByIDAnyOrganization", func() (*domain.Invitation, error) { return invs.ByIDAnyOrganization(ctx, i.ID()) }},
			{"ByTokenHash", func() (*domain.Invitation, error) { return invs.ByTokenHash(ctx, i.TokenHash()) }},
			{"PendingFor", func() (*domain.Invitation, error) {
				return invs.PendingFor(ctx, acme.ID(), mustEmail(t, "ana@example.com"))
			}},
		} {
			got, err := tt.fn()
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if flat(got.Snapshot()) != want {
				t.Errorf("%s:\n got %s\nwant %s", tt.name, flat(got.Snapshot()), want)
			}
		}

		theirs := createInvitation(t, s, globex.ID(), "ana@example.com", t0)
		orphan, err := domain.NewInvitation(domain.NewInvitationParams{
			OrganizationID: newOrgID(), Email: "x@example.com", Role: domain.RoleMember, InviterID: newUserID(), TokenHash: newHash(t), Now: t0,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := invs.Create(ctx, orphan); !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("Create in an unknown organization = %v, want ErrOrganizationNotFound", err)
		}

		for _, tt := range []struct {
			name string
			fn   func() error
		}{
			{"ByID unknown", func() error { _, err := invs.ByID(ctx, acme.ID(), kernel.NewID[domain.InvitationKind]()); return err }},
			{"ByID of another organization", func() error { _, err := invs.ByID(ctx, acme.ID(), theirs.ID()); return err }},
			{"ByIDAnyOrganization unknown", func() error {
				_, err := invs.ByIDAnyOrganization(ctx, kernel.NewID[domain.InvitationKind]())
				return err
			}},
			{"ByTokenHash unknown", func() error { _, err := invs.ByTokenHash(ctx, newHash(t)); return err }},
			{"PendingFor another address", func() error {
				_, err := invs.PendingFor(ctx, acme.ID(), mustEmail(t, "bob@example.com"))
				return err
			}},
			{"PendingFor in an unknown organization", func() error {
				_, err := invs.PendingFor(ctx, newOrgID(), mustEmail(t, "ana@example.com"))
				return err
			}},
		} {
			if err := tt.fn(); !errors.Is(err, application.ErrInvitationNotFound) {
				t.Errorf("%s = %v, want ErrInvitationNotFound", tt.name, err)
			}
		}
		if got, err := invs.ByIDAnyOrganization(ctx, theirs.ID()); err != nil || got.OrganizationID() != globex.ID() {
			t.Errorf("ByIDAnyOrganization of globex's = %v, %v", got, err)
		}

		// The schema refuses a token hash that is not 32 bytes.
		_, err = d.QW(ctx).Exec(ctx, `INSERT INTO invitations (id, organization_id, email, role, inviter_id, token_hash, status, expires_at, created_at, updated_at)
			VALUES ($1, $2, 'x@example.com', 'member', $3, $4, 'pending', $5, $5, $5)`,
			kernel.NewID[domain.InvitationKind](), acme.ID(), newUserID(), make([]byte, 31), t0)
		if _, ok := db.IsConstraint(err, db.Check); !ok {
			t.Errorf("a 31-byte token hash: err = %v, want a check violation", err)
		}
	})
}

func mustEmail(t testing.TB, s string) domain.Email {
	t.Helper()
	e, err := domain.ParseEmail(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestInvitationsSave(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		invs, ctx := s.Invitations, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)
		i := createInvitation(t, s, acme.ID(), "ana@example.com", t0)
		oldHash := i.TokenHash()

		// A resend changes the hash, the expiry and the update time.
		resent := t0.Add(8 * 24 * time.Hour)
		if err := i.Resend(newHash(t), resent); err != nil {
			t.Fatal(err)
		}
		if err := invs.Save(ctx, i); err != nil {
			t.Fatal(err)
		}
		got, err := invs.ByTokenHash(ctx, i.TokenHash())
		if err != nil || flat(got.Snapshot()) != flat(i.Snapshot()) {
			t.Errorf("after a resend = %v, %v\nwant %s", got, err, flat(i.Snapshot()))
		}
		if _, err := invs.ByTokenHash(ctx, oldHash); !errors.Is(err, application.ErrInvitationNotFound) {
			t.Errorf("the old token still finds the invitation: %v", err)
		}

		// Acceptance changes the status.
		if err := i.Accept(resent.Add(time.Hour), "ana@example.com"); err != nil {
			t.Fatal(err)
		}
		if err := invs.Save(ctx, i); err != nil {
			t.Fatal(err)
		}
		got, err = invs.ByID(ctx, acme.ID(), i.ID())
		if err != nil || flat(got.Snapshot()) != flat(i.Snapshot()) || got.Status() != domain.InvitationAccepted {
			t.Errorf("after Accept = %v, %v\nwant %s", got, err, flat(i.Snapshot()))
		}

		theirs := createInvitation(t, s, globex.ID(), "bob@example.com", t0).Snapshot()
		theirs.OrganizationID = acme.ID()
		if err := invs.Save(ctx, domain.RehydrateInvitation(theirs)); !errors.Is(err, application.ErrInvitationNotFound) {
			t.Errorf("Save through another organization = %v, want ErrInvitationNotFound", err)
		}
		unknown, err := domain.NewInvitation(domain.NewInvitationParams{
			OrganizationID: acme.ID(), Email: "x@example.com", Role: domain.RoleMember, InviterID: newUserID(), TokenHash: newHash(t), Now: t0,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := invs.Save(ctx, unknown); !errors.Is(err, application.ErrInvitationNotFound) {
			t.Errorf("Save unknown = %v, want ErrInvitationNotFound", err)
		}
	})
}

func TestInvitationsLists(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		invs, ctx := s.Invitations, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)
		at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

		old := createInvitation(t, s, acme.ID(), "ana@example.com", at(0))
		revoked := createInvitation(t, s, acme.ID(), "ana@example.com", at(1))
		if err := revoked.Revoke(at(2)); err != nil {
			t.Fatal(err)
		}
		if err := invs.Save(ctx, revoked); err != nil {
			t.Fatal(err)
		}
		bob := createInvitation(t, s, acme.ID(), "bob@example.com", at(3))
		// Pending but expired: still listed as pending (status, not expiry).
		theirs := createInvitation(t, s, globex.ID(), "ana@example.com", at(-10*24))
		newest := createInvitation(t, s, acme.ID(), "ana@example.com", at(4))

		for _, tt := range []struct {
			name string
			fn   func() ([]*domain.Invitation, error)
			want []domain.InvitationID
		}{
			{"List", func() ([]*domain.Invitation, error) { return invs.List(ctx, acme.ID(), false) },
				[]domain.InvitationID{newest.ID(), bob.ID(), revoked.ID(), old.ID()}},
			{"List pending", func() ([]*domain.Invitation, error) { return invs.List(ctx, acme.ID(), true) },
				[]domain.InvitationID{newest.ID(), bob.ID(), old.ID()}},
			{"List of globex", func() ([]*domain.Invitation, error) { return invs.List(ctx, globex.ID(), true) },
				[]domain.InvitationID{theirs.ID()}},
			{"List of an unknown organization", func() ([]*domain.Invitation, error) { return invs.List(ctx, newOrgID(), false) }, nil},
			{"ListPendingForEmail", func() ([]*domain.Invitation, error) {
				return invs.ListPendingForEmail(ctx, mustEmail(t, "ANA@example.com"))
			}, []domain.InvitationID{newest.ID(), old.ID(), theirs.ID()}},
			{"ListPendingForEmail of nobody", func() ([]*domain.Invitation, error) {
				return invs.ListPendingForEmail(ctx, mustEmail(t, "carol@example.com"))
			}, nil},
		} {
			got, err := tt.fn()
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("%s = %v, want %v", tt.name, ids(got), tt.want)
			}
		}
		got, err := invs.List(ctx, acme.ID(), false)
		if err != nil {
			t.Fatal(err)
		}
		if flat(got[2].Snapshot()) != flat(revoked.Snapshot()) {
			t.Errorf("listed:\n got %s\nwant %s", flat(got[2].Snapshot()), flat(revoked.Snapshot()))
		}

		// PendingFor: the newest pending one of that organization.
		p, err := invs.PendingFor(ctx, acme.ID(), mustEmail(t, "ana@example.com"))
		if err != nil || p.ID() != newest.ID() {
			t.Errorf("PendingFor = %v, %v; want %v", p, err, newest.ID())
		}
		p, err = invs.PendingFor(ctx, globex.ID(), mustEmail(t, "ana@example.com"))
		if err != nil || p.ID() != theirs.ID() {
			t.Errorf("PendingFor an expired pending invitation = %v, %v; want %v", p, err, theirs.ID())
		}
		if err := bob.Revoke(at(5)); err != nil {
			t.Fatal(err)
		}
		if err := invs.Save(ctx, bob); err != nil {
			t.Fatal(err)
		}
		if _, err := invs.PendingFor(ctx, acme.ID(), mustEmail(t, "bob@example.com")); !errors.Is(err, application.ErrInvitationNotFound) {
			t.Errorf("PendingFor after a revocation = %v, want ErrInvitationNotFound", err)
		}
	})
}

func TestInvitationsDeleteClosedBefore(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		invs, ctx := s.Invitations, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		cutoff := t0.Add(30 * 24 * time.Hour)
		day := 24 * time.Hour

		// sent creates an invitation at at and applies change, if any.
		sent := func(at time.Time, change func(i *domain.Invitation) error) *domain.Invitation {
			t.Helper()
			i := createInvitation(t, s, acme.ID(), "ana@example.com", at)
			if change != nil {
				if err := change(i); err != nil {
					t.Fatal(err)
				}
				if err := invs.Save(ctx, i); err != nil {
					t.Fatal(err)
				}
			}
			return i
		}
		closedBefore := sent(cutoff.Add(-2*day), func(i *domain.Invitation) error { return i.Accept(cutoff.Add(-day), "ana@example.com") })
		closedAfter := sent(cutoff.Add(-2*day), func(i *domain.Invitation) error { return i.Revoke(cutoff.Add(time.Hour)) })
		closedAtCutoff := sent(cutoff.Add(-2*day), func(i *domain.Invitation) error { return i.Decline(cutoff) })
		markedExpired := sent(cutoff.Add(-10*day), func(i *domain.Invitation) error {
			if !i.Expire(cutoff.Add(-2 * day)) {
				return errors.New("not expired")
			}
			return nil
		})
		expiredPending := sent(cutoff.Add(-8*day), nil)                  // expires a day before the cutoff
		expiringAtCutoff := sent(cutoff.Add(-domain.InvitationTTL), nil) // expires at the cutoff
		open := sent(cutoff.Add(-2*day), nil)

		n, err := invs.DeleteClosedBefore(ctx, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("DeleteClosedBefore = %d, want 3", n)
		}
		for _, tt := range []struct {
			name string
			i    *domain.Invitation
			gone bool
		}{
			{"closed before the cutoff", closedBefore, true},
			{"marked expired before the cutoff", markedExpired, true},
			{"pending, expired before the cutoff", expiredPending, true},
			{"closed after the cutoff", closedAfter, false},
			{"closed at the cutoff", closedAtCutoff, false},
			{"pending, expiring at the cutoff", expiringAtCutoff, false},
			{"open", open, false},
		} {
			_, err := invs.ByID(ctx, acme.ID(), tt.i.ID())
			if gone := errors.Is(err, application.ErrInvitationNotFound); gone != tt.gone || (!gone && err != nil) {
				t.Errorf("%s: ByID = %v, want gone %v", tt.name, err, tt.gone)
			}
		}
		if n, err := invs.DeleteClosedBefore(ctx, cutoff); err != nil || n != 0 {
			t.Errorf("DeleteClosedBefore again = %d, %v; want 0", n, err)
		}
	})
}
