package domain_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const phc = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"

func newUser(t *testing.T) *domain.User {
	t.Helper()
	u, err := domain.NewUser(domain.NewUserParams{
		Email: " Ana@Example.COM ", Name: " Ana Silva ", Username: "Ana_S", Locale: "pt-br",
		Image: "https://cdn.example.com/a.png", PasswordHash: phc, Now: t0,
	})
	if err != nil {
		t.Fatalf("NewUser: %v", err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }

func TestNewUser(t *testing.T) {
	t.Parallel()
	u := newUser(t)
	if u.ID().IsZero() {
		t.Error("zero ID")
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"email", u.Email().String(), "ana@example.com"},
		{"emailVerified", u.EmailVerified(), false},
		{"name", u.Name().String(), "Ana Silva"},
		{"username", u.Username().String(), "ana_s"},
		{"locale", u.Locale().String(), "pt-BR"},
		{"image", u.Image().String(), "https://cdn.example.com/a.png"},
		{"active", u.Active(), true},
		{"platformAdmin", u.PlatformAdmin(), false},
		{"passwordHash", u.PasswordHash(), phc},
		{"hasPassword", u.HasPassword(), true},
		{"createdAt", u.CreatedAt(), t0},
		{"updatedAt", u.UpdatedAt(), t0},
		{"canSignIn", u.CanSignIn(t0), nil},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if _, ok := u.LastLoginAt(); ok {
		t.Error("LastLoginAt set on a new user")
	}

	// The optional fields may be empty; no password is allowed (admin-created).
	min, err := domain.NewUser(domain.NewUserParams{Email: "b@example.com", Now: t0})
	if err != nil {
		t.Fatalf("NewUser minimal: %v", err)
	}
	if !min.Name().IsZero() || !min.Username().IsZero() || !min.Locale().IsZero() || !min.Image().IsZero() || min.HasPassword() {
		t.Errorf("minimal user = %+v", min.Snapshot())
	}
	if min.ID() == u.ID() {
		t.Error("two users share an ID")
	}
}

func TestNewUserCollectsEveryFieldError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		params domain.NewUserParams
		fields []string
	}{
		{"all bad", domain.NewUserParams{Email: "Ana <a@b.co>", Name: "a\nb", Username: "a", Locale: "pt_BR", Image: "ftp://x/y"},
			[]string{"email", "name", "username", "locale", "image"}},
		{"email missing", domain.NewUserParams{Name: "Ana"}, []string{"email"}},
		{"two bad", domain.NewUserParams{Email: "a@b.co", Username: "no spaces", Image: "/rel.png"}, []string{"username", "image"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.params.Now = t0
			u, err := domain.NewUser(tt.params)
			if u != nil {
				t.Error("returned a user with an error")
			}
			e := kernel.AsError(err)
			if e == nil || e.Kind != kernel.KindInvalid || e.Code != "iam.invalid_user" {
				t.Fatalf("err = %v, want Invalid iam.invalid_user", err)
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
				if f.Code != "invalid_"+f.Field || f.Message == "" {
					t.Errorf("field error %+v", f)
				}
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %q, want %q", got, tt.fields)
			}
		})
	}
}

func TestNewUserRefusesNonPHCHash(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"hunter22", "argon2id$v=19", "$argon2id$ spaced"} {
		_, err := domain.NewUser(domain.NewUserParams{Email: "a@b.co", PasswordHash: h, Now: t0})
		if kernel.KindOf(err) != kernel.KindInternal {
			t.Errorf("PasswordHash %q: err = %v, want Internal", h, err)
		}
	}
}

func TestUserSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	u := newUser(t)
	u.RecordLogin(t0.Add(time.Hour))
	u.SetPlatformAdmin(true, t0.Add(2*time.Hour))
	s := u.Snapshot()
	r := domain.RehydrateUser(s)
	if !reflect.DeepEqual(r.Snapshot(), s) {
		t.Errorf("round trip:\n got %+v\nwant %+v", r.Snapshot(), s)
	}
	// A snapshot is a copy.
	*s.LastLoginAt = time.Time{}
	if at, _ := u.LastLoginAt(); !at.Equal(t0.Add(time.Hour)) {
		t.Errorf("changing a snapshot changed the user: %v", at)
	}
	if at, _ := r.LastLoginAt(); !at.Equal(t0.Add(time.Hour)) {
		t.Errorf("changing a snapshot changed the rehydrated user: %v", at)
	}
}

func TestUserUpdate(t *testing.T) {
	t.Parallel()
	t1 := t0.Add(time.Minute)
	tests := []struct {
		name    string
		patch   domain.UserPatch
		changes []string
		check   func(t *testing.T, u *domain.User)
	}{
		{"empty patch", domain.UserPatch{}, nil, nil},
		{"same values", domain.UserPatch{Name: ptr("Ana Silva"), Username: ptr("ANA_S"), Locale: ptr("PT-BR"), Active: ptr(true)}, nil, nil},
		{"every field", domain.UserPatch{Name: ptr("Ana S."), Username: ptr("ana2"), Locale: ptr("en"), Image: ptr("https://x.io/b.png"), Active: ptr(false)},
			[]string{"name", "username", "locale", "image", "active"},
			func(t *testing.T, u *domain.User) {
				if u.Name().String() != "Ana S." || u.Username().String() != "ana2" || u.Locale().String() != "en" ||
					u.Image().String() != "https://x.io/b.png" || u.Active() {
					t.Errorf("after update: %+v", u.Snapshot())
				}
			}},
		{"clear optional fields", domain.UserPatch{Name: ptr(""), Username: ptr(""), Locale: ptr(" "), Image: ptr("")},
			[]string{"name", "username", "locale", "image"},
			func(t *testing.T, u *domain.User) {
				if !u.Name().IsZero() || !u.Username().IsZero() || !u.Locale().IsZero() || !u.Image().IsZero() {
					t.Errorf("after clearing: %+v", u.Snapshot())
				}
			}},
		{"one field", domain.UserPatch{Locale: ptr("es-419")}, []string{"locale"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := newUser(t)
			changes, err := u.Update(tt.patch, t1)
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if !slices.Equal(changes, tt.changes) {
				t.Errorf("changes = %q, want %q", changes, tt.changes)
			}
			wantUpdated := t0
			if len(tt.changes) > 0 {
				wantUpdated = t1
			}
			if !u.UpdatedAt().Equal(wantUpdated) {
				t.Errorf("UpdatedAt = %v, want %v", u.UpdatedAt(), wantUpdated)
			}
			if tt.check != nil {
				tt.check(t, u)
			}
		})
	}
}

func TestUserUpdateIsAtomic(t *testing.T) {
	t.Parallel()
	u := newUser(t)
	before := u.Snapshot()
	changes, err := u.Update(domain.UserPatch{
		Name:     ptr("New Name"),       // valid
		Username: ptr("x"),              // too short
		Locale:   ptr("fr"),             // valid
		Image:    ptr("javascript:x()"), // not http(s)
		Active:   ptr(false),            // valid
	}, t0.Add(time.Minute))
	e := kernel.AsError(err)
	if e == nil || e.Code != "iam.invalid_user" || len(e.Fields) != 2 || e.Fields[0].Field != "username" || e.Fields[1].Field != "image" {
		t.Fatalf("err = %v (%+v), want iam.invalid_user on username and image", err, e)
	}
	if changes != nil {
		t.Errorf("changes = %q with an error", changes)
	}
	if after := u.Snapshot(); !reflect.DeepEqual(after, before) {
		t.Errorf("an invalid patch changed the user:\n got %+v\nwant %+v", after, before)
	}
}

func TestUserDeactivateIsIdempotent(t *testing.T) {
	t.Parallel()
	u := newUser(t)
	t1, t2, t3, t4 := t0.Add(1*time.Minute), t0.Add(2*time.Minute), t0.Add(3*time.Minute), t0.Add(4*time.Minute)
	spam := domain.Deactivation{Reason: "  spam  "}

	if changed, err := u.Deactivate(spam, t1); !changed || err != nil {
		t.Errorf("first Deactivate = %v, %v; want a change", changed, err)
	}
	if changed, err := u.Deactivate(spam, t2); changed || err != nil {
		t.Errorf("second Deactivate = %v, %v; want no change", changed, err)
	}
	if u.Active() || !u.UpdatedAt().Equal(t1) || u.Deactivation().Reason != "spam" {
		t.Errorf("active %v updatedAt %v reason %q, want false %v spam", u.Active(), u.UpdatedAt(), u.Deactivation().Reason, t1)
	}
	if err := u.CanSignIn(t2); !errors.Is(err, domain.ErrUserDeactivated) {
		t.Errorf("CanSignIn = %v, want ErrUserDeactivated", err)
	}

	if !u.Reactivate(t3) {
		t.Error("first Reactivate reported no change")
	}
	if u.Reactivate(t4) {
		t.Error("second Reactivate reported a change")
	}
	if !u.Active() || !u.UpdatedAt().Equal(t3) || u.CanSignIn(t4) != nil || u.Deactivation() != (domain.Deactivation{}) {
		t.Errorf("active %v updatedAt %v canSignIn %v deactivation %+v", u.Active(), u.UpdatedAt(), u.CanSignIn(t4), u.Deactivation())
	}
}

// TestUserDeactivateUntil: a deactivation with an end lets the user sign
// in again from then on; a bad reason or an end in the past is refused,
// naming the field, and changes nothing.
func TestUserDeactivateUntil(t *testing.T) {
	t.Parallel()
	u := newUser(t)
	end := t0.Add(time.Hour)
	if _, err := u.Deactivate(domain.Deactivation{Reason: "cool off", Until: &end}, t0); err != nil {
		t.Fatal(err)
	}
	if u.CanSignIn(end.Add(-time.Nanosecond)) == nil || u.CanSignIn(end) != nil || u.ActiveAt(t0) {
		t.Errorf("until %v: canSignIn just before %v, at %v", end, u.CanSignIn(end.Add(-time.Nanosecond)), u.CanSignIn(end))
	}
	v := newUser(t)
	past := t0.Add(-time.Second)
	for field, d := range map[string]domain.Deactivation{
		"until":  {Reason: "x", Until: &past},
		"reason": {Reason: strings.Repeat("é", domain.MaxDeactivationReasonLength+1)},
	} {
		_, err := v.Deactivate(d, t0)
		if kernel.CodeOf(err) != "iam.invalid_deactivation" || len(kernel.FieldsOf(err)) != 1 || kernel.FieldsOf(err)[0].Field != field {
			t.Errorf("%s: %v %v", field, err, kernel.FieldsOf(err))
		}
	}
	if !v.Active() {
		t.Error("a refused deactivation deactivated")
	}
}

func TestUserEmail(t *testing.T) {
	t.Parallel()
	u := newUser(t)
	t1, t2, t3 := t0.Add(time.Minute), t0.Add(2*time.Minute), t0.Add(3*time.Minute)

	if !u.VerifyEmail(t1) || u.VerifyEmail(t2) || !u.EmailVerified() || !u.UpdatedAt().Equal(t1) {
		t.Fatalf("VerifyEmail: verified %v updatedAt %v", u.EmailVerified(), u.UpdatedAt())
	}
	// The same address, in any case, changes nothing and keeps the verification.
	if changed, err := u.ChangeEmail(domain.MustParseEmail("ANA@example.com"), t2); changed || err != nil || !u.EmailVerified() {
		t.Errorf("ChangeEmail(same) = %v, %v; verified %v", changed, err, u.EmailVerified())
	}
	if changed, err := u.ChangeEmail(domain.MustParseEmail("ana@new.example"), t3); !changed || err != nil {
		t.Fatalf("ChangeEmail = %v, %v", changed, err)
	}
	if u.Email().String() != "ana@new.example" || u.EmailVerified() || !u.UpdatedAt().Equal(t3) {
		t.Errorf("after ChangeEmail: %+v", u.Snapshot())
	}
	if _, err := u.ChangeEmail(domain.Email{}, t3); kernel.CodeOf(err) != "iam.invalid_email" {
		t.Errorf("ChangeEmail(zero) = %v", err)
	}
}

func TestUserPasswordAndLogin(t *testing.T) {
	t.Parallel()
	u, err := domain.NewUser(domain.NewUserParams{Email: "a@b.co", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if u.HasPassword() {
		t.Fatal("HasPassword without a hash")
	}
	for _, h := range []string{"", "plain", "$argon2id\n$x"} {
		if err := u.SetPasswordHash(h, t0.Add(time.Minute)); kernel.KindOf(err) != kernel.KindInternal {
			t.Errorf("SetPasswordHash(%q) = %v, want Internal", h, err)
		}
	}
	if u.HasPassword() || !u.UpdatedAt().Equal(t0) {
		t.Errorf("a refused hash changed the user: %+v", u.Snapshot())
	}
	if err := u.SetPasswordHash(phc, t0.Add(time.Minute)); err != nil || u.PasswordHash() != phc || !u.UpdatedAt().Equal(t0.Add(time.Minute)) {
		t.Errorf("SetPasswordHash = %v; %+v", err, u.Snapshot())
	}
	u.RecordLogin(t0.Add(time.Hour))
	if at, ok := u.LastLoginAt(); !ok || !at.Equal(t0.Add(time.Hour)) {
		t.Errorf("LastLoginAt = %v, %v", at, ok)
	}
	if !u.UpdatedAt().Equal(t0.Add(time.Minute)) {
		t.Errorf("RecordLogin moved UpdatedAt to %v", u.UpdatedAt())
	}
}

func TestUserSetters(t *testing.T) {
	t.Parallel()
	u := newUser(t)
	t1 := t0.Add(time.Minute)
	name, _ := domain.ParseDisplayName("Ana Silva")
	if u.Rename(name, t1) || !u.UpdatedAt().Equal(t0) {
		t.Error("Rename to the same name reported a change")
	}
	if !u.ChangeUsername(domain.Username{}, t1) || !u.Username().IsZero() || !u.UpdatedAt().Equal(t1) {
		t.Error("ChangeUsername(zero) did not clear the username")
	}
	if !u.ChangeLocale(domain.Locale{}, t1) || !u.ChangeImage(domain.ImageURL{}, t1) {
		t.Error("clearing locale or image reported no change")
	}
	if !u.SetPlatformAdmin(true, t1) || u.SetPlatformAdmin(true, t1) || !u.PlatformAdmin() {
		t.Error("SetPlatformAdmin is not idempotent")
	}
}
