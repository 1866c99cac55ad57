package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

func TestNewOrganization(t *testing.T) {
	t.Parallel()
	o, err := domain.NewOrganization(" Acme Corp ", "Acme", t0)
	if err != nil {
		t.Fatal(err)
	}
	if o.Name().String() != "Acme Corp" || o.Slug().String() != "acme" || !strings.HasPrefix(o.ID().String(), "org_") ||
		!o.CreatedAt().Equal(t0) || !o.UpdatedAt().Equal(t0) {
		t.Errorf("org = %+v", o.Snapshot())
	}
	_, err = domain.NewOrganization("", "a", t0)
	wantErr(t, err, kernel.KindInvalid, "tenancy.invalid_organization")
	wantField(t, err, "name")
	wantField(t, err, "slug")
}

func TestOrganizationRenameAndChangeSlug(t *testing.T) {
	t.Parallel()
	o, _ := domain.NewOrganization("Acme", "acme", t0)
	t1 := t0.Add(1)
	tests := []struct {
		name    string
		do      func() (bool, error)
		changed bool
		code    string
	}{
		{"rename same", func() (bool, error) { return o.Rename(" Acme ", t1) }, false, ""},
		{"rename bad", func() (bool, error) { return o.Rename("", t1) }, false, "tenancy.invalid_name"},
		{"slug same", func() (bool, error) { return o.ChangeSlug("ACME", t1) }, false, ""},
		{"slug reserved", func() (bool, error) { return o.ChangeSlug("admin", t1) }, false, "tenancy.invalid_slug"},
		{"rename", func() (bool, error) { return o.Rename("Acme Inc", t1) }, true, ""},
		{"slug", func() (bool, error) { return o.ChangeSlug("acme-inc", t1) }, true, ""},
	}
	for _, tt := range tests { // sequential: they share o
		changed, err := tt.do()
		if changed != tt.changed || kernel.CodeOf(err) != tt.code {
			t.Errorf("%s: changed=%v err=%v", tt.name, changed, err)
		}
	}
	if o.Name().String() != "Acme Inc" || o.Slug().String() != "acme-inc" || !o.UpdatedAt().Equal(t1) {
		t.Errorf("org = %+v", o.Snapshot())
	}
	wantErr(t, o.ConfirmDeletion("acme"), kernel.KindInvalid, "tenancy.confirmation_mismatch")
	wantErr(t, o.ConfirmDeletion(" ACME-INC "), 0, "")
	if back := domain.RehydrateOrganization(o.Snapshot()); back.Snapshot() != o.Snapshot() {
		t.Errorf("rehydrate = %+v", back.Snapshot())
	}
}

func TestMembership(t *testing.T) {
	t.Parallel()
	org, usr := kernel.NewID[kernel.OrganizationKind](), kernel.NewID[kernel.UserKind]()
	m, err := domain.NewMembership(org, usr, domain.RoleOwner, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !m.IsOwner() || m.OrganizationID() != org || m.UserID() != usr || !strings.HasPrefix(m.ID().String(), "mem_") || !m.JoinedAt().Equal(t0) {
		t.Errorf("membership = %+v", m.Snapshot())
	}
	if _, err := domain.NewMembership(org, usr, "X", t0); kernel.CodeOf(err) != "tenancy.invalid_role" {
		t.Errorf("bad role: %v", err)
	}
	if _, err := domain.NewMembership(org, kernel.UserID{}, "member", t0); err == nil {
		t.Error("zero user accepted")
	}
	if changed, err := m.ChangeRole("support"); err != nil || !changed || m.IsOwner() || m.Role() != "support" {
		t.Errorf("ChangeRole: %v %v", changed, err)
	}
	if changed, _ := m.ChangeRole("support"); changed {
		t.Error("same role reported a change")
	}
	if back := domain.RehydrateMembership(m.Snapshot()); back.Snapshot() != m.Snapshot() {
		t.Errorf("rehydrate = %+v", back.Snapshot())
	}
}

func TestEnsureOwnerRemains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		owners   int
		from, to string
		ok       bool
	}{
		{"demote the only owner", 1, "owner", "admin", false},
		{"remove the only owner", 1, "owner", "", false},
		{"demote one of two", 2, "owner", "member", true},
		{"remove one of three", 3, "owner", "", true},
		{"owner stays owner", 1, "owner", "owner", true},
		{"demote an admin", 1, "admin", "member", true},
		{"remove a member", 1, "member", "", true},
		{"promote to owner", 1, "admin", "owner", true},
		{"corrupt count fails closed", 0, "owner", "", false},
		{"negative count fails closed", -1, "owner", "admin", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := domain.EnsureOwnerRemains(tt.owners, domain.RoleChange(tt.from, tt.to))
			if tt.ok {
				wantErr(t, err, 0, "")
				return
			}
			wantErr(t, err, kernel.KindConflict, "tenancy.last_owner")
			if kernel.AsError(err).Detail != "An organization must keep at least one owner." || !errors.Is(err, domain.ErrLastOwner) {
				t.Errorf("err = %v", err)
			}
		})
	}
	wantErr(t, domain.EnsureOwnerRemains(1, domain.OwnerRemoved), kernel.KindConflict, "tenancy.last_owner")
	wantErr(t, domain.EnsureOwnerRemains(1, domain.OwnerKept), 0, "")
}

func TestMembershipSuspension(t *testing.T) {
	t.Parallel()
	m, err := domain.NewMembership(kernel.NewID[kernel.OrganizationKind](), kernel.NewID[kernel.UserKind](), domain.RoleOwner, t0)
	if err != nil {
		t.Fatal(err)
	}
	if m.Suspended() || m.OwnerChangeTo("") != domain.OwnerRemoved || m.OwnerChangeTo(domain.RoleOwner) != domain.OwnerKept {
		t.Fatalf("active owner: suspended %v", m.Suspended())
	}
	if !m.Suspend(t0) || m.Suspend(t0.Add(1)) || !m.Suspended() || !m.SuspendedAt().Equal(t0) {
		t.Fatalf("suspend: at %v", m.SuspendedAt())
	}
	if m.Role() != domain.RoleOwner {
		t.Errorf("a suspension changed the role to %q", m.Role())
	}
	// A suspended owner holds nothing: removing or demoting them takes no
	// active owner away.
	if m.OwnerChangeTo("") != domain.OwnerKept || m.OwnerChangeTo(domain.RoleMember) != domain.OwnerKept {
		t.Error("a suspended owner counts as an active one")
	}
	if r := domain.RehydrateMembership(m.Snapshot()); !r.Suspended() || !r.SuspendedAt().Equal(t0) {
		t.Error("the suspension does not survive a snapshot")
	}
	if !m.Reinstate() || m.Reinstate() || m.Suspended() || m.SuspendedAt() != nil {
		t.Error("reinstate")
	}
}
