package iam_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
	"github.com/groundworkhq/groundwork/web"
)

// adminUserJSON is a user as /api/users shows it.
type invitationJSON struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expiresAt"`
}

type adminUserJSON struct {
	userJSON
	LastLoginAt *time.Time `json:"lastLoginAt"`
}

type userPage struct {
	Items      []adminUserJSON `json:"items"`
	NextCursor string          `json:"nextCursor"`
}

// TestUsers_Gate drives /api/users in the app as wired today, without
// tenancy: the gate (401, 403 without an organization, 403 without the
// grant) and NoMembers (nobody listed, everyone 404, creation 503). What
// membership allows is TestUsers_WithMembers'.
func TestUsers_Gate(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		admin := a.Client()
		signUp(t, admin, newEmail("admin"), "Admin")
		targetEmail := newEmail("target")
		target := signUp(t, a.Client(), targetEmail, "Target").User.ID
		org := kernel.NewID[kernel.OrganizationKind]()

		type route struct {
			method, path, perm string
			body               any
		}
		routes := []route{
			{http.MethodGet, "/api/users", iam.PermUsersRead, nil},
			{http.MethodGet, "/api/users/" + target, iam.PermUsersRead, nil},
			{http.MethodPost, "/api/users", iam.PermUsersCreate, map[string]any{"email": newEmail("new")}},
			{http.MethodPatch, "/api/users/" + target, iam.PermUsersUpdate, map[string]any{"name": "Renamed"}},
			{http.MethodDelete, "/api/users/" + target, iam.PermUsersDelete, nil},
		}
		for _, r := range routes {
			a.Client().Do(r.method, r.path, r.body).RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
			admin.InOrganization(kernel.OrganizationID{}, "")
			admin.Do(r.method, r.path, r.body).RequireProblem(t, http.StatusForbidden, "tenancy.no_active_organization")
			admin.InOrganization(org, "member")
			admin.Do(r.method, r.path, r.body).RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
			admin.InOrganization(org, "member", "audit:read", "users:nothing")
			admin.Do(r.method, r.path, r.body).RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		}
		// The grant is checked before the input: no validation leak.
		admin.InOrganization(org, "member")
		admin.Post("/api/users", `{"email":`).RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")

		// With the grants: nobody belongs to the made-up organization.
		for _, grants := range [][]string{{"users:read", "users:create", "users:update", "users:delete"}, {"users:*"}, {"*"}} {
			admin.InOrganization(org, "admin", grants...)
			var page userPage
			admin.Get("/api/users").RequireStatus(t, http.StatusOK).JSON(t, &page)
			if page.Items == nil || len(page.Items) != 0 || page.NextCursor != "" {
				t.Errorf("list = %+v, want no users", page)
			}
			admin.Get("/api/users/"+target).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
			admin.Do(http.MethodPatch, "/api/users/"+target, map[string]any{"active": false}).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
			admin.Do(http.MethodDelete, "/api/users/"+target, nil).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		}
		// The target was left alone (read through the module's Go API).
		u, err := a.IAM().User(context.Background(), kernel.MustParseID[kernel.UserKind](target))
		if err != nil || u.Name != "Target" || !u.Active || u.Email != targetEmail {
			t.Errorf("target = %+v, %v", u, err)
		}
		signIn(t, a.Client(), targetEmail, password)
		if _, err := a.IAM().User(context.Background(), kernel.NewID[kernel.UserKind]()); !errors.Is(err, iam.ErrUserNotFound) {
			t.Errorf("User(unknown) = %v, want ErrUserNotFound", err)
		}

		// Creation goes through tenancy, which knows no such organization
		// (the test kit's header made it up); nothing is left behind.
		email := newEmail("created")
		admin.Post("/api/users", map[string]any{"email": email}).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		signUp(t, a.Client(), email, "Created later")

		// Bad input, with the grant.
		admin.Get("/api/users?cursor=nope").RequireProblem(t, http.StatusUnprocessableEntity, "iam.invalid_cursor")
		admin.Get("/api/users?limit=0").RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")
		admin.Get("/api/users?limit=201").RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")
		admin.Get("/api/users/not-an-id").RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		admin.Post("/api/users", map[string]any{"name": "No email"}).RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")
		p := admin.Post("/api/users", map[string]any{"email": "nope"}).RequireProblem(t, http.StatusUnprocessableEntity, "iam.invalid_email")
		if !hasField(p, "email") {
			t.Errorf("field errors = %+v", p.Errors)
		}
		// Account fields are not the organization's to set.
		admin.Post("/api/users", map[string]any{"email": email, "name": "Squatter"}).RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")

		// The test kit's principal header works as a session does.
		o := a.Client().As(kernel.MustParseID[kernel.UserKind](target)).InOrganization(org, "admin", "users:read")
		o.Get("/api/users").RequireStatus(t, http.StatusOK)
	})
}

// TestUsers_WithMembers wires iam alone, with a Members port that knows
// organizations, and drives /api/users as tenancy will: scoped to the
// active organization's members, another organization's users 404.
func TestUsers_WithMembers(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		h := newMembersHarness(t, dialect)
		orgA, orgB := kernel.NewID[kernel.OrganizationKind](), kernel.NewID[kernel.OrganizationKind]()
		adminA := h.signUp(t, newEmail("admina"))
		adminB := h.signUp(t, newEmail("adminb"))
		h.members.add(orgA, adminA)
		h.members.add(orgB, adminB)
		asA := caller{user: adminA, org: orgA, grants: "users:*"}
		asB := caller{user: adminB, org: orgB, grants: "users:*"}

		// An admin of A adds a newcomer: an invitation, answered the same
		// whether an account exists or not; no account is created.
		email := newEmail("newcomer")
		var invited invitationJSON
		h.do(t, asA, http.MethodPost, "/api/users", map[string]any{"email": strings.ToUpper(email)}, http.StatusAccepted, &invited)
		if invited.Email != email || invited.Status != "pending" || invited.ID == "" {
			t.Errorf("invited = %+v", invited)
		}
		if h.emails.count("set_password", email) != 0 {
			t.Error("an invitation created an account")
		}
		h.problem(t, caller{}, http.MethodPost, "/api/auth/sign-in/email", map[string]any{"email": email, "password": password}, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")
		// The newcomer signs up and accepts (tenancy's part, simulated).
		newcomer := h.signUp(t, email)
		h.members.add(orgA, newcomer)
		var created adminUserJSON
		created.ID = newcomer.String()
		jar := h.signIn(t, email)

		// A sees both; search and pages work.
		var page userPage
		h.do(t, asA, http.MethodGet, "/api/users", nil, http.StatusOK, &page)
		if len(page.Items) != 2 || page.NextCursor != "" {
			t.Errorf("A's users = %+v", page)
		}
		h.do(t, asA, http.MethodGet, "/api/users?search="+url.QueryEscape("NEWCOMER"), nil, http.StatusOK, &page)
		if len(page.Items) != 1 || page.Items[0].ID != created.ID || page.Items[0].LastLoginAt == nil {
			t.Errorf("search = %+v", page)
		}
		var first, second userPage
		h.do(t, asA, http.MethodGet, "/api/users?limit=1", nil, http.StatusOK, &first)
		h.do(t, asA, http.MethodGet, "/api/users?limit=1&cursor="+first.NextCursor, nil, http.StatusOK, &second)
		if len(first.Items) != 1 || first.NextCursor == "" || len(second.Items) != 1 || second.NextCursor != "" || first.Items[0].ID == second.Items[0].ID {
			t.Errorf("pages = %+v / %+v", first, second)
		}

		// B sees none of A's users: every route answers 404.
		h.do(t, asB, http.MethodGet, "/api/users", nil, http.StatusOK, &page)
		if len(page.Items) != 1 || page.Items[0].ID != adminB.String() {
			t.Errorf("B's users = %+v", page)
		}
		h.problem(t, asB, http.MethodGet, "/api/users/"+created.ID, nil, http.StatusNotFound, "iam.user_not_found")
		h.problem(t, asB, http.MethodPatch, "/api/users/"+created.ID, map[string]any{"active": false}, http.StatusNotFound, "iam.user_not_found")
		h.problem(t, asB, http.MethodDelete, "/api/users/"+created.ID, nil, http.StatusNotFound, "iam.user_not_found")
		if !h.signedIn(t, jar) {
			t.Fatal("B's refused calls touched A's user")
		}

		// Inviting an existing account answers exactly as inviting nobody's
		// address, and does not make it a member.
		var inB invitationJSON
		h.do(t, asB, http.MethodPost, "/api/users", map[string]any{"email": email}, http.StatusAccepted, &inB)
		if inB.Email != email || inB.Status != "pending" {
			t.Errorf("existing account invited to B = %+v", inB)
		}
		h.problem(t, asB, http.MethodGet, "/api/users/"+created.ID, nil, http.StatusNotFound, "iam.user_not_found")
		h.problem(t, asA, http.MethodPost, "/api/users", map[string]any{"email": "x@"}, http.StatusUnprocessableEntity, "iam.invalid_email")

		// An organization changes no account-wide field, not even its own
		// admin's: the account is its person's.
		for _, patch := range []map[string]any{{"active": false}, {"name": "Renamed"}, {"username": "renamed"}, {"locale": nil}} {
			h.problem(t, asA, http.MethodPatch, "/api/users/"+created.ID, patch, http.StatusForbidden, "iam.account_fields_personal")
			h.problem(t, asA, http.MethodPatch, "/api/users/"+adminA.String(), patch, http.StatusForbidden, "iam.account_fields_personal")
		}
		var still adminUserJSON
		h.do(t, asA, http.MethodGet, "/api/users/"+created.ID, nil, http.StatusOK, &still)
		if !still.Active || still.Name == "Renamed" || still.Username != nil {
			t.Errorf("the account changed: %+v", still)
		}
		if !h.signedIn(t, jar) {
			t.Error("a refused PATCH signed the user out")
		}

		// Removal takes the user out of A only.
		h.do(t, asA, http.MethodDelete, "/api/users/"+created.ID, nil, http.StatusNoContent, nil)
		h.problem(t, asA, http.MethodGet, "/api/users/"+created.ID, nil, http.StatusNotFound, "iam.user_not_found")
		if !h.signedIn(t, jar) {
			t.Error("removal from an organization signed the user out")
		}
	})
}

// membersHarness is iam on its own over a database, behind a router whose
// test middleware reads the caller from headers.
type membersHarness struct {
	url     string
	members *fakeMembers
	emails  *fakeEmails
}

func newMembersHarness(t *testing.T, dialect db.Dialect) *membersHarness {
	t.Helper()
	ctx := context.Background()
	d := testdb.Open(t, dialect)
	srv := httptest.NewUnstartedServer(nil)
	h := &membersHarness{url: "http://" + srv.Listener.Addr().String(), members: &fakeMembers{}, emails: &fakeEmails{}}
	serverURL, _ := url.Parse(h.url)
	m, err := iam.New(iam.Deps{
		Services: module.Services{
			DB: d, Bus: eventbus.New(d), Logger: testkit.Logger(t),
			Jobs: jobs.Prepare(d, jobs.NewRegistry(), jobs.Config{}, testkit.Logger(t)), // these routes queue nothing
		},
		Config: iam.Config{ServerURL: serverURL},
		Emails: h.emails, Members: h.members,
	})
	if err != nil {
		t.Fatal(err)
	}
	mig := m.Migrations()
	mig.Module = m.Name()
	set, err := d.GooseSet(mig)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.NewMigrator(d, testkit.Logger(t), set).Up(ctx); err != nil {
		t.Fatal(err)
	}
	rt := web.NewRouter(web.Config{}, testkit.Logger(t), nil)
	m.Routes(rt)
	rt.Use(callerHeaders)
	srv.Config.Handler = rt.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return h
}

// caller is who a harness request acts as; zero: anonymous.
type caller struct {
	user   kernel.UserID
	org    kernel.OrganizationID
	grants string
}

// callerHeaders puts the caller named by X-User, X-Org and X-Grants in the
// request context, as tenancy's middleware will.
func callerHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if v := r.Header.Get("X-User"); v != "" {
			ctx = kernel.WithPrincipal(ctx, kernel.Principal{UserID: kernel.MustParseID[kernel.UserKind](v)})
		}
		if v := r.Header.Get("X-Org"); v != "" {
			ctx = kernel.WithOrganization(ctx, kernel.OrganizationContext{
				OrganizationID: kernel.MustParseID[kernel.OrganizationKind](v),
				Grants:         strings.Split(r.Header.Get("X-Grants"), ","),
			})
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (h *membersHarness) send(t *testing.T, c caller, client *http.Client, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !c.user.IsZero() {
		req.Header.Set("X-User", c.user.String())
	}
	if !c.org.IsZero() {
		req.Header.Set("X-Org", c.org.String())
		req.Header.Set("X-Grants", c.grants)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// do sends a request and decodes the answer into out (when not nil),
// failing unless the status is want.
func (h *membersHarness) do(t *testing.T, c caller, method, path string, body any, want int, out any) {
	t.Helper()
	status, b := h.send(t, c, nil, method, path, body)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// problem sends a request and checks the problem's status and code.
func (h *membersHarness) problem(t *testing.T, c caller, method, path string, body any, status int, code string) {
	t.Helper()
	got, b := h.send(t, c, nil, method, path, body)
	var p struct{ Code string }
	_ = json.Unmarshal(b, &p)
	if got != status || p.Code != code {
		t.Fatalf("%s %s: %d %q, want %d %q: %s", method, path, got, p.Code, status, code, b)
	}
}

func (h *membersHarness) signUp(t *testing.T, email string) kernel.UserID {
	t.Helper()
	var out tokenUser
	h.do(t, caller{}, http.MethodPost, "/api/auth/sign-up/email", map[string]any{"email": email, "password": password, "name": "Admin"}, http.StatusOK, &out)
	return kernel.MustParseID[kernel.UserKind](out.User.ID)
}

// signIn returns a client holding a session of the user.
func (h *membersHarness) signIn(t *testing.T, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	status, b := h.send(t, caller{}, client, http.MethodPost, "/api/auth/sign-in/email", map[string]any{"email": email, "password": password})
	if status != http.StatusOK {
		t.Fatalf("sign-in %s: %d %s", email, status, b)
	}
	return client
}

// signedIn reports whether the client's session still works.
func (h *membersHarness) signedIn(t *testing.T, client *http.Client) bool {
	t.Helper()
	status, b := h.send(t, caller{}, client, http.MethodGet, "/api/auth/get-session", nil)
	if status != http.StatusOK {
		t.Fatalf("get-session: %d %s", status, b)
	}
	return strings.TrimSpace(string(b)) != "null"
}

// fakeMembers is tenancy's membership, in memory.
type fakeMembers struct {
	mu      sync.Mutex
	m       map[kernel.OrganizationID]map[kernel.UserID]bool // member → suspended
	invited []string
}

var _ iam.Members = (*fakeMembers)(nil)

func (f *fakeMembers) add(org kernel.OrganizationID, user kernel.UserID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[kernel.OrganizationID]map[kernel.UserID]bool{}
	}
	if f.m[org] == nil {
		f.m[org] = map[kernel.UserID]bool{}
	}
	f.m[org][user] = false // the value is "suspended"
}

func (f *fakeMembers) Organizations(context.Context, kernel.UserID) ([]iam.UserOrganization, error) {
	return nil, nil
}

func (f *fakeMembers) Membership(_ context.Context, org kernel.OrganizationID, user kernel.UserID) (iam.Membership, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, member := f.m[org][user]
	return iam.Membership{Member: member, Suspended: f.m[org][user]}, nil
}

func (f *fakeMembers) SuspendedIDs(_ context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []kernel.UserID
	for id, suspended := range f.m[org] {
		if suspended {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (f *fakeMembers) Suspend(_ context.Context, org kernel.OrganizationID, user kernel.UserID, suspended bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[org][user] = suspended
	return nil
}

func (f *fakeMembers) MemberIDs(_ context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := []kernel.UserID{}
	for id := range f.m[org] {
		ids = append(ids, id)
	}
	return ids, nil
}

func (f *fakeMembers) Invite(ctx context.Context, org kernel.OrganizationID, email string) (iam.Invitation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invited = append(f.invited, email)
	return iam.Invitation{ID: "inv_" + strconv.Itoa(len(f.invited)), Email: email, ExpiresAt: time.Now().Add(7 * 24 * time.Hour)}, nil
}

func (f *fakeMembers) Remove(_ context.Context, org kernel.OrganizationID, user kernel.UserID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m[org], user)
	return nil
}

// fakeEmails records the account emails iam asks for.
type fakeEmails struct {
	mu   sync.Mutex
	sent []sentEmail
}

type sentEmail struct {
	kind      string
	to        iam.Recipient
	url       string
	expiresIn time.Duration
}

var _ iam.Emails = (*fakeEmails)(nil)

func (f *fakeEmails) record(kind string, to iam.Recipient, url string, expiresIn time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, sentEmail{kind: kind, to: to, url: url, expiresIn: expiresIn})
	return nil
}

func (f *fakeEmails) VerifyEmail(_ context.Context, to iam.Recipient, url string, d time.Duration) error {
	return f.record("verify_email", to, url, d)
}

func (f *fakeEmails) PasswordReset(_ context.Context, to iam.Recipient, url string, d time.Duration) error {
	return f.record("password_reset", to, url, d)
}

func (f *fakeEmails) SetPassword(_ context.Context, to iam.Recipient, url string, d time.Duration) error {
	return f.record("set_password", to, url, d)
}

func (f *fakeEmails) PasswordChanged(_ context.Context, to iam.Recipient, _ time.Time) error {
	return f.record("password_changed", to, "", 0)
}

func (f *fakeEmails) count(kind, to string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.sent {
		if s.kind == kind && s.to.Email == to {
			n++
		}
	}
	return n
}

func (f *fakeEmails) find(t *testing.T, kind, to string) sentEmail {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.sent {
		if s.kind == kind && s.to.Email == to {
			return s
		}
	}
	t.Fatalf("no %s email to %s among %+v", kind, to, f.sent)
	return sentEmail{}
}
