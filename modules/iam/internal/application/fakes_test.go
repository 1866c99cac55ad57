package application_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application/password"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// world is the in-memory state behind every fake port. The fake unit of
// work snapshots it when a transaction starts and restores the snapshot if
// the transaction fails, so a test can assert that a failed use case
// changed nothing, events and emails included.
type world struct {
	txMu sync.Mutex // transactions run one at a time, as if serializable

	mu       sync.Mutex
	users    map[kernel.UserID]domain.UserSnapshot
	sessions map[kernel.SessionID]domain.SessionSnapshot
	tokens   map[domain.VerificationTokenID]domain.VerificationTokenSnapshot
	members  map[kernel.OrganizationID]map[kernel.UserID]bool
	invites  []string
	events   []kernel.Event
	emails   []sentEmail
	queued   []application.AccountMail // link requests, whether or not an email followed

	// Not transactional: what happened regardless of commits.
	limits      map[string]*window
	limitKeys   []string
	violations  []string
	txCount     int
	byHashCalls atomic.Int32
	refreshes   atomic.Int32

	// Failure injection.
	failEmails     error
	beforeMarkUsed func() // runs (unlocked) inside MarkUsed, before it checks
}

type window struct {
	start time.Time
	count int
}

type sentEmail struct {
	Kind string // "verify", "reset", "set_password", "password_changed"
	User kernel.UserID
	To   string
	URL  string
}

type txKey struct{}

func inTx(ctx context.Context) bool { return ctx.Value(txKey{}) != nil }

func newWorld() *world {
	return &world{
		users:    map[kernel.UserID]domain.UserSnapshot{},
		sessions: map[kernel.SessionID]domain.SessionSnapshot{},
		tokens:   map[domain.VerificationTokenID]domain.VerificationTokenSnapshot{},
		members:  map[kernel.OrganizationID]map[kernel.UserID]bool{},
		limits:   map[string]*window{},
	}
}

func (w *world) violate(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.violations = append(w.violations, fmt.Sprintf(format, args...))
}

type worldState struct {
	users    map[kernel.UserID]domain.UserSnapshot
	sessions map[kernel.SessionID]domain.SessionSnapshot
	tokens   map[domain.VerificationTokenID]domain.VerificationTokenSnapshot
	members  map[kernel.OrganizationID]map[kernel.UserID]bool
	events   []kernel.Event
	emails   []sentEmail
}

func (w *world) state() worldState {
	w.mu.Lock()
	defer w.mu.Unlock()
	members := map[kernel.OrganizationID]map[kernel.UserID]bool{}
	for org, m := range w.members {
		members[org] = maps.Clone(m)
	}
	return worldState{
		users: maps.Clone(w.users), sessions: maps.Clone(w.sessions), tokens: maps.Clone(w.tokens),
		members: members, events: slices.Clone(w.events), emails: slices.Clone(w.emails),
	}
}

func (w *world) restore(s worldState) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.users, w.sessions, w.tokens, w.members = s.users, s.sessions, s.tokens, s.members
	w.events, w.emails = s.events, s.emails
}

// --- UnitOfWork ---

type fakeUoW struct{ w *world }

func (f fakeUoW) Tx(ctx context.Context, fn func(ctx context.Context) error) error {
	if inTx(ctx) {
		return fn(ctx)
	}
	f.w.txMu.Lock()
	defer f.w.txMu.Unlock()
	snap := f.w.state()
	f.w.mu.Lock()
	f.w.txCount++
	f.w.mu.Unlock()
	if err := fn(context.WithValue(ctx, txKey{}, true)); err != nil {
		f.w.restore(snap)
		return err
	}
	return nil
}

// --- Users ---

type fakeUsers struct{ w *world }

var errUsernameTaken = kernel.Conflict("USERNAME_IS_ALREADY_TAKEN", "Username is already taken. Please try another.")

func (f fakeUsers) conflictLocked(s domain.UserSnapshot) error {
	for id, o := range f.w.users {
		if id == s.ID {
			continue
		}
		if o.Email == s.Email {
			return application.ErrUserAlreadyExists
		}
		if s.Username != "" && o.Username == s.Username {
			return errUsernameTaken
		}
	}
	return nil
}

func (f fakeUsers) Create(_ context.Context, u *domain.User) error {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	s := u.Snapshot()
	if err := f.conflictLocked(s); err != nil {
		return err
	}
	f.w.users[s.ID] = s
	return nil
}

func (f fakeUsers) ByID(_ context.Context, id kernel.UserID) (*domain.User, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	s, ok := f.w.users[id]
	if !ok {
		return nil, application.ErrUserNotFound
	}
	return domain.RehydrateUser(s), nil
}

func (f fakeUsers) ByEmail(_ context.Context, e domain.Email) (*domain.User, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	for _, s := range f.w.users {
		if s.Email == e.String() {
			return domain.RehydrateUser(s), nil
		}
	}
	return nil, application.ErrUserNotFound
}

func (f fakeUsers) Update(ctx context.Context, id kernel.UserID, fn func(u *domain.User) error) error {
	u, err := f.ByID(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(u); err != nil {
		return err
	}
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	s := u.Snapshot()
	if err := f.conflictLocked(s); err != nil {
		return err
	}
	f.w.users[id] = s
	return nil
}

func (f fakeUsers) RecordSignIn(_ context.Context, id kernel.UserID, verifiedHash string, at time.Time) (*domain.User, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	s, ok := f.w.users[id]
	if !ok || s.PasswordHash != verifiedHash {
		return nil, application.ErrUserNotFound
	}
	s.LastLoginAt = &at
	f.w.users[id] = s
	return domain.RehydrateUser(s), nil
}

func (f fakeUsers) Delete(_ context.Context, id kernel.UserID) error {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	if _, ok := f.w.users[id]; !ok {
		return application.ErrUserNotFound
	}
	delete(f.w.users, id)
	maps.DeleteFunc(f.w.sessions, func(_ kernel.SessionID, s domain.SessionSnapshot) bool { return s.UserID == id })
	maps.DeleteFunc(f.w.tokens, func(_ domain.VerificationTokenID, t domain.VerificationTokenSnapshot) bool {
		return t.UserID == id
	})
	return nil
}

func (f fakeUsers) List(_ context.Context, q application.UserQuery) ([]*domain.User, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	var out []domain.UserSnapshot
	search := strings.ToLower(q.Search)
	for _, s := range f.w.users {
		if q.IDs != nil && !slices.Contains(q.IDs, s.ID) {
			continue
		}
		if search != "" && !strings.Contains(s.Email, search) && !strings.Contains(strings.ToLower(s.Name), search) {
			continue
		}
		if q.PlatformAdmin != nil && s.PlatformAdmin != *q.PlatformAdmin {
			continue
		}
		if !q.After.IsZero() && s.ID.String() <= q.After.String() {
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b domain.UserSnapshot) int { return strings.Compare(a.ID.String(), b.ID.String()) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	users := make([]*domain.User, 0, len(out))
	for _, s := range out {
		users = append(users, domain.RehydrateUser(s))
	}
	return users, nil
}

func (f fakeUsers) Profiles(ctx context.Context, ids []kernel.UserID) ([]application.Profile, error) {
	us, err := f.List(ctx, application.UserQuery{IDs: ids})
	out := make([]application.Profile, len(us))
	for i, u := range us {
		out[i] = application.Profile{ID: u.ID(), Email: u.Email().String(), Name: u.Name().String(), Image: u.Image().String()}
	}
	return out, err
}

func (f fakeUsers) Count(ctx context.Context, q application.UserQuery) (int, error) {
	q.Limit, q.After, q.Offset = 0, kernel.UserID{}, 0
	list, err := f.List(ctx, q)
	return len(list), err
}

func (f fakeUsers) CountPlatformAdmins(context.Context) (int, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	n := 0
	for _, s := range f.w.users {
		if s.PlatformAdmin {
			n++
		}
	}
	return n, nil
}

// LockPlatformAdmins takes nothing: the fake's transactions already run
// one at a time.
func (f fakeUsers) LockPlatformAdmins(context.Context) error { return nil }

// --- Sessions ---

type fakeSessions struct{ w *world }

func (f fakeSessions) UserOf(_ context.Context, id kernel.SessionID) (kernel.UserID, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	s, ok := f.w.sessions[id]
	if !ok {
		return kernel.UserID{}, application.ErrSessionNotFound
	}
	return s.UserID, nil
}

func (f fakeSessions) Create(_ context.Context, s *domain.Session) error {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	f.w.sessions[s.ID()] = s.Snapshot()
	return nil
}

func (f fakeSessions) ByTokenHash(_ context.Context, hash [32]byte) (*domain.Session, *domain.User, error) {
	f.w.byHashCalls.Add(1)
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	for _, s := range f.w.sessions {
		if s.TokenHash == hash {
			u, ok := f.w.users[s.UserID]
			if !ok {
				return nil, nil, application.ErrSessionNotFound
			}
			return domain.RehydrateSession(s), domain.RehydrateUser(u), nil
		}
	}
	return nil, nil, application.ErrSessionNotFound
}

func (f fakeSessions) Refresh(_ context.Context, s *domain.Session) error {
	f.w.refreshes.Add(1)
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	cur, ok := f.w.sessions[s.ID()]
	if !ok {
		return application.ErrSessionNotFound
	}
	cur.ExpiresAt, cur.UpdatedAt = s.ExpiresAt(), s.UpdatedAt()
	f.w.sessions[s.ID()] = cur
	return nil
}

func (f fakeSessions) ListByUser(_ context.Context, user kernel.UserID, now time.Time) ([]*domain.Session, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	var out []domain.SessionSnapshot
	for _, s := range f.w.sessions {
		if s.UserID == user && now.Before(s.ExpiresAt) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b domain.SessionSnapshot) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID.String(), a.ID.String())
	})
	list := make([]*domain.Session, 0, len(out))
	for _, s := range out {
		list = append(list, domain.RehydrateSession(s))
	}
	return list, nil
}

func (f fakeSessions) Delete(_ context.Context, user kernel.UserID, id kernel.SessionID) error {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	s, ok := f.w.sessions[id]
	if !ok || s.UserID != user {
		return application.ErrSessionNotFound
	}
	delete(f.w.sessions, id)
	return nil
}

func (f fakeSessions) DeleteAllForUser(_ context.Context, user kernel.UserID, keep kernel.SessionID) ([]kernel.SessionID, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	var ids []kernel.SessionID
	for id, s := range f.w.sessions {
		if s.UserID == user && id != keep {
			ids = append(ids, id)
			delete(f.w.sessions, id)
		}
	}
	slices.SortFunc(ids, func(a, b kernel.SessionID) int { return strings.Compare(a.String(), b.String()) })
	return ids, nil
}

func (f fakeSessions) DeleteExpired(_ context.Context, now time.Time) (int, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	n := len(f.w.sessions)
	maps.DeleteFunc(f.w.sessions, func(_ kernel.SessionID, s domain.SessionSnapshot) bool { return !now.Before(s.ExpiresAt) })
	return n - len(f.w.sessions), nil
}

// --- VerificationTokens ---

type fakeTokens struct{ w *world }

func (f fakeTokens) Create(_ context.Context, t *domain.VerificationToken) error {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	f.w.tokens[t.ID()] = t.Snapshot()
	return nil
}

func (f fakeTokens) ByHash(_ context.Context, hash [32]byte) (*domain.VerificationToken, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	for _, t := range f.w.tokens {
		if t.TokenHash == hash {
			return domain.RehydrateVerificationToken(t), nil
		}
	}
	return nil, application.ErrTokenNotFound
}

func (f fakeTokens) MarkUsed(_ context.Context, id domain.VerificationTokenID, now time.Time) (bool, error) {
	if f.w.beforeMarkUsed != nil {
		f.w.beforeMarkUsed()
	}
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	t, ok := f.w.tokens[id]
	if !ok || t.UsedAt != nil {
		return false, nil
	}
	t.UsedAt = &now
	f.w.tokens[id] = t
	return true, nil
}

func (f fakeTokens) DeleteForUser(_ context.Context, user kernel.UserID, p domain.VerificationPurpose) error {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	maps.DeleteFunc(f.w.tokens, func(_ domain.VerificationTokenID, t domain.VerificationTokenSnapshot) bool {
		return t.UserID == user && t.Purpose == p && t.UsedAt == nil
	})
	return nil
}

func (f fakeTokens) DeleteExpired(_ context.Context, now time.Time) (int, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	n := len(f.w.tokens)
	maps.DeleteFunc(f.w.tokens, func(_ domain.VerificationTokenID, t domain.VerificationTokenSnapshot) bool {
		return !now.Before(t.ExpiresAt) || (t.UsedAt != nil && t.UsedAt.Before(now))
	})
	return n - len(f.w.tokens), nil
}

// --- RateLimiter: fixed windows, not transactional ---

type fakeLimiter struct{ w *world }

func (f fakeLimiter) Hit(ctx context.Context, key string, limit int, win time.Duration, now time.Time) (bool, time.Duration, error) {
	if inTx(ctx) {
		f.w.violate("rate limit %q hit inside a transaction", key)
	}
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	f.w.limitKeys = append(f.w.limitKeys, key)
	c := f.w.limits[key]
	if c == nil || !now.Before(c.start.Add(win)) {
		c = &window{start: now}
		f.w.limits[key] = c
	}
	c.count++
	return c.count <= limit, c.start.Add(win).Sub(now), nil
}

func (f fakeLimiter) HitAll(ctx context.Context, now time.Time, hits ...application.RateHit) ([]application.RateResult, error) {
	var out []application.RateResult
	for _, h := range hits {
		ok, retry, err := f.Hit(ctx, h.Key, h.Limit, h.Window, now)
		if err != nil {
			return nil, err
		}
		out = append(out, application.RateResult{Allowed: ok, RetryAfter: retry})
	}
	return out, nil
}

func (f fakeLimiter) Undo(ctx context.Context, now time.Time, hits ...application.RateHit) error {
	if inTx(ctx) {
		f.w.violate("rate limit undone inside a transaction")
	}
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	for _, h := range hits {
		if c := f.w.limits[h.Key]; c != nil && now.Before(c.start.Add(h.Window)) && c.count > 0 {
			c.count--
		}
	}
	return nil
}

// --- Emails ---

type fakeEmails struct{ w *world }

func (f fakeEmails) send(ctx context.Context, kind string, u *domain.User, url string) error {
	if !inTx(ctx) {
		f.w.violate("%s email sent outside a transaction", kind)
	}
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	if f.w.failEmails != nil {
		return f.w.failEmails
	}
	f.w.emails = append(f.w.emails, sentEmail{Kind: kind, User: u.ID(), To: u.Email().String(), URL: url})
	return nil
}

func (f fakeEmails) VerifyEmail(ctx context.Context, u *domain.User, url string) error {
	return f.send(ctx, "verify", u, url)
}

func (f fakeEmails) PasswordReset(ctx context.Context, u *domain.User, url string) error {
	return f.send(ctx, "reset", u, url)
}

func (f fakeEmails) SetPassword(ctx context.Context, u *domain.User, url string) error {
	return f.send(ctx, "set_password", u, url)
}

func (f fakeEmails) PasswordChanged(ctx context.Context, u *domain.User) error {
	return f.send(ctx, "password_changed", u, "")
}

// --- Account mail queue ---

// fakeMailQueue records each queued link request and, as a worker picking
// it up at once would, delivers it.
type fakeMailQueue struct {
	w   *world
	svc *application.Service
}

func (q *fakeMailQueue) Enqueue(ctx context.Context, req application.AccountMail) error {
	q.w.mu.Lock()
	q.w.queued = append(q.w.queued, req)
	q.w.mu.Unlock()
	return q.svc.DeliverAccountMail(context.WithoutCancel(ctx), req)
}

// --- Members ---

type fakeMembers struct{ w *world }

func (f fakeMembers) Membership(_ context.Context, org kernel.OrganizationID, user kernel.UserID) (application.Membership, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	return application.Membership{Member: f.w.members[org][user]}, nil
}

func (f fakeMembers) SuspendedIDs(context.Context, kernel.OrganizationID) ([]kernel.UserID, error) {
	return nil, nil
}

func (f fakeMembers) Suspend(context.Context, kernel.OrganizationID, kernel.UserID, bool) error {
	return nil
}

func (f fakeMembers) MemberIDs(_ context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	ids := []kernel.UserID{}
	for id := range f.w.members[org] {
		ids = append(ids, id)
	}
	return ids, nil
}

// Invite records the invitation in w.invites; a member is refused as
// tenancy refuses them.
func (f fakeMembers) Invite(ctx context.Context, org kernel.OrganizationID, email string) (application.Invitation, error) {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	for id := range f.w.members[org] {
		if u, ok := f.w.users[id]; ok && u.Email == email {
			return application.Invitation{}, kernel.Conflict("tenancy.already_member", "already a member")
		}
	}
	f.w.invites = append(f.w.invites, email)
	return application.Invitation{ID: "inv_fake", Email: email}, nil
}

func (f fakeMembers) Organizations(context.Context, kernel.UserID) ([]application.UserOrganization, error) {
	return nil, nil
}

func (f fakeMembers) Remove(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) error {
	if !inTx(ctx) {
		f.w.violate("member removed outside a transaction")
	}
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	delete(f.w.members[org], user)
	return nil
}

// --- Publisher ---

type fakePublisher struct{ w *world }

func (f fakePublisher) Publish(ctx context.Context, events ...kernel.Event) error {
	if !inTx(ctx) {
		f.w.violate("events published outside a transaction")
	}
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	f.w.events = append(f.w.events, events...)
	return nil
}

// --- PasswordHasher: the real one, counted, and never inside a tx ---

type countingHasher struct {
	h                   *password.Hasher
	w                   *world
	hash, verify, dummy atomic.Int32
}

func (c *countingHasher) check(ctx context.Context, op string) {
	if inTx(ctx) {
		c.w.violate("password %s inside a transaction", op)
	}
}

func (c *countingHasher) Hash(ctx context.Context, pw string) (string, error) {
	c.check(ctx, "hash")
	c.hash.Add(1)
	return c.h.Hash(ctx, pw)
}

func (c *countingHasher) Verify(ctx context.Context, pw, phc string) (bool, bool, error) {
	c.check(ctx, "verify")
	c.verify.Add(1)
	return c.h.Verify(ctx, pw, phc)
}

func (c *countingHasher) DummyVerify(ctx context.Context, pw string) error {
	c.check(ctx, "dummy verify")
	c.dummy.Add(1)
	return c.h.DummyVerify(ctx, pw)
}

func (c *countingHasher) counts() [3]int32 {
	return [3]int32{c.hash.Load(), c.verify.Load(), c.dummy.Load()}
}

// --- Clock ---

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	_ kernel.UnitOfWork              = fakeUoW{}
	_ application.Users              = fakeUsers{}
	_ application.Sessions           = fakeSessions{}
	_ application.VerificationTokens = fakeTokens{}
	_ application.RateLimiter        = fakeLimiter{}
	_ application.Emails             = fakeEmails{}
	_ application.Members            = fakeMembers{}
	_ kernel.Publisher               = fakePublisher{}
	_ application.PasswordHasher     = (*countingHasher)(nil)
	_ kernel.Clock                   = (*fakeClock)(nil)
)
