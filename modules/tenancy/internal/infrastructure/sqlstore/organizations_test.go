package sqlstore_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func newOrgID() kernel.OrganizationID { return kernel.NewID[kernel.OrganizationKind]() }

func TestOrganizationsCreateAndGet(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		orgs, ctx := s.Organizations, context.Background()

		o := createOrg(t, s, "Ação & Co. 🚀", "acao-co", t0)
		got, err := orgs.ByID(ctx, o.ID())
		if err != nil {
			t.Fatal(err)
		}
		if flat(got.Snapshot()) != flat(o.Snapshot()) {
			t.Errorf("ByID:\n got %s\nwant %s", flat(got.Snapshot()), flat(o.Snapshot()))
		}
		got, err = orgs.BySlug(ctx, domain.MustParseSlug(" ACAO-Co "))
		if err != nil || flat(got.Snapshot()) != flat(o.Snapshot()) {
			t.Errorf("BySlug = %v, %v", got, err)
		}
		if _, err := orgs.ByID(ctx, newOrgID()); !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("ByID unknown = %v, want ErrOrganizationNotFound", err)
		}
		if _, err := orgs.BySlug(ctx, domain.MustParseSlug("nobody")); !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("BySlug unknown = %v, want ErrOrganizationNotFound", err)
		}

		dup, err := domain.NewOrganization("Other", "acao-co", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := orgs.Create(ctx, dup); !errors.Is(err, application.ErrSlugTaken) || kernel.KindOf(err) != kernel.KindConflict {
			t.Errorf("Create with a taken slug = %v, want ErrSlugTaken", err)
		}
		if _, err := orgs.ByID(ctx, dup.ID()); !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("a refused organization was stored: %v", err)
		}
	})
}

func TestOrganizationsSave(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		orgs, ctx := s.Organizations, context.Background()
		o := createOrg(t, s, "Acme", "acme", t0)
		other := createOrg(t, s, "Globex", "globex", t0)

		later := t0.Add(time.Hour + 7*time.Microsecond)
		if _, err := o.Rename("Acme Corporation", later); err != nil {
			t.Fatal(err)
		}
		if _, err := o.ChangeSlug("acme-corp", later); err != nil {
			t.Fatal(err)
		}
		if err := orgs.Save(ctx, o); err != nil {
			t.Fatal(err)
		}
		got, err := orgs.ByID(ctx, o.ID())
		if err != nil {
			t.Fatal(err)
		}
		want := o.Snapshot()
		if flat(got.Snapshot()) != flat(want) || want.Name != "Acme Corporation" || want.Slug != "acme-corp" || !want.UpdatedAt.Equal(later) {
			t.Errorf("after Save:\n got %s\nwant %s", flat(got.Snapshot()), flat(want))
		}
		// The old slug is free again.
		createOrg(t, s, "New Acme", "acme", t0)

		if _, err := o.ChangeSlug(other.Slug().String(), later); err != nil {
			t.Fatal(err)
		}
		if err := orgs.Save(ctx, o); !errors.Is(err, application.ErrSlugTaken) {
			t.Errorf("Save with a taken slug = %v, want ErrSlugTaken", err)
		}
		if got, _ := orgs.ByID(ctx, o.ID()); got.Slug().String() != "acme-corp" {
			t.Errorf("slug after a refused Save = %q", got.Slug())
		}

		gone, err := domain.NewOrganization("Gone", "gone", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := orgs.Save(ctx, gone); !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("Save unknown = %v, want ErrOrganizationNotFound", err)
		}
	})
}

func TestOrganizationsDeleteCascades(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		ctx := context.Background()
		user := newUserID()
		// Two organizations with the same kinds of rows; one is deleted.
		type fixture struct {
			org  *domain.Organization
			mem  *domain.Membership
			role *domain.Role
			inv  *domain.Invitation
		}
		seed := func(slug string) fixture {
			o := createOrg(t, s, slug, slug, t0)
			return fixture{
				org:  o,
				mem:  join(t, s, o.ID(), user, "editor", t0),
				role: createRole(t, s, o.ID(), "editor", []string{domain.PermMembersRead}, t0),
				inv:  createInvitation(t, s, o.ID(), "new@example.com", t0),
			}
		}
		doomed, kept := seed("doomed"), seed("kept")

		if err := s.Organizations.Delete(ctx, doomed.org.ID()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Organizations.ByID(ctx, doomed.org.ID()); !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("organization after Delete: %v", err)
		}
		if _, err := s.Memberships.ByUser(ctx, doomed.org.ID(), user); !errors.Is(err, application.ErrMemberNotFound) {
			t.Errorf("membership after Delete: %v", err)
		}
		if _, err := s.Roles.ByID(ctx, doomed.org.ID(), doomed.role.ID()); !errors.Is(err, application.ErrRoleNotFound) {
			t.Errorf("role after Delete: %v", err)
		}
		if _, err := s.Invitations.ByTokenHash(ctx, doomed.inv.TokenHash()); !errors.Is(err, application.ErrInvitationNotFound) {
			t.Errorf("invitation after Delete: %v", err)
		}
		if ms, err := s.Memberships.ListByUser(ctx, user); err != nil || !slices.Equal(ids(ms), []domain.MembershipID{kept.mem.ID()}) {
			t.Errorf("user's memberships after Delete = %v, %v", ids(ms), err)
		}

		// The other organization keeps everything.
		if _, err := s.Organizations.ByID(ctx, kept.org.ID()); err != nil {
			t.Errorf("other organization: %v", err)
		}
		if _, err := s.Roles.ByID(ctx, kept.org.ID(), kept.role.ID()); err != nil {
			t.Errorf("other organization's role: %v", err)
		}
		if _, err := s.Invitations.ByID(ctx, kept.org.ID(), kept.inv.ID()); err != nil {
			t.Errorf("other organization's invitation: %v", err)
		}
		if _, err := s.Memberships.ByID(ctx, kept.org.ID(), kept.mem.ID()); err != nil {
			t.Errorf("other organization's membership: %v", err)
		}

		if err := s.Organizations.Delete(ctx, doomed.org.ID()); !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("Delete twice = %v, want ErrOrganizationNotFound", err)
		}
	})
}

func TestOrganizationsListForUser(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		orgs, ctx := s.Organizations, context.Background()
		user, other := newUserID(), newUserID()

		if got, err := orgs.ListForUser(ctx, user); err != nil || len(got) != 0 {
			t.Fatalf("ListForUser of nobody = %v, %v", got, err)
		}
		// Created out of name order.
		charlie := createOrg(t, s, "Charlie", "charlie", t0)
		alpha := createOrg(t, s, "Alpha", "alpha", t0)
		bravo := createOrg(t, s, "Bravo", "bravo", t0)
		delta := createOrg(t, s, "Delta", "delta", t0)
		mems := map[kernel.OrganizationID]*domain.Membership{
			charlie.ID(): join(t, s, charlie.ID(), user, domain.RoleOwner, t0),
			alpha.ID():   join(t, s, alpha.ID(), user, domain.RoleMember, t0.Add(time.Minute)),
			bravo.ID():   join(t, s, bravo.ID(), user, "editor", t0.Add(2*time.Minute)),
		}
		join(t, s, delta.ID(), other, domain.RoleOwner, t0)
		join(t, s, alpha.ID(), other, domain.RoleAdmin, t0)

		list := func() []kernel.OrganizationID {
			t.Helper()
			got, err := orgs.ListForUser(ctx, user)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]kernel.OrganizationID, len(got))
			for i, om := range got {
				out[i] = om.Organization.ID()
				want := mems[om.Organization.ID()]
				if want == nil {
					t.Fatalf("ListForUser lists %s, not the user's", om.Organization.Slug())
				}
				if flat(om.Membership.Snapshot()) != flat(want.Snapshot()) {
					t.Errorf("membership in %s:\n got %s\nwant %s", om.Organization.Slug(), flat(om.Membership.Snapshot()), flat(want.Snapshot()))
				}
			}
			return out
		}
		// Never used: by name.
		if got, want := list(), []kernel.OrganizationID{alpha.ID(), bravo.ID(), charlie.ID()}; !slices.Equal(got, want) {
			t.Errorf("before any use: %v, want %v", got, want)
		}
		got, err := orgs.ListForUser(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		if flat(got[0].Organization.Snapshot()) != flat(alpha.Snapshot()) {
			t.Errorf("organization:\n got %s\nwant %s", flat(got[0].Organization.Snapshot()), flat(alpha.Snapshot()))
		}

		// Used ones first, most recent first; the never used after them.
		touch := func(o *domain.Organization, at time.Time) {
			t.Helper()
			if err := s.Memberships.Touch(ctx, o.ID(), user, at); err != nil {
				t.Fatal(err)
			}
		}
		touch(charlie, t0.Add(time.Hour))
		touch(bravo, t0.Add(2*time.Hour))
		if got, want := list(), []kernel.OrganizationID{bravo.ID(), charlie.ID(), alpha.ID()}; !slices.Equal(got, want) {
			t.Errorf("after two uses: %v, want %v", got, want)
		}
		touch(charlie, t0.Add(3*time.Hour))
		if got, want := list(), []kernel.OrganizationID{charlie.ID(), bravo.ID(), alpha.ID()}; !slices.Equal(got, want) {
			t.Errorf("after a third use: %v, want %v", got, want)
		}
	})
}

func TestOrganizationsLock(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		orgs, ctx := s.Organizations, context.Background()
		o := createOrg(t, s, "Acme", "acme", t0)

		err := d.Tx(ctx, func(ctx context.Context) error { return orgs.Lock(ctx, newOrgID()) })
		if !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("Lock unknown = %v, want ErrOrganizationNotFound", err)
		}

		// While one transaction holds the lock, another cannot take it: it
		// waits until its context gives up.
		err = d.Tx(ctx, func(ctx context.Context) error {
			if err := orgs.Lock(ctx, o.ID()); err != nil {
				return err
			}
			waitCtx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			errc := make(chan error, 1)
			go func() {
				errc <- d.Tx(waitCtx, func(ctx context.Context) error { return orgs.Lock(ctx, o.ID()) })
			}()
			if err := <-errc; err == nil {
				t.Error("a second transaction locked the organization while the first held it")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Released at commit.
		if err := d.Tx(ctx, func(ctx context.Context) error { return orgs.Lock(ctx, o.ID()) }); err != nil {
			t.Errorf("Lock after the holder committed: %v", err)
		}
	})
}

// TestOrganizationsLockGuardsOwners races two demotions of an owner per
// organization, each in its own transaction behind Lock and the owners
// count: exactly one of them may go through.
func TestOrganizationsLockGuardsOwners(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		type org struct {
			id     kernel.OrganizationID
			owners [2]*domain.Membership
		}
		var all []org
		for _, slug := range []string{"acme", "globex"} {
			o := createOrg(t, s, slug, slug, t0)
			all = append(all, org{id: o.ID(), owners: [2]*domain.Membership{
				join(t, s, o.ID(), newUserID(), domain.RoleOwner, t0),
				join(t, s, o.ID(), newUserID(), domain.RoleOwner, t0),
			}})
			join(t, s, o.ID(), newUserID(), domain.RoleMember, t0)
		}

		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, o := range all {
			for _, m := range o.owners {
				wg.Go(func() {
					<-start
					err := d.Tx(ctx, func(ctx context.Context) error {
						if err := s.Organizations.Lock(ctx, o.id); err != nil {
							return err
						}
						owners, err := s.Memberships.CountRole(ctx, o.id, domain.RoleOwner)
						if err != nil {
							return err
						}
						if err := domain.EnsureOwnerRemains(owners, domain.OwnerRemoved); err != nil {
							return nil // the other demotion won
						}
						if _, err := m.ChangeRole(domain.RoleMember); err != nil {
							return err
						}
						return s.Memberships.Save(ctx, m)
					})
					if err != nil {
						t.Error(err)
					}
				})
			}
		}
		close(start)
		wg.Wait()
		for _, o := range all {
			n, err := s.Memberships.CountRole(ctx, o.id, domain.RoleOwner)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("organization %s has %d owners, want 1", o.id, n)
			}
		}
	})
}

// TestOrganizationsLogo: every read of an organization carries its logo,
// and no logo is stored as NULL.
func TestOrganizationsLogo(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		orgs, ctx := s.Organizations, context.Background()
		o := createOrg(t, s, "Acme", "acme", t0)
		user := newUserID()
		join(t, s, o.ID(), user, domain.RoleOwner, t0)

		// reads returns what each read answers of o.
		reads := func() map[string]domain.OrganizationSnapshot {
			t.Helper()
			out := map[string]domain.OrganizationSnapshot{}
			byID, err := orgs.ByID(ctx, o.ID())
			if err != nil {
				t.Fatal(err)
			}
			out["ByID"] = byID.Snapshot()
			bySlug, err := orgs.BySlug(ctx, o.Slug())
			if err != nil {
				t.Fatal(err)
			}
			out["BySlug"] = bySlug.Snapshot()
			mine, err := orgs.ListForUser(ctx, user)
			if err != nil || len(mine) != 1 {
				t.Fatalf("ListForUser = %v, %v", mine, err)
			}
			out["ListForUser"] = mine[0].Organization.Snapshot()
			all, err := orgs.Search(ctx, application.OrganizationQuery{})
			if err != nil || len(all) != 1 {
				t.Fatalf("Search = %v, %v", all, err)
			}
			out["Search"] = all[0].Organization.Snapshot()
			sum, err := orgs.Summary(ctx, o.ID())
			if err != nil {
				t.Fatal(err)
			}
			out["Summary"] = sum.Organization.Snapshot()
			return out
		}
		// stored checks what o's logo column holds: NULL for no logo.
		stored := func(want string) {
			t.Helper()
			var logo *string
			if err := d.Q(ctx).QueryRow(ctx, `SELECT logo FROM organizations WHERE id = $1`, o.ID()).Scan(&logo); err != nil {
				t.Fatal(err)
			}
			if (want == "") != (logo == nil) || (logo != nil && *logo != want) {
				t.Errorf("logo column = %v, want %q (NULL for none)", logo, want)
			}
		}
		check := func(want string) {
			t.Helper()
			for read, got := range reads() {
				if flat(got) != flat(o.Snapshot()) || got.Logo != want {
					t.Errorf("%s:\n got %s\nwant %s", read, flat(got), flat(o.Snapshot()))
				}
			}
			stored(want)
		}

		check("")
		const url = "https://cdn.example.com/logos/acme.png"
		later := t0.Add(time.Minute)
		if changed, err := o.ChangeLogo(url, later); err != nil || !changed {
			t.Fatalf("ChangeLogo = %v, %v", changed, err)
		}
		if err := orgs.Save(ctx, o); err != nil {
			t.Fatal(err)
		}
		check(url)

		if changed, err := o.ChangeLogo("", later.Add(time.Minute)); err != nil || !changed {
			t.Fatalf("ChangeLogo(\"\") = %v, %v", changed, err)
		}
		if err := orgs.Save(ctx, o); err != nil {
			t.Fatal(err)
		}
		check("")

		// A new organization with a logo (a rehydrated one: NewOrganization
		// makes none) stores it on Create.
		snap := domain.OrganizationSnapshot{ID: newOrgID(), Name: "Globex", Slug: "globex", Logo: url, CreatedAt: t0, UpdatedAt: t0}
		if err := orgs.Create(ctx, domain.RehydrateOrganization(snap)); err != nil {
			t.Fatal(err)
		}
		if got, err := orgs.ByID(ctx, snap.ID); err != nil || flat(got.Snapshot()) != flat(snap) {
			t.Errorf("created with a logo: %v, %v", got, err)
		}
	})
}
