package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
	"github.com/groundworkhq/groundwork/modules/iam/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func checkConflict(t *testing.T, what string, err error, code string) {
	t.Helper()
	if kernel.KindOf(err) != kernel.KindConflict || kernel.CodeOf(err) != code {
		t.Errorf("%s: err = %v, want conflict %s", what, err, code)
	}
}

func TestUsersCreateAndGet(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		users, ctx := s.Users, context.Background()

		u := createUser(t, s, "Ana@Example.COM", "Ana")
		got, err := users.ByID(ctx, u.ID())
		if err != nil {
			t.Fatal(err)
		}
		if flat(got.Snapshot()) != flat(u.Snapshot()) {
			t.Errorf("ByID:\n got %s\nwant %s", flat(got.Snapshot()), flat(u.Snapshot()))
		}
		// The domain normalizes the address: any spelling finds the user.
		got, err = users.ByEmail(ctx, domain.MustParseEmail("  ana@EXAMPLE.com "))
		if err != nil || got.ID() != u.ID() || got.Email().String() != "ana@example.com" {
			t.Errorf("ByEmail = %v, %v", got, err)
		}
		if _, err := users.ByID(ctx, kernel.NewID[kernel.UserKind]()); !errors.Is(err, application.ErrUserNotFound) {
			t.Errorf("ByID unknown = %v, want ErrUserNotFound", err)
		}
		if _, err := users.ByEmail(ctx, domain.MustParseEmail("nobody@example.com")); !errors.Is(err, application.ErrUserNotFound) {
			t.Errorf("ByEmail unknown = %v, want ErrUserNotFound", err)
		}

		// Taken email, whatever its case.
		checkConflict(t, "duplicate email", users.Create(ctx, newUser(t, "ANA@example.com", "Other")), "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")

		// Usernames: unique, case-insensitively; any number of users have none.
		withName := func(email, username string) *domain.User {
			u, err := domain.NewUser(domain.NewUserParams{Email: email, Username: username, Now: t0})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		if err := users.Create(ctx, withName("b@example.com", "Bob_1")); err != nil {
			t.Fatal(err)
		}
		checkConflict(t, "duplicate username", users.Create(ctx, withName("c@example.com", "bob_1")), "USERNAME_IS_ALREADY_TAKEN")
		createUser(t, s, "d@example.com", "")
		createUser(t, s, "e@example.com", "")
		if _, err := users.ByEmail(ctx, domain.MustParseEmail("c@example.com")); !errors.Is(err, application.ErrUserNotFound) {
			t.Errorf("a refused user was stored: %v", err)
		}

		if err := users.Delete(ctx, u.ID()); err != nil {
			t.Fatal(err)
		}
		if _, err := users.ByID(ctx, u.ID()); !errors.Is(err, application.ErrUserNotFound) {
			t.Errorf("ByID after Delete = %v", err)
		}
		if err := users.Delete(ctx, u.ID()); !errors.Is(err, application.ErrUserNotFound) {
			t.Errorf("Delete twice = %v, want ErrUserNotFound", err)
		}
	})
}

// differing lists the snapshot fields that differ between a and b.
func differing(a, b domain.UserSnapshot) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := range va.NumField() {
		if flat(a) == flat(b) {
			break
		}
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if fmt.Sprint(x) != fmt.Sprint(y) {
			out = append(out, va.Type().Field(i).Name)
		}
	}
	return out
}

func TestUsersUpdateRoundTrip(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		users, ctx := s.Users, context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		before := u.Snapshot()
		allButID := []string{"Email", "EmailVerified", "Name", "Username", "Locale", "Image", "Active", "DeactivationReason", "DeactivatedUntil",
			"PlatformAdmin", "PasswordHash", "LastLoginAt", "CreatedAt", "UpdatedAt"}

		// Every field set, through the aggregate's behaviour...
		var want domain.UserSnapshot
		err := users.Update(ctx, u.ID(), func(u *domain.User) error {
			now := t0.Add(time.Hour)
			if _, err := u.ChangeEmail(domain.MustParseEmail("Ana.New@Example.com"), now); err != nil {
				return err
			}
			u.VerifyEmail(now)
			name, _ := domain.ParseDisplayName("Ana Maria")
			u.Rename(name, now)
			username, _ := domain.ParseUsername("Ana_M")
			u.ChangeUsername(username, now)
			locale, _ := domain.ParseLocale("pt-br")
			u.ChangeLocale(locale, now)
			image, _ := domain.ParseImageURL("https://cdn.example.com/a.png")
			u.ChangeImage(image, now)
			u.SetPlatformAdmin(true, now)
			if err := u.SetPasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", now.Add(time.Microsecond)); err != nil {
				return err
			}
			u.RecordLogin(now.Add(time.Minute + 123456*time.Microsecond))
			until := now.Add(time.Hour + 3*time.Microsecond)
			if _, err := u.Deactivate(domain.Deactivation{Reason: "chargebacks", Until: &until}, now.Add(2*time.Microsecond)); err != nil {
				return err
			}
			// ...and CreatedAt, which only a repository may set.
			snap := u.Snapshot()
			snap.CreatedAt = t0.Add(-time.Hour)
			*u = *domain.RehydrateUser(snap)
			want = u.Snapshot()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if d := differing(before, want); !slices.Equal(d, allButID) {
			t.Fatalf("the update changes %v, want every field but ID", d)
		}
		got, err := users.ByID(ctx, u.ID())
		if err != nil {
			t.Fatal(err)
		}
		if flat(got.Snapshot()) != flat(want) {
			t.Errorf("after Update:\n got %s\nwant %s", flat(got.Snapshot()), flat(want))
		}

		// Every field back: booleans flipped, optional fields cleared (the
		// username back to NULL, the last login to nil).
		back := want
		back.Email, back.Name, back.Username, back.Locale, back.Image, back.PasswordHash = "ana@example.com", "", "", "", "", ""
		back.EmailVerified, back.Active, back.PlatformAdmin = false, true, false
		back.LastLoginAt, back.CreatedAt, back.UpdatedAt = nil, t0.Add(-2*time.Hour), t0.Add(3*time.Hour)
		back.DeactivationReason, back.DeactivatedUntil = "", nil
		if d := differing(want, back); !slices.Equal(d, allButID) {
			t.Fatalf("the second update changes %v, want every field but ID", d)
		}
		if err := users.Update(ctx, u.ID(), func(u *domain.User) error {
			*u = *domain.RehydrateUser(back)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		got, err = users.ByID(ctx, u.ID())
		if err != nil {
			t.Fatal(err)
		}
		if flat(got.Snapshot()) != flat(back) {
			t.Errorf("after second Update:\n got %s\nwant %s", flat(got.Snapshot()), flat(back))
		}
		// A cleared username is NULL: another user may be without one too.
		createUser(t, s, "other@example.com", "")
	})
}

func TestUsersUpdateFailures(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		users, ctx := s.Users, context.Background()
		a := createUser(t, s, "a@example.com", "A")
		b, err := domain.NewUser(domain.NewUserParams{Email: "b@example.com", Username: "bob", Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		if err := users.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
		unchanged := func(what string) {
			t.Helper()
			got, err := users.ByID(ctx, a.ID())
			if err != nil {
				t.Fatal(err)
			}
			if flat(got.Snapshot()) != flat(a.Snapshot()) {
				t.Errorf("%s changed the user:\n got %s\nwant %s", what, flat(got.Snapshot()), flat(a.Snapshot()))
			}
		}
		rename := func(u *domain.User) {
			n, _ := domain.ParseDisplayName("Renamed")
			u.Rename(n, t0.Add(time.Hour))
		}

		boom := errors.New("boom")
		err = users.Update(ctx, a.ID(), func(u *domain.User) error {
			rename(u)
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("Update with failing fn = %v, want boom", err)
		}
		unchanged("a failing fn")

		err = users.Update(ctx, a.ID(), func(u *domain.User) error {
			rename(u)
			u.ChangeUsername(b.Username(), t0.Add(time.Hour))
			return nil
		})
		checkConflict(t, "Update to a taken username", err, "USERNAME_IS_ALREADY_TAKEN")
		unchanged("a taken username")

		err = users.Update(ctx, a.ID(), func(u *domain.User) error {
			rename(u)
			_, err := u.ChangeEmail(b.Email(), t0.Add(time.Hour))
			return err
		})
		checkConflict(t, "Update to a taken email", err, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
		unchanged("a taken email")

		// Update joins the caller's transaction: its rollback undoes it.
		err = d.Tx(ctx, func(ctx context.Context) error {
			if err := users.Update(ctx, a.ID(), func(u *domain.User) error { rename(u); return nil }); err != nil {
				return err
			}
			if got, err := users.ByID(ctx, a.ID()); err != nil || got.Name().String() != "Renamed" {
				t.Errorf("inside the transaction: %v, %v", got, err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("Tx = %v", err)
		}
		unchanged("a rolled back transaction")

		called := false
		err = users.Update(ctx, kernel.NewID[kernel.UserKind](), func(*domain.User) error { called = true; return nil })
		if !errors.Is(err, application.ErrUserNotFound) || called {
			t.Errorf("Update unknown = %v (fn called: %v), want ErrUserNotFound", err, called)
		}
	})
}

// TestUsersUpdateConcurrent has goroutines increment a counter kept in the
// name: a lost update would leave it short.
func TestUsersUpdateConcurrent(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		users, ctx := s.Users, context.Background()
		u := createUser(t, s, "n@example.com", "n=0")
		const workers = 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				errs <- users.Update(ctx, u.ID(), func(u *domain.User) error {
					n, err := strconv.Atoi(strings.TrimPrefix(u.Name().String(), "n="))
					if err != nil {
						return err
					}
					name, err := domain.ParseDisplayName("n=" + strconv.Itoa(n+1))
					if err != nil {
						return err
					}
					u.Rename(name, t0.Add(time.Duration(n+1)*time.Second))
					return nil
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		got, err := users.ByID(ctx, u.ID())
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("n=%d", workers); got.Name().String() != want {
			t.Errorf("name = %q, want %q: an update was lost", got.Name(), want)
		}
	})
}

func userIDs(us []*domain.User) []kernel.UserID {
	out := make([]kernel.UserID, len(us))
	for i, u := range us {
		out[i] = u.ID()
	}
	return out
}

func TestUsersList(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		users, ctx := s.Users, context.Background()
		// Created in ID order.
		alice := createUser(t, s, "alice@x.io", "Alice Smith")
		bob := createUser(t, s, "bob@x.io", "Bob 100% Real")
		carol := createUser(t, s, "carol@y.io", "Carol_Underscore")
		dave := createUser(t, s, "dave_d@y.io", "Dave")
		angela := createUser(t, s, "angela@y.io", "Ângela Silva")
		eve := createUser(t, s, "eve@x.io", `Eve \ Backslash`)
		all := []kernel.UserID{alice.ID(), bob.ID(), carol.ID(), dave.ID(), angela.ID(), eve.ID()}

		list := func(q application.UserQuery) []kernel.UserID {
			t.Helper()
			got, err := users.List(ctx, q)
			if err != nil {
				t.Fatalf("List(%+v): %v", q, err)
			}
			return userIDs(got)
		}
		tests := []struct {
			name string
			q    application.UserQuery
			want []kernel.UserID
		}{
			{"everyone", application.UserQuery{}, all},
			{"name, any case", application.UserQuery{Search: "aLiCe sm"}, []kernel.UserID{alice.ID()}},
			{"email", application.UserQuery{Search: "@Y.IO"}, []kernel.UserID{carol.ID(), dave.ID(), angela.ID()}},
			{"email or name", application.UserQuery{Search: "al"}, []kernel.UserID{alice.ID(), bob.ID()}},
			{"% is literal", application.UserQuery{Search: "%"}, []kernel.UserID{bob.ID()}},
			{"0% is literal", application.UserQuery{Search: "0% r"}, []kernel.UserID{bob.ID()}},
			{"_ is literal", application.UserQuery{Search: "_"}, []kernel.UserID{carol.ID(), dave.ID()}},
			{`\ is literal`, application.UserQuery{Search: `\`}, []kernel.UserID{eve.ID()}},
			{`\% is literal`, application.UserQuery{Search: `\%`}, nil},
			{"non-ASCII as typed", application.UserQuery{Search: "Ângela"}, []kernel.UserID{angela.ID()}},
			{"blank search", application.UserQuery{Search: "  "}, all},
			{"no match", application.UserQuery{Search: "zzz"}, nil},
			{"IDs", application.UserQuery{IDs: []kernel.UserID{eve.ID(), alice.ID(), kernel.NewID[kernel.UserKind]()}}, []kernel.UserID{alice.ID(), eve.ID()}},
			{"empty IDs", application.UserQuery{IDs: []kernel.UserID{}}, nil},
			{"empty IDs and a search", application.UserQuery{IDs: []kernel.UserID{}, Search: "a"}, nil},
			{"IDs and a search", application.UserQuery{IDs: []kernel.UserID{alice.ID(), bob.ID(), carol.ID()}, Search: "x.io"}, []kernel.UserID{alice.ID(), bob.ID()}},
			{"first page", application.UserQuery{Limit: 2}, all[:2]},
			{"second page", application.UserQuery{Limit: 2, After: bob.ID()}, all[2:4]},
			{"last page", application.UserQuery{Limit: 2, After: dave.ID()}, all[4:]},
			{"after the end", application.UserQuery{Limit: 2, After: eve.ID()}, nil},
			{"page of a search", application.UserQuery{Search: "x.io", After: alice.ID(), Limit: 1}, []kernel.UserID{bob.ID()}},
			{"page of IDs", application.UserQuery{IDs: all, After: carol.ID(), Limit: 2}, all[3:5]},
		}
		for _, tt := range tests {
			if got := list(tt.q); !slices.Equal(got, tt.want) {
				t.Errorf("%s: List = %v, want %v", tt.name, got, tt.want)
			}
		}

		// Walking pages visits everyone once, in ID order.
		var walked []kernel.UserID
		for q := (application.UserQuery{Limit: 4}); ; {
			page := list(q)
			walked = append(walked, page...)
			if len(page) < q.Limit {
				break
			}
			q.After = page[len(page)-1]
		}
		if !slices.Equal(walked, all) {
			t.Errorf("pages = %v, want %v", walked, all)
		}

		// The limit is capped.
		err := d.Tx(ctx, func(ctx context.Context) error {
			for i := range sqlstore.MaxListLimit {
				if err := users.Create(ctx, newUser(t, fmt.Sprintf("bulk%d@z.io", i), "")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{0, -1, sqlstore.MaxListLimit + 1, 1000} {
			if got := list(application.UserQuery{Limit: limit}); len(got) != sqlstore.MaxListLimit {
				t.Errorf("Limit %d: %d users, want %d", limit, len(got), sqlstore.MaxListLimit)
			}
		}
	})
}

func TestUsersProfiles(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		ctx := context.Background()
		ann := createUser(t, s, "ann@example.com", "Ann")
		bob := createUser(t, s, "bob@example.com", "")
		if err := s.Users.Update(ctx, bob.ID(), func(u *domain.User) error {
			img, err := domain.ParseImageURL("https://cdn.example.com/bob.png")
			if err != nil {
				return err
			}
			u.ChangeImage(img, t0)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		createUser(t, s, "eve@example.com", "Eve") // not asked for

		got, err := s.Users.Profiles(ctx, []kernel.UserID{bob.ID(), kernel.NewID[kernel.UserKind](), ann.ID()})
		if err != nil {
			t.Fatal(err)
		}
		want := []application.Profile{
			{ID: ann.ID(), Email: "ann@example.com", Name: "Ann"},
			{ID: bob.ID(), Email: "bob@example.com", Image: "https://cdn.example.com/bob.png"},
		}
		if ann.ID().String() > bob.ID().String() {
			want[0], want[1] = want[1], want[0]
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Profiles = %+v\nwant %+v", got, want)
		}
		if got, err := s.Users.Profiles(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("Profiles(nil) = %v, %v", got, err)
		}
	})
}

func TestUsersRecordSignIn(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		ctx := context.Background()
		ann := createUser(t, s, "ann@example.com", "Ann")
		const hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
		if err := s.Users.Update(ctx, ann.ID(), func(u *domain.User) error { return u.SetPasswordHash(hash, t0) }); err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Hour)

		// A password that changed since it was verified, or an unknown
		// user: not found, nothing written.
		if _, err := s.Users.RecordSignIn(ctx, ann.ID(), hash+"x", at); !errors.Is(err, application.ErrUserNotFound) {
			t.Errorf("stale hash: %v, want ErrUserNotFound", err)
		}
		if _, err := s.Users.RecordSignIn(ctx, kernel.NewID[kernel.UserKind](), hash, at); !errors.Is(err, application.ErrUserNotFound) {
			t.Errorf("unknown user: %v, want ErrUserNotFound", err)
		}
		if back, err := s.Users.ByID(ctx, ann.ID()); err != nil {
			t.Fatal(err)
		} else if l, ok := back.LastLoginAt(); ok {
			t.Fatalf("after refusals: last login %v", l)
		}

		u, err := s.Users.RecordSignIn(ctx, ann.ID(), hash, at)
		if err != nil {
			t.Fatal(err)
		}
		back, err := s.Users.ByID(ctx, ann.ID())
		if err != nil {
			t.Fatal(err)
		}
		if got, want := flat(u.Snapshot()), flat(back.Snapshot()); got != want {
			t.Errorf("returned %s\nstored   %s", got, want)
		}
		if l, ok := back.LastLoginAt(); !ok || !l.Equal(at) || !back.UpdatedAt().Equal(t0) {
			t.Errorf("last login %v, updated %v; want %v and %v untouched", l, back.UpdatedAt(), at, t0)
		}
	})
}
