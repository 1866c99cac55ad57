package application_test

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application/password"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// cheap are argon2id parameters fast enough for tests.
var cheap = password.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var meta = application.Meta{IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (test)"}

const (
	goodPassword  = "correct horse battery"
	otherPassword = "another fine password"
)

type bundle struct {
	svc    *application.Service
	w      *world
	clock  *fakeClock
	hasher *countingHasher
	cfg    application.Config
}

type option func(*application.Config, *application.Deps)

func requireVerification(c *application.Config, _ *application.Deps) {
	c.RequireEmailVerification = true
}

func withLimits(l application.Limits) option {
	return func(c *application.Config, _ *application.Deps) { c.Limits = l }
}

func withNoMembers(_ *application.Config, d *application.Deps) { d.Members = application.NoMembers{} }

// setup wires a Service over fresh fakes. Every test also checks, at the
// end, that no email or event left outside a transaction, no password was
// hashed inside one and no rate limit was counted inside one.
func setup(t *testing.T, opts ...option) *bundle {
	t.Helper()
	w := newWorld()
	clock := &fakeClock{t: t0}
	h := &countingHasher{h: password.New(cheap, 0), w: w}
	cfg := application.Config{
		ServerURL:      &url.URL{Scheme: "https", Host: "app.example.com"},
		TrustedOrigins: []string{"https://web.example.com", "http://localhost:5173"},
	}
	mail := &fakeMailQueue{w: w}
	d := application.Deps{
		UoW: fakeUoW{w}, Users: fakeUsers{w}, Sessions: fakeSessions{w}, Tokens: fakeTokens{w},
		Limiter: fakeLimiter{w}, Hasher: h, Emails: fakeEmails{w}, Mail: mail, Members: fakeMembers{w},
		Events: fakePublisher{w}, Clock: clock, Logger: slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(&cfg, &d)
	}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, v := range w.violations {
			t.Errorf("violation: %s", v)
		}
	})
	svc := application.NewService(cfg, d)
	mail.svc = svc
	return &bundle{svc: svc, w: w, clock: clock, hasher: h, cfg: cfg}
}

// signUp registers email with goodPassword and returns the user and the
// session (nil under RequireEmailVerification).
func (b *bundle) signUp(t *testing.T, email string) (application.UserView, *application.Issued) {
	t.Helper()
	u, iss, err := b.svc.SignUp(context.Background(), application.SignUpInput{
		Email: email, Password: goodPassword, Name: "Ana", Meta: meta,
	})
	if err != nil {
		t.Fatalf("SignUp(%s): %v", email, err)
	}
	return u, iss
}

func (b *bundle) signIn(t *testing.T, email, pw string) *application.Issued {
	t.Helper()
	iss, err := b.svc.SignIn(context.Background(), application.SignInInput{Email: email, Password: pw, Meta: meta})
	if err != nil {
		t.Fatalf("SignIn(%s): %v", email, err)
	}
	return iss
}

// seedUser stores a user directly, with a password hashed by h (nil: the
// test hasher; "" password: none).
func (b *bundle) seedUser(t *testing.T, email, pw string, h *password.Hasher) *domain.User {
	t.Helper()
	if h == nil {
		h = b.hasher.h
	}
	hash := ""
	if pw != "" {
		var err error
		if hash, err = h.Hash(context.Background(), pw); err != nil {
			t.Fatal(err)
		}
	}
	u, err := domain.NewUser(domain.NewUserParams{Email: email, Name: "Seeded", PasswordHash: hash, Now: b.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := (fakeUsers{b.w}).Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// findUser returns the ID of the stored user with that email.
func (b *bundle) findUser(t *testing.T, email string) kernel.UserID {
	t.Helper()
	b.w.mu.Lock()
	defer b.w.mu.Unlock()
	for id, s := range b.w.users {
		if s.Email == email {
			return id
		}
	}
	t.Fatalf("no user %s", email)
	return kernel.UserID{}
}

// editUser changes a stored user behind the service's back.
func (b *bundle) editUser(t *testing.T, id kernel.UserID, fn func(s *domain.UserSnapshot)) {
	t.Helper()
	b.w.mu.Lock()
	defer b.w.mu.Unlock()
	s, ok := b.w.users[id]
	if !ok {
		t.Fatalf("no user %s", id)
	}
	fn(&s)
	b.w.users[id] = s
}

func (b *bundle) user(t *testing.T, id kernel.UserID) domain.UserSnapshot {
	t.Helper()
	b.w.mu.Lock()
	defer b.w.mu.Unlock()
	s, ok := b.w.users[id]
	if !ok {
		t.Fatalf("no user %s", id)
	}
	return s
}

func (b *bundle) events() []kernel.Event {
	b.w.mu.Lock()
	defer b.w.mu.Unlock()
	return append([]kernel.Event(nil), b.w.events...)
}

func (b *bundle) emails() []sentEmail {
	b.w.mu.Lock()
	defer b.w.mu.Unlock()
	return append([]sentEmail(nil), b.w.emails...)
}

func (b *bundle) sessionCount() int {
	b.w.mu.Lock()
	defer b.w.mu.Unlock()
	return len(b.w.sessions)
}

// lastEmail returns the last email of kind, failing if there is none.
func (b *bundle) lastEmail(t *testing.T, kind string) sentEmail {
	t.Helper()
	all := b.emails()
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Kind == kind {
			return all[i]
		}
	}
	t.Fatalf("no %s email among %+v", kind, all)
	return sentEmail{}
}

// tokenOf extracts the token from an email link: ?token= or the last path
// segment.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if tok := u.Query().Get("token"); tok != "" {
		return tok
	}
	return u.Path[strings.LastIndex(u.Path, "/")+1:]
}

// eventNames lists the names of events, for compact comparisons.
func eventNames(evs []kernel.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.EventName())
	}
	return out
}

// wantCode fails unless err carries a kernel error of that kind and code.
func wantCode(t *testing.T, err error, kind kernel.ErrorKind, code string) *kernel.Error {
	t.Helper()
	e := kernel.AsError(err)
	if e == nil {
		t.Fatalf("err = %v, want %s %s", err, kind, code)
	}
	if e.Kind != kind || e.Code != code {
		t.Fatalf("err = %s %s (%v), want %s %s", e.Kind, e.Code, err, kind, code)
	}
	return e
}

// unchanged snapshots the world and returns a check that it is the same.
func (b *bundle) unchanged(t *testing.T) func() {
	t.Helper()
	before := b.w.state()
	return func() {
		t.Helper()
		after := b.w.state()
		if !reflect.DeepEqual(before, after) {
			t.Errorf("state changed:\nbefore %+v\nafter  %+v", before, after)
		}
	}
}

func fieldNames(e *kernel.Error) []string {
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

var errQueueDown = errors.New("queue down")
