package sqlstore_test

import (
	"cmp"
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

// newestFirst sorts os as Search orders them: by creation time, then by
// ID, both descending.
func newestFirst(os ...*domain.Organization) []kernel.OrganizationID {
	os = slices.Clone(os)
	slices.SortFunc(os, func(a, b *domain.Organization) int {
		if c := b.CreatedAt().Truncate(time.Microsecond).Compare(a.CreatedAt().Truncate(time.Microsecond)); c != 0 {
			return c
		}
		return cmp.Compare(b.ID().String(), a.ID().String())
	})
	return ids(os)
}

func intp(n int) *int { return &n }

func TestOrganizationsSearch(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		orgs, ctx := s.Organizations, context.Background()

		// Two organizations created at the same instant, so the ID breaks
		// the tie; members 3 (one suspended), 1, 2, 1 and 0.
		acme := createOrg(t, s, "ACME Corp", "acme", t0)
		club := createOrg(t, s, "100%_Club", "club", t0)
		beta := createOrg(t, s, "Beta", "acme-beta", t0.Add(time.Hour))
		gamma := createOrg(t, s, "Gamma", "gamma", t0.Add(2*time.Hour))
		angela := createOrg(t, s, "Ângela's", "angela", t0.Add(3*time.Hour))
		counts := map[kernel.OrganizationID]int{acme.ID(): 3, club.ID(): 1, beta.ID(): 2, gamma.ID(): 1, angela.ID(): 0}
		for org, n := range counts {
			for i := range n {
				role := domain.RoleMember
				if i == 0 {
					role = domain.RoleOwner
				}
				m := join(t, s, org, newUserID(), role, t0)
				if org == acme.ID() && i == 2 {
					m.Suspend(t0)
					if err := s.Memberships.Save(ctx, m); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		all := newestFirst(acme, club, beta, gamma, angela)

		search := func(q application.OrganizationQuery) []kernel.OrganizationID {
			t.Helper()
			got, err := orgs.Search(ctx, q)
			if err != nil {
				t.Fatalf("Search(%+v): %v", q, err)
			}
			out := make([]kernel.OrganizationID, len(got))
			for i, sum := range got {
				out[i] = sum.Organization.ID()
				if want := counts[sum.Organization.ID()]; sum.MemberCount != want {
					t.Errorf("%s has %d members, want %d", sum.Organization.Slug(), sum.MemberCount, want)
				}
			}
			return out
		}

		// Every field reads back.
		byID := map[kernel.OrganizationID]*domain.Organization{}
		for _, o := range []*domain.Organization{acme, club, beta, gamma, angela} {
			byID[o.ID()] = o
		}
		got, err := orgs.Search(ctx, application.OrganizationQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, sum := range got {
			if want := byID[sum.Organization.ID()]; want == nil || flat(sum.Organization.Snapshot()) != flat(want.Snapshot()) {
				t.Errorf("Search read %s", flat(sum.Organization.Snapshot()))
			}
		}

		for _, tc := range []struct {
			name string
			q    application.OrganizationQuery
			want []kernel.OrganizationID
		}{
			{"everything, newest first", application.OrganizationQuery{}, all},
			{"name or slug, any case", application.OrganizationQuery{Search: "  acme "}, newestFirst(acme, beta)},
			{"upper case", application.OrganizationQuery{Search: "ACME"}, newestFirst(acme, beta)},
			{"slug only", application.OrganizationQuery{Search: "acme-b"}, newestFirst(beta)},
			{"% is literal", application.OrganizationQuery{Search: "%"}, newestFirst(club)},
			{"_ is literal", application.OrganizationQuery{Search: "_c"}, newestFirst(club)},
			{"a wildcard that would match", application.OrganizationQuery{Search: "a%"}, nil},
			{"non-ASCII as typed", application.OrganizationQuery{Search: "Ângela"}, newestFirst(angela)},
			{"nothing", application.OrganizationQuery{Search: "zzz"}, nil},
			{"at least 2 members", application.OrganizationQuery{MinMembers: intp(2)}, newestFirst(acme, beta)},
			{"no members", application.OrganizationQuery{MaxMembers: intp(0)}, newestFirst(angela)},
			{"exactly 1 member", application.OrganizationQuery{MinMembers: intp(1), MaxMembers: intp(1)}, newestFirst(club, gamma)},
			{"created from (inclusive)", application.OrganizationQuery{CreatedFrom: t0.Add(time.Hour)}, newestFirst(beta, gamma, angela)},
			{"created to (exclusive)", application.OrganizationQuery{CreatedTo: t0.Add(2 * time.Hour)}, newestFirst(acme, club, beta)},
			{"everything at once", application.OrganizationQuery{
				Search: "a", MinMembers: intp(1), MaxMembers: intp(3), CreatedFrom: t0, CreatedTo: t0.Add(3 * time.Hour),
				After: &application.OrganizationCursor{CreatedAt: t0.Add(2 * time.Hour), ID: gamma.ID()}, Limit: 10,
			}, newestFirst(acme, beta)},
		} {
			if got := search(tc.q); !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}

		// Pages of one, so that a page ends inside the tie: what is created
		// meanwhile, newer than the cursor or tied with it, makes no page
		// repeat or skip an organization that was there.
		var paged []kernel.OrganizationID
		created := map[kernel.OrganizationID]bool{}
		var after *application.OrganizationCursor
		for page := 0; page < 20; page++ {
			got, err := orgs.Search(ctx, application.OrganizationQuery{After: after, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				break
			}
			last := got[0].Organization
			if !created[last.ID()] {
				paged = append(paged, last.ID())
			}
			after = &application.OrganizationCursor{CreatedAt: last.CreatedAt(), ID: last.ID()}
			suffix := string(rune('a' + page))
			for _, o := range []*domain.Organization{
				createOrg(t, s, "Newer", "newer-"+suffix, t0.Add(time.Duration(10+page)*time.Hour)),
				createOrg(t, s, "Tied", "tied-"+suffix, t0),
			} {
				created[o.ID()], counts[o.ID()] = true, 0
			}
		}
		if !slices.Equal(paged, all) {
			t.Errorf("pages = %v, want %v", paged, all)
		}

		// Summary: one organization's count.
		sum, err := orgs.Summary(ctx, acme.ID())
		if err != nil || sum.MemberCount != 3 || flat(sum.Organization.Snapshot()) != flat(acme.Snapshot()) {
			t.Errorf("Summary(acme) = %+v, %v", sum, err)
		}
		if _, err := orgs.Summary(ctx, newOrgID()); !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("Summary of nothing = %v, want ErrOrganizationNotFound", err)
		}
	})
}

func TestMembershipsListRole(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		ctx := context.Background()
		org, other := createOrg(t, s, "Acme", "acme", t0), createOrg(t, s, "Other", "other", t0)
		first := join(t, s, org.ID(), newUserID(), domain.RoleOwner, t0)
		join(t, s, org.ID(), newUserID(), domain.RoleAdmin, t0)
		second := join(t, s, org.ID(), newUserID(), domain.RoleOwner, t0)
		second.Suspend(t0)
		if err := s.Memberships.Save(ctx, second); err != nil {
			t.Fatal(err)
		}
		join(t, s, other.ID(), newUserID(), domain.RoleOwner, t0)

		got, err := s.Memberships.ListRole(ctx, org.ID(), domain.RoleOwner)
		if err != nil {
			t.Fatal(err)
		}
		if want := []domain.MembershipID{first.ID(), second.ID()}; !slices.Equal(ids(got), want) {
			t.Errorf("owners = %v, want %v (suspended included, by ID)", ids(got), want)
		}
		if len(got) == 2 && !got[1].Suspended() {
			t.Errorf("the suspended owner reads back active")
		}
	})
}
