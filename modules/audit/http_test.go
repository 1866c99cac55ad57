package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
	"github.com/groundworkhq/groundwork/web"
)

// Headers this suite's middleware reads to make the test kit's principal
// a platform admin, or an impersonated user.
const (
	headerPlatformAdmin = "X-Test-Platform-Admin"
	headerImpersonator  = "X-Test-Impersonator"
)

// principalExtras runs after the test kit's own middleware.
func principalExtras(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if p, ok := kernel.PrincipalFrom(ctx); ok {
			p.PlatformAdmin = r.Header.Get(headerPlatformAdmin) == "true"
			if v := r.Header.Get(headerImpersonator); v != "" {
				p.ImpersonatorID = kernel.MustParseID[kernel.UserKind](v)
			}
			ctx = kernel.WithPrincipal(ctx, p)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// things is a product module whose action, POST /api/test/things,
// publishes thingDone in its transaction and fails after it when asked.
type things struct {
	db  *db.DB
	bus *eventbus.Bus
}

func (m *things) Name() string                { return "things" }
func (m *things) Migrations() db.Migrations   { return db.Migrations{} }
func (m *things) Subscribe(bus *eventbus.Bus) { m.bus = bus }
func (m *things) Workers(*jobs.Registry)      {}

type thingInput struct {
	Body struct {
		Name     string `json:"name"`
		Password string `json:"password,omitempty"`
		Fail     bool   `json:"fail,omitempty"`
	}
}

func (m *things) Routes(r *web.Router) {
	huma.Register(r.API(), huma.Operation{
		OperationID: "test-do-thing", Method: http.MethodPost, Path: "/api/test/things", DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *thingInput) (*struct{}, error) {
		org, _ := kernel.OrganizationFrom(ctx)
		return nil, m.db.Tx(ctx, func(ctx context.Context) error {
			if err := m.bus.Publish(ctx, thingDone{Org: org.OrganizationID, Name: in.Body.Name, Password: in.Body.Password}); err != nil {
				return err
			}
			if in.Body.Fail {
				return kernel.Conflict("things.refused", "The thing was refused after it was done.")
			}
			return nil
		})
	})
}

// e2e boots the app with the audit module, the things module, and iam's
// sign-ins mapped to entries.
type e2e struct {
	*testkit.App
	m *audit.Module
}

func newApp(t *testing.T, dialect db.Dialect) e2e {
	t.Helper()
	var e e2e
	thingsFactory := func(d app.Deps) (app.Module, error) { return &things{db: d.DB}, nil }
	e.App = testkit.New(t, dialect, testkit.WithAppOptions(
		app.WithModules(thingsFactory),
		app.WithMiddleware(principalExtras),
	))
	// The app's own audit log, with iam's and tenancy's events mapped by the
	// composition root; the test adds its module's.
	e.m = e.App.Audit()
	onThingDone(e.m, e.App.Bus())
	return e
}

// entryJSON is an entry as the API shows it.
type entryJSON struct {
	ID             string          `json:"id"`
	OccurredAt     time.Time       `json:"occurredAt"`
	ActorType      string          `json:"actorType"`
	ActorID        *string         `json:"actorId"`
	ImpersonatorID *string         `json:"impersonatorId"`
	OrganizationID *string         `json:"organizationId"`
	Action         string          `json:"action"`
	TargetType     *string         `json:"targetType"`
	TargetID       *string         `json:"targetId"`
	Metadata       json.RawMessage `json:"metadata"`
	IP             *string         `json:"ip"`
	UserAgent      *string         `json:"userAgent"`
	RequestID      *string         `json:"requestId"`
	Seq            int64           `json:"seq"`
	Hash           string          `json:"hash"`
}

type pageJSON struct {
	Items      []entryJSON `json:"items"`
	NextCursor string      `json:"nextCursor"`
}

func list(t *testing.T, c *testkit.Client, path string) pageJSON {
	t.Helper()
	var p pageJSON
	c.Get(path).RequireStatus(t, http.StatusOK).JSON(t, &p)
	return p
}

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

// member returns a client acting as a new user in org with the grants.
func member(a e2e, org kernel.OrganizationID, grants ...string) (*testkit.Client, kernel.UserID) {
	user := kernel.NewID[kernel.UserKind]()
	return a.Client().As(user).InOrganization(org, "member", grants...), user
}

func doThing(t *testing.T, c *testkit.Client, name string, status int, headers ...string) {
	t.Helper()
	c.Post("/api/test/things", map[string]any{"name": name}, headers...).RequireStatus(t, status)
}

func TestAuditAPI_Gates(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a := newApp(t, dialect)
		org := kernel.NewID[kernel.OrganizationKind]()
		anon := a.Client()
		anon.Get("/api/audit").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		anon.Get("/api/v1/platform/audit").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")

		noOrg := a.Client().As(kernel.NewID[kernel.UserKind]())
		noOrg.Get("/api/audit").RequireProblem(t, http.StatusForbidden, "tenancy.no_active_organization")

		noGrant, _ := member(a, org, "users:read", "audit:write")
		noGrant.Get("/api/audit").RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		// The gate answers before the input is read.
		noGrant.Get("/api/audit?limit=0").RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		noGrant.Get("/api/v1/platform/audit").RequireProblem(t, http.StatusForbidden, "platform.forbidden")

		for _, grants := range [][]string{{"audit:read"}, {"audit:*"}, {"*"}} {
			c, _ := member(a, org, grants...)
			if p := list(t, c, "/api/audit"); len(p.Items) != 0 || p.NextCursor != "" {
				t.Errorf("%v: page = %+v", grants, p)
			}
		}
		admin := a.Client().As(kernel.NewID[kernel.UserKind]())
		admin.SetHeader(headerPlatformAdmin, "true")
		list(t, admin, "/api/v1/platform/audit")
		// A platform admin still needs audit:read in an organization.
		admin.Get("/api/audit").RequireProblem(t, http.StatusForbidden, "tenancy.no_active_organization")
	})
}

func TestAuditAPI_RecordsTheRequest(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a := newApp(t, dialect)
		org := kernel.NewID[kernel.OrganizationKind]()
		c, user := member(a, org, "audit:read")
		admin := kernel.NewID[kernel.UserKind]()
		c.Post("/api/test/things", map[string]any{"name": "n1", "password": "hunter2-secret"},
			"User-Agent", "AuditTest/1.0", "X-Request-Id", "req-audit-1", headerImpersonator, admin.String()).
			RequireStatus(t, http.StatusNoContent)

		p := list(t, c, "/api/audit")
		if len(p.Items) != 1 {
			t.Fatalf("%d entries, want 1", len(p.Items))
		}
		e := p.Items[0]
		checks := []struct {
			name      string
			got, want any
		}{
			{"action", e.Action, "things.thing.done"},
			{"actorType", e.ActorType, "user"},
			{"actorId", str(e.ActorID), user.String()},
			{"impersonatorId", str(e.ImpersonatorID), admin.String()},
			{"organizationId", str(e.OrganizationID), org.String()},
			{"targetType", str(e.TargetType), "thing"},
			{"targetId", str(e.TargetID), "n1"},
			{"metadata", string(e.Metadata), `{"name":"n1","password":"[REDACTED]"}`},
			{"ip", str(e.IP), "127.0.0.1"},
			{"userAgent", str(e.UserAgent), "AuditTest/1.0"},
			{"requestId", str(e.RequestID), "req-audit-1"},
			{"occurredAt", e.OccurredAt, a.Clock.Now()},
			{"seq", e.Seq, int64(1)},
			{"hash length", len(e.Hash), 64},
		}
		for _, ch := range checks {
			if fmt.Sprint(ch.got) != fmt.Sprint(ch.want) {
				t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
			}
		}
		if !strings.HasPrefix(e.ID, "aud_") {
			t.Errorf("id = %q", e.ID)
		}

		// Metadata edited into something that is not JSON is shown as a
		// string rather than failing the page.
		tamper(t, a.DB(), `UPDATE audit_entries SET metadata = 'not {json' WHERE id = $1`, e.ID)
		if p := list(t, c, "/api/audit"); len(p.Items) != 1 || string(p.Items[0].Metadata) != `"not {json"` {
			t.Errorf("after editing the metadata: %+v", p.Items)
		}
	})
}

func TestAuditAPI_RolledBackRequestLeavesNoEntry(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a := newApp(t, dialect)
		org := kernel.NewID[kernel.OrganizationKind]()
		c, _ := member(a, org, "audit:read")
		c.Post("/api/test/things", map[string]any{"name": "refused", "fail": true}).RequireProblem(t, http.StatusConflict, "things.refused")
		doThing(t, c, "kept", http.StatusNoContent)
		p := list(t, c, "/api/audit")
		if len(p.Items) != 1 || str(p.Items[0].TargetID) != "kept" || p.Items[0].Seq != 1 {
			t.Errorf("entries = %+v, want only the kept thing, at seq 1", p.Items)
		}
	})
}

func TestAuditAPI_OrganizationsSeeOnlyTheirOwn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a := newApp(t, dialect)
		orgA, orgB := kernel.NewID[kernel.OrganizationKind](), kernel.NewID[kernel.OrganizationKind]()
		ca, userA := member(a, orgA, "audit:read")
		cb, _ := member(a, orgB, "audit:read")
		for i := range 3 {
			doThing(t, ca, fmt.Sprintf("a%d", i), http.StatusNoContent)
		}
		doThing(t, cb, "b0", http.StatusNoContent)
		// A platform-level entry: no organization.
		doThing(t, a.Client().As(kernel.NewID[kernel.UserKind]()), "platform0", http.StatusNoContent)

		pa := list(t, ca, "/api/audit")
		pb := list(t, cb, "/api/audit")
		if len(pa.Items) != 3 || len(pb.Items) != 1 {
			t.Fatalf("A sees %d, B sees %d; want 3 and 1", len(pa.Items), len(pb.Items))
		}
		for _, e := range pa.Items {
			if str(e.OrganizationID) != orgA.String() {
				t.Errorf("A sees an entry of %s", str(e.OrganizationID))
			}
		}
		if str(pb.Items[0].OrganizationID) != orgB.String() || str(pb.Items[0].TargetID) != "b0" {
			t.Errorf("B sees %+v", pb.Items[0])
		}
		// Filters never reach across: B asking for A's actor or target
		// finds nothing.
		for _, q := range []string{"actorId=" + userA.String(), "targetType=thing&targetId=a1", "action=things."} {
			p := list(t, cb, "/api/audit?"+q)
			for _, e := range p.Items {
				if str(e.OrganizationID) != orgB.String() {
					t.Errorf("B with %s sees %+v", q, e)
				}
			}
		}

		admin := a.Client().As(kernel.NewID[kernel.UserKind]())
		admin.SetHeader(headerPlatformAdmin, "true")
		if p := list(t, admin, "/api/v1/platform/audit"); len(p.Items) != 5 {
			t.Errorf("the platform sees %d entries, want 5", len(p.Items))
		}
		p := list(t, admin, "/api/v1/platform/audit?organizationId="+orgA.String())
		if len(p.Items) != 3 {
			t.Errorf("the platform filtered to A sees %d entries, want 3", len(p.Items))
		}
		p = list(t, admin, "/api/v1/platform/audit?targetId=platform0&targetType=thing")
		if len(p.Items) != 1 || p.Items[0].OrganizationID != nil {
			t.Errorf("the platform-level entry: %+v", p.Items)
		}
	})
}

func TestAuditAPI_PaginationIsStableWhileEntriesArrive(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a := newApp(t, dialect)
		org := kernel.NewID[kernel.OrganizationKind]()
		c, _ := member(a, org, "audit:read")
		var want []string // newest first
		for i := range 7 {
			if i%2 == 0 {
				a.Clock.Advance(time.Second) // some entries share a time
			}
			doThing(t, c, fmt.Sprintf("t%d", i), http.StatusNoContent)
		}
		for _, e := range list(t, c, "/api/audit").Items {
			want = append(want, e.ID)
		}
		var got []string
		cursor := ""
		for page := 0; ; page++ {
			path := "/api/audit?limit=3"
			if cursor != "" {
				path += "&cursor=" + url.QueryEscape(cursor)
			}
			p := list(t, c, path)
			for _, e := range p.Items {
				got = append(got, e.ID)
			}
			// New entries arrive between pages, at the same time as the
			// newest and later.
			doThing(t, c, fmt.Sprintf("new%d", page), http.StatusNoContent)
			a.Clock.Advance(time.Second)
			doThing(t, c, fmt.Sprintf("newer%d", page), http.StatusNoContent)
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
			if page > 5 {
				t.Fatal("pagination does not end")
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("paged\n %v\nwant\n %v", got, want)
		}
	})
}

func TestAuditAPI_Filters(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a := newApp(t, dialect)
		org := kernel.NewID[kernel.OrganizationKind]()
		c, user := member(a, org, "audit:read")
		ctx := kernel.WithPrincipal(context.Background(), kernel.Principal{UserID: user})
		start := a.Clock.Now()
		for i, e := range []audit.Entry{
			{Action: "member.added", TargetType: "user", TargetID: "usr_1"},
			{Action: "member.role_changed", TargetType: "user", TargetID: "usr_1"},
			{Action: "organization.renamed", TargetType: "organization", TargetID: org.String()},
			{Action: "member.removed", ActorID: "usr_other", TargetType: "user", TargetID: "usr_2"},
		} {
			a.Clock.Set(start.Add(time.Duration(i) * time.Hour))
			e.OrganizationID = org
			if err := a.m.Record(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		actions := func(q string) string {
			t.Helper()
			var out []string
			for _, e := range list(t, c, "/api/audit?"+q).Items {
				out = append(out, e.Action)
			}
			return strings.Join(out, ",")
		}
		ts := func(d time.Duration) string { return url.QueryEscape(start.Add(d).Format(time.RFC3339)) }
		for _, tt := range []struct{ q, want string }{
			{"", "member.removed,organization.renamed,member.role_changed,member.added"},
			{"action=member.", "member.removed,member.role_changed,member.added"},
			{"action=member.r", "member.removed,member.role_changed"},
			{"action=organization.renamed", "organization.renamed"},
			{"actorId=" + user.String(), "organization.renamed,member.role_changed,member.added"},
			{"actorId=usr_other", "member.removed"},
			{"targetType=user&targetId=usr_1", "member.role_changed,member.added"},
			{"targetType=organization", "organization.renamed"},
			{"from=" + ts(time.Hour), "member.removed,organization.renamed,member.role_changed"},
			{"to=" + ts(time.Hour), "member.added"},
			{"from=" + ts(time.Hour) + "&to=" + ts(3*time.Hour), "organization.renamed,member.role_changed"},
			{"action=member.&from=" + ts(90*time.Minute), "member.removed"},
		} {
			if got := actions(tt.q); got != tt.want {
				t.Errorf("?%s: %s, want %s", tt.q, got, tt.want)
			}
		}

		for _, tt := range []struct{ q, code, field string }{
			{"from=yesterday", "http.validation", "query.from"},
			{"to=2026-13-01T00:00:00Z", "http.validation", "query.to"},
			{"from=" + ts(time.Hour) + "&to=" + ts(time.Hour), "audit.invalid_filter", "query.to"},
			{"cursor=not-a-cursor", "audit.invalid_cursor", "query.cursor"},
			{"limit=0", "http.validation", "query.limit"},
			{"limit=201", "http.validation", "query.limit"},
		} {
			p := c.Get("/api/audit?"+tt.q).RequireProblem(t, http.StatusUnprocessableEntity, tt.code)
			if _, ok := p.Field(tt.field); !ok {
				t.Errorf("?%s: field errors %+v do not name %s", tt.q, p.Errors, tt.field)
			}
		}
		admin := a.Client().As(kernel.NewID[kernel.UserKind]())
		admin.SetHeader(headerPlatformAdmin, "true")
		p := admin.Get("/api/v1/platform/audit?organizationId=nope").RequireProblem(t, http.StatusUnprocessableEntity, "audit.invalid_filter")
		if _, ok := p.Field("query.organizationId"); !ok {
			t.Errorf("field errors %+v", p.Errors)
		}
		if got := len(list(t, admin, "/api/v1/platform/audit?action=member.&limit=2").Items); got != 2 {
			t.Errorf("platform page of 2: %d entries", got)
		}
	})
}

func TestAuditAPI_SignInIsAudited(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a := newApp(t, dialect)
		const password = "correct horse battery"
		c := a.Client()
		var out struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		c.Post("/api/auth/sign-up/email", map[string]any{"email": "ana@example.com", "password": password, "name": "Ana"},
			"User-Agent", "SignInTest/2").RequireStatus(t, http.StatusOK).JSON(t, &out)

		admin := a.Client().As(kernel.NewID[kernel.UserKind]())
		admin.SetHeader(headerPlatformAdmin, "true")
		p := list(t, admin, "/api/v1/platform/audit?action=user.signed_in")
		if len(p.Items) != 1 {
			t.Fatalf("%d sign-in entries, want 1", len(p.Items))
		}
		e := p.Items[0]
		if str(e.ActorID) != out.User.ID || e.ActorType != "user" || str(e.UserAgent) != "SignInTest/2" ||
			str(e.IP) != "127.0.0.1" || e.OrganizationID != nil || str(e.TargetType) != "session" {
			t.Errorf("entry = %+v (actor %s ua %s ip %s)", e, str(e.ActorID), str(e.UserAgent), str(e.IP))
		}
		r, err := a.m.Verify(context.Background())
		if err != nil || !r.Intact() {
			t.Errorf("Verify = %v, %v", r.Broken(), err)
		}
	})
}
