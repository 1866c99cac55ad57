package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func TestMembershipsCreateAndGet(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		mems, ctx := s.Memberships, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)
		user := newUserID()

		m := join(t, s, acme.ID(), user, domain.RoleAdmin, t0)
		got, err := mems.ByUser(ctx, acme.ID(), user)
		if err != nil {
			t.Fatal(err)
		}
		if flat(got.Snapshot()) != flat(m.Snapshot()) {
			t.Errorf("ByUser:\n got %s\nwant %s", flat(got.Snapshot()), flat(m.Snapshot()))
		}
		got, err = mems.ByID(ctx, acme.ID(), m.ID())
		if err != nil || flat(got.Snapshot()) != flat(m.Snapshot()) {
			t.Errorf("ByID = %v, %v", got, err)
		}

		// The same user in another organization is another membership.
		other := join(t, s, globex.ID(), user, domain.RoleMember, t0)

		dup, err := domain.NewMembership(acme.ID(), user, domain.RoleMember, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := mems.Create(ctx, dup); !errors.Is(err, application.ErrAlreadyMember) || kernel.KindOf(err) != kernel.KindConflict {
			t.Errorf("Create twice = %v, want ErrAlreadyMember", err)
		}
		orphan, err := domain.NewMembership(newOrgID(), user, domain.RoleMember, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := mems.Create(ctx, orphan); !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("Create in an unknown organization = %v, want ErrOrganizationNotFound", err)
		}

		for _, tt := range []struct {
			name string
			fn   func() error
		}{
			{"ByUser, not a member", func() error { _, err := mems.ByUser(ctx, acme.ID(), newUserID()); return err }},
			{"ByUser, unknown organization", func() error { _, err := mems.ByUser(ctx, newOrgID(), user); return err }},
			{"ByID unknown", func() error { _, err := mems.ByID(ctx, acme.ID(), kernel.NewID[domain.MembershipKind]()); return err }},
			{"ByID of another organization", func() error { _, err := mems.ByID(ctx, acme.ID(), other.ID()); return err }},
		} {
			if err := tt.fn(); !errors.Is(err, application.ErrMemberNotFound) {
				t.Errorf("%s = %v, want ErrMemberNotFound", tt.name, err)
			}
		}
	})
}

func TestMembershipsSaveAndDelete(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		mems, ctx := s.Memberships, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)
		m := join(t, s, acme.ID(), newUserID(), domain.RoleMember, t0)
		theirs := join(t, s, globex.ID(), newUserID(), domain.RoleMember, t0)

		if _, err := m.ChangeRole(domain.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		m.Suspend(t0.Add(time.Hour))
		if err := mems.Save(ctx, m); err != nil {
			t.Fatal(err)
		}
		got, err := mems.ByID(ctx, acme.ID(), m.ID())
		if err != nil || flat(got.Snapshot()) != flat(m.Snapshot()) || got.Role() != domain.RoleAdmin || !got.Suspended() {
			t.Errorf("after Save = %v, %v", got, err)
		}
		unknown, err := domain.NewMembership(acme.ID(), newUserID(), domain.RoleOwner, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := mems.Save(ctx, unknown); !errors.Is(err, application.ErrMemberNotFound) {
			t.Errorf("Save unknown = %v, want ErrMemberNotFound", err)
		}

		// Another organization's membership cannot be deleted through acme.
		if err := mems.Delete(ctx, acme.ID(), theirs.ID()); !errors.Is(err, application.ErrMemberNotFound) {
			t.Errorf("Delete of another organization's = %v, want ErrMemberNotFound", err)
		}
		if _, err := mems.ByID(ctx, globex.ID(), theirs.ID()); err != nil {
			t.Errorf("another organization's membership after a refused Delete: %v", err)
		}
		if err := mems.Delete(ctx, acme.ID(), m.ID()); err != nil {
			t.Fatal(err)
		}
		if _, err := mems.ByID(ctx, acme.ID(), m.ID()); !errors.Is(err, application.ErrMemberNotFound) {
			t.Errorf("ByID after Delete = %v", err)
		}
		if err := mems.Delete(ctx, acme.ID(), m.ID()); !errors.Is(err, application.ErrMemberNotFound) {
			t.Errorf("Delete twice = %v, want ErrMemberNotFound", err)
		}
		if err := mems.Save(ctx, m); !errors.Is(err, application.ErrMemberNotFound) {
			t.Errorf("Save after Delete = %v, want ErrMemberNotFound", err)
		}
	})
}

func TestMembershipsList(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		mems, ctx := s.Memberships, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)
		var all []*domain.Membership // created in ID order
		for i := range 5 {
			all = append(all, join(t, s, acme.ID(), newUserID(), domain.RoleMember, t0.Add(time.Duration(i)*time.Second)))
		}
		shared := all[2].UserID()
		join(t, s, globex.ID(), shared, domain.RoleOwner, t0)
		join(t, s, globex.ID(), newUserID(), domain.RoleOwner, t0)

		list := func(q application.MemberQuery) []*domain.Membership {
			t.Helper()
			got, err := mems.List(ctx, acme.ID(), q)
			if err != nil {
				t.Fatalf("List(%+v): %v", q, err)
			}
			return got
		}
		got := list(application.MemberQuery{})
		if len(got) != len(all) {
			t.Fatalf("List = %d memberships, want %d", len(got), len(all))
		}
		for i := range got {
			if flat(got[i].Snapshot()) != flat(all[i].Snapshot()) {
				t.Errorf("List[%d]:\n got %s\nwant %s", i, flat(got[i].Snapshot()), flat(all[i].Snapshot()))
			}
		}
		allIDs := ids(all)
		for _, tt := range []struct {
			name string
			q    application.MemberQuery
			want []domain.MembershipID
		}{
			{"first page", application.MemberQuery{Limit: 2}, allIDs[:2]},
			{"second page", application.MemberQuery{Limit: 2, After: allIDs[1]}, allIDs[2:4]},
			{"last page", application.MemberQuery{Limit: 2, After: allIDs[3]}, allIDs[4:]},
			{"after the end", application.MemberQuery{Limit: 2, After: allIDs[4]}, nil},
			{"no limit", application.MemberQuery{After: allIDs[0]}, allIDs[1:]},
		} {
			if got := ids(list(tt.q)); !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			}
		}
		if got, err := mems.List(ctx, newOrgID(), application.MemberQuery{}); err != nil || len(got) != 0 {
			t.Errorf("List of an unknown organization = %v, %v", got, err)
		}

		// ListUserIDs: acme's users only, in user ID order.
		var wantUsers []kernel.UserID
		for _, m := range all {
			wantUsers = append(wantUsers, m.UserID())
		}
		slices.SortFunc(wantUsers, func(a, b kernel.UserID) int { return strings.Compare(a.String(), b.String()) })
		if got, err := mems.ListUserIDs(ctx, acme.ID()); err != nil || !slices.Equal(got, wantUsers) {
			t.Errorf("ListUserIDs = %v, %v; want %v", got, err, wantUsers)
		}

		// ListByUser: across organizations.
		got, err := mems.ListByUser(ctx, shared)
		if err != nil {
			t.Fatal(err)
		}
		var orgsOf []kernel.OrganizationID
		for _, m := range got {
			orgsOf = append(orgsOf, m.OrganizationID())
			if m.UserID() != shared {
				t.Errorf("ListByUser lists %s", flat(m.Snapshot()))
			}
		}
		if !slices.Equal(orgsOf, []kernel.OrganizationID{acme.ID(), globex.ID()}) {
			t.Errorf("ListByUser organizations = %v", orgsOf)
		}
		if got, err := mems.ListByUser(ctx, newUserID()); err != nil || len(got) != 0 {
			t.Errorf("ListByUser of nobody = %v, %v", got, err)
		}

		// The limit is capped.
		err = d.Tx(ctx, func(ctx context.Context) error {
			for range sqlstore.MaxListLimit {
				m, err := domain.NewMembership(acme.ID(), newUserID(), domain.RoleMember, t0)
				if err != nil {
					return err
				}
				if err := mems.Create(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{0, -1, sqlstore.MaxListLimit + 1, sqlstore.MaxListLimit} {
			if got := list(application.MemberQuery{Limit: limit}); len(got) != sqlstore.MaxListLimit {
				t.Errorf("Limit %d: %d memberships, want %d", limit, len(got), sqlstore.MaxListLimit)
			}
		}
	})
}

func TestMembershipsCountAndRenameRole(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		mems, ctx := s.Memberships, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)
		for _, role := range []string{domain.RoleOwner, domain.RoleOwner, "editor", "editor", "editor", domain.RoleMember} {
			join(t, s, acme.ID(), newUserID(), role, t0)
		}
		globexEditor := join(t, s, globex.ID(), newUserID(), "editor", t0)

		count := func(org kernel.OrganizationID, role string) int {
			t.Helper()
			n, err := mems.CountRole(ctx, org, role)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		for role, want := range map[string]int{domain.RoleOwner: 2, "editor": 3, domain.RoleMember: 1, domain.RoleAdmin: 0} {
			if got := count(acme.ID(), role); got != want {
				t.Errorf("CountRole(%s) = %d, want %d", role, got, want)
			}
		}
		if got := count(newOrgID(), domain.RoleOwner); got != 0 {
			t.Errorf("CountRole of an unknown organization = %d", got)
		}

		if err := mems.RenameRole(ctx, acme.ID(), "editor", "writer"); err != nil {
			t.Fatal(err)
		}
		if e, w := count(acme.ID(), "editor"), count(acme.ID(), "writer"); e != 0 || w != 3 {
			t.Errorf("after RenameRole: editor %d, writer %d; want 0, 3", e, w)
		}
		if got, err := mems.ByID(ctx, globex.ID(), globexEditor.ID()); err != nil || got.Role() != "editor" {
			t.Errorf("another organization's member after RenameRole = %v, %v", got, err)
		}
		if err := mems.RenameRole(ctx, acme.ID(), "nobody", "writer"); err != nil {
			t.Errorf("RenameRole of a role no one holds: %v", err)
		}
	})
}

func TestMembershipsTouchAndMostRecent(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		mems, ctx := s.Memberships, context.Background()
		user := newUserID()
		a := createOrg(t, s, "A", "org-a", t0)
		b := createOrg(t, s, "B", "org-b", t0)
		c := createOrg(t, s, "C", "org-c", t0)

		mostRecent := func() kernel.OrganizationID {
			t.Helper()
			org, err := mems.MostRecent(ctx, user)
			if err != nil {
				t.Fatal(err)
			}
			return org
		}
		if _, err := mems.MostRecent(ctx, user); !errors.Is(err, application.ErrMemberNotFound) {
			t.Errorf("MostRecent of a user in no organization = %v, want ErrMemberNotFound", err)
		}
		join(t, s, a.ID(), user, domain.RoleOwner, t0.Add(2*time.Minute))
		join(t, s, b.ID(), user, domain.RoleMember, t0.Add(3*time.Minute)) // joined last
		join(t, s, c.ID(), user, domain.RoleMember, t0.Add(time.Minute))
		join(t, s, c.ID(), newUserID(), domain.RoleOwner, t0.Add(time.Hour))
		if got := mostRecent(); got != b.ID() {
			t.Errorf("never used: MostRecent = %v, want the one joined last %v", got, b.ID())
		}

		touch := func(o *domain.Organization, u kernel.UserID, at time.Time) {
			t.Helper()
			if err := mems.Touch(ctx, o.ID(), u, at); err != nil {
				t.Fatal(err)
			}
		}
		touch(c, user, t0.Add(time.Hour))
		if got := mostRecent(); got != c.ID() {
			t.Errorf("after using c: MostRecent = %v, want %v", got, c.ID())
		}
		// Microseconds apart, and one in another zone.
		touch(a, user, t0.Add(time.Hour+time.Microsecond).In(time.FixedZone("BRT", -3*3600)))
		if got := mostRecent(); got != a.ID() {
			t.Errorf("after using a: MostRecent = %v, want %v", got, a.ID())
		}
		// Someone else's use changes nothing for user; nor does a non-member's.
		touch(c, newUserID(), t0.Add(10*time.Hour))
		touch(b, newUserID(), t0.Add(10*time.Hour))
		if got := mostRecent(); got != a.ID() {
			t.Errorf("after others' use: MostRecent = %v, want %v", got, a.ID())
		}
		// Touch of an organization user is not in: no error.
		touch(createOrg(t, s, "D", "org-d", t0), user, t0.Add(20*time.Hour))
		if got := mostRecent(); got != a.ID() {
			t.Errorf("after touching a non-membership: MostRecent = %v, want %v", got, a.ID())
		}
	})
}

func TestMembershipsAccess(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		mems, ctx := s.Memberships, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)
		editorPerms := []string{domain.PermMembersRead, domain.PermMembersInvite, "users:read"}
		createRole(t, s, acme.ID(), "editor", editorPerms, t0)
		createRole(t, s, acme.ID(), "empty", nil, t0)
		// globex has an "auditor" role; acme does not.
		createRole(t, s, globex.ID(), "auditor", []string{domain.PermRolesRead}, t0)

		tests := []struct {
			name   string
			role   string
			custom bool
			perms  []string
		}{
			{"owner", domain.RoleOwner, false, nil},
			{"admin", domain.RoleAdmin, false, nil},
			{"member", domain.RoleMember, false, nil},
			{"custom role", "editor", true, editorPerms},
			{"custom role without permissions", "empty", true, []string{}},
			{"another organization's role name", "auditor", false, nil},
		}
		for _, tt := range tests {
			m := join(t, s, acme.ID(), newUserID(), tt.role, t0)
			a, err := mems.Access(ctx, acme.ID(), m.UserID())
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			perms, custom := a.Permissions, a.Custom
			if a.Role != m.Role() {
				t.Errorf("%s: role %q, want %q", tt.name, a.Role, m.Role())
			}
			want := slices.Sorted(slices.Values(tt.perms))
			if custom != tt.custom || fmt.Sprint(perms) != fmt.Sprint(want) || (perms == nil) != (tt.perms == nil) {
				t.Errorf("%s: permissions %q (nil: %v), custom %v; want %q, %v", tt.name, perms, perms == nil, custom, want, tt.custom)
			}
		}

		outsider := newUserID()
		join(t, s, globex.ID(), outsider, "auditor", t0)
		if _, err := mems.Access(ctx, acme.ID(), outsider); !errors.Is(err, application.ErrMemberNotFound) {
			t.Errorf("Access of another organization's member = %v, want ErrMemberNotFound", err)
		}
		if _, err := mems.Access(ctx, newOrgID(), outsider); !errors.Is(err, application.ErrMemberNotFound) {
			t.Errorf("Access to an unknown organization = %v, want ErrMemberNotFound", err)
		}
		a, err := mems.Access(ctx, globex.ID(), outsider)
		if err != nil || !a.Custom || !slices.Equal(a.Permissions, []string{domain.PermRolesRead}) {
			t.Errorf("Access with globex's own role = %+v, %v", a, err)
		}
	})
}

// TestMembersVersion: every write to an organization's member list moves
// its members version on, and only its own; a profile change moves every
// organization of the user.
func TestMembersVersion(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		mems, ctx := s.Memberships, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)
		ann := newUserID()
		join(t, s, globex.ID(), ann, domain.RoleOwner, t0)
		version := func(org kernel.OrganizationID) int64 {
			t.Helper()
			a, err := mems.Access(ctx, org, ann)
			if err != nil {
				t.Fatal(err)
			}
			return a.MembersVersion
		}
		steps := []struct {
			name string
			do   func() error
		}{
			{"create", func() error {
				m, err := domain.NewMembership(acme.ID(), ann, domain.RoleMember, t0)
				if err != nil {
					return err
				}
				return mems.Create(ctx, m)
			}},
			{"change a role", func() error {
				m, err := mems.ByUser(ctx, acme.ID(), ann)
				if err != nil {
					return err
				}
				m.ChangeRole(domain.RoleAdmin)
				return mems.Save(ctx, m)
			}},
			{"rename a role", func() error { return mems.RenameRole(ctx, acme.ID(), "nobody", "none") }},
			{"profile change", func() error { return mems.ProfileChanged(ctx, ann) }},
		}
		for _, st := range steps {
			before, other := int64(-1), version(globex.ID())
			if st.name != "create" {
				before = version(acme.ID())
			}
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			after := version(acme.ID())
			if after <= before {
				t.Errorf("%s: version %d → %d, want it moved on", st.name, before, after)
			}
			if got := version(globex.ID()); st.name != "profile change" && got != other {
				t.Errorf("%s: another organization's version moved %d → %d", st.name, other, got)
			} else if st.name == "profile change" && got <= other {
				t.Errorf("profile change: the user's other organization stayed at %d", got)
			}
		}
		bob := newUserID()
		m := join(t, s, acme.ID(), bob, domain.RoleMember, t0)
		before := version(acme.ID())
		if err := mems.Delete(ctx, acme.ID(), m.ID()); err != nil {
			t.Fatal(err)
		}
		if after := version(acme.ID()); after <= before {
			t.Errorf("delete: version %d → %d", before, after)
		}
	})
}
