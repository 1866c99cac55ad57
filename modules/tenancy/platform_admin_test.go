package tenancy_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy"
	"github.com/groundworkhq/groundwork/testkit"
)

// platformPrefix is where platform administration answers.
const platformPrefix = "/api/v1/platform"

// platformOrgJSON is an organization as platform administration lists it.
type platformOrgJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	MemberCount int       `json:"memberCount"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

type platformMemberJSON struct {
	ID          string     `json:"id"`
	UserID      string     `json:"userId"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	Status      string     `json:"status"`
	JoinedAt    time.Time  `json:"joinedAt"`
	SuspendedAt *time.Time `json:"suspendedAt"`
}

type platformInvitationJSON struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	ExpiresAt time.Time `json:"expiresAt"`
	CreatedAt time.Time `json:"createdAt"`
	Inviter   struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"inviter"`
}

type platformOrgDetailJSON struct {
	platformOrgJSON
	Members          []platformMemberJSON     `json:"members"`
	MembersTruncated bool                     `json:"membersTruncated"`
	Invitations      []platformInvitationJSON `json:"invitations"`
}

// auditEntryJSON is what this file reads of a platform audit entry.
type auditEntryJSON struct {
	ActorID        *string        `json:"actorId"`
	OrganizationID *string        `json:"organizationId"`
	Action         string         `json:"action"`
	TargetType     *string        `json:"targetType"`
	TargetID       *string        `json:"targetId"`
	Metadata       map[string]any `json:"metadata"`
}

// platformAdmin signs up Ada, and returns her and a client acting as her,
// a platform admin.
func platformAdmin(t testing.TB, a *testkit.App) (testkit.Account, *testkit.Client) {
	t.Helper()
	ada := a.SignUp(t, testkit.NewEmail("ada"), "Ada Admin", true)
	return ada, a.Client().AsPlatformAdmin(ada.ID)
}

// listOrgs lists as c with the query and returns the page.
func listOrgs(t testing.TB, c *testkit.Client, query string) page[platformOrgJSON] {
	t.Helper()
	var p page[platformOrgJSON]
	c.Get(platformPrefix+"/organizations?"+query).RequireStatus(t, http.StatusOK).JSON(t, &p)
	return p
}

// orgIDs returns the IDs of list, in order.
func orgIDs(list []platformOrgJSON) []string {
	out := make([]string, len(list))
	for i, o := range list {
		out[i] = o.ID
	}
	return out
}

// auditOf lists as the admin c the platform audit entries of action about
// target.
func auditOf(t testing.TB, c *testkit.Client, action, target string) []auditEntryJSON {
	t.Helper()
	var p page[auditEntryJSON]
	c.Get(platformPrefix+"/audit?"+url.Values{"action": {action}, "targetId": {target}}.Encode()).RequireStatus(t, http.StatusOK).JSON(t, &p)
	return p.Items
}

func TestPlatformOrganizations_Access(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := join(t, a, owner.Client, o.ID, "bob", "member")
		ada, admin := platformAdmin(t, a)
		anon := a.Client()
		impersonated := a.Client().AsPlatformAdmin(ada.ID)
		impersonated.SetHeader(testkit.HeaderImpersonator, bob.ID.String())
		log := newTenancyEventLog(a)

		routes := []struct {
			name, method, path string
			body               any
		}{
			{"list", http.MethodGet, "/organizations", nil},
			{"get", http.MethodGet, "/organizations/" + o.ID, nil},
			{"delete", http.MethodDelete, "/organizations/" + o.ID, nil},
			{"transfer", http.MethodPost, "/organizations/" + o.ID + "/transfer", map[string]any{"userId": bob.ID.String()}},
		}
		for _, r := range routes {
			// Even the organization's owner is no platform admin.
			anon.Do(r.method, platformPrefix+r.path, r.body).RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
			owner.Do(r.method, platformPrefix+r.path, r.body).RequireProblem(t, http.StatusForbidden, "platform.forbidden")
			bob.Do(r.method, platformPrefix+r.path, r.body).RequireProblem(t, http.StatusForbidden, "platform.forbidden")
			impersonated.Do(r.method, platformPrefix+r.path, r.body).RequireProblem(t, http.StatusForbidden, "platform.impersonating")
		}
		if ev := log.take(); len(ev) != 0 {
			t.Fatalf("refused requests published %v", ev)
		}
		if ms := members(t, owner.Client, o.ID); len(ms) != 2 || roleOf(ms, owner.ID.String()) != "owner" || roleOf(ms, bob.ID.String()) != "member" {
			t.Fatalf("after refused requests, members = %+v", ms)
		}

		// The admin passes on each, the deletion last.
		admin.Get(platformPrefix+"/organizations").RequireStatus(t, http.StatusOK)
		admin.Get(platformPrefix+"/organizations/"+o.ID).RequireStatus(t, http.StatusOK)
		admin.Post(platformPrefix+"/organizations/"+o.ID+"/transfer", map[string]any{"userId": bob.ID.String()}).RequireStatus(t, http.StatusOK)
		admin.Do(http.MethodDelete, platformPrefix+"/organizations/"+o.ID, nil).RequireStatus(t, http.StatusNoContent)
	})
}

func TestPlatformOrganizations_List(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, acmeOrg := acme(t, a) // 3 members, one of them suspended
		join(t, a, owner.Client, acmeOrg.ID, "bob", "member")
		carol := join(t, a, owner.Client, acmeOrg.ID, "carol", "member")
		owner.Do(http.MethodPatch, "/api/organizations/"+acmeOrg.ID+"/members/"+carol.ID.String(), map[string]any{"status": "suspended"}).
			RequireStatus(t, http.StatusOK)
		a.Clock.Advance(time.Hour)
		beta := createOrg(t, owner.Client, "Beta Labs", "beta-labs") // 2 members
		join(t, a, owner.Client, beta.ID, "dave", "admin")
		a.Clock.Advance(time.Hour)
		club := createOrg(t, owner.Client, "100%_Club", "club") // 1 member
		a.Clock.Advance(time.Hour)
		// Two at one instant: the later ID is listed first.
		delta := createOrg(t, owner.Client, "Delta", "delta")
		echo := createOrg(t, owner.Client, "Echo", "echo")
		_, admin := platformAdmin(t, a)

		all := []string{echo.ID, delta.ID, club.ID, beta.ID, acmeOrg.ID}
		got := listOrgs(t, admin, "")
		if !slices.Equal(orgIDs(got.Items), all) || got.NextCursor != "" {
			t.Fatalf("list = %v (next %q), want %v", orgIDs(got.Items), got.NextCursor, all)
		}
		want := map[string]platformOrgJSON{}
		for o, n := range map[orgJSON]int{acmeOrg: 3, beta: 2, club: 1, delta: 1, echo: 1} {
			want[o.ID] = platformOrgJSON{ID: o.ID, Name: o.Name, Slug: o.Slug, MemberCount: n, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
		}
		for _, item := range got.Items {
			w := want[item.ID]
			if item.Name != w.Name || item.Slug != w.Slug || item.MemberCount != w.MemberCount ||
				!item.CreatedAt.Equal(w.CreatedAt) || !item.UpdatedAt.Equal(w.UpdatedAt) {
				t.Errorf("item = %+v, want %+v", item, w)
			}
		}

		t0 := acmeOrg.CreatedAt
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"search=ACME", []string{acmeOrg.ID}},
			{"search=" + url.QueryEscape(" labs "), []string{beta.ID}},
			{"search=beta-l", []string{beta.ID}},
			{"search=" + url.QueryEscape("%"), []string{club.ID}},
			{"search=" + url.QueryEscape("0%_c"), []string{club.ID}},
			{"search=_", []string{club.ID}},
			{"search=nobody", nil},
			{"minMembers=2", []string{beta.ID, acmeOrg.ID}},
			{"minMembers=3", []string{acmeOrg.ID}},
			{"maxMembers=1", []string{echo.ID, delta.ID, club.ID}},
			{"minMembers=2&maxMembers=2", []string{beta.ID}},
			{"maxMembers=0", nil},
			{"minMembers=0", all},
			{"createdFrom=" + url.QueryEscape(t0.Add(time.Hour).Format(time.RFC3339)), []string{echo.ID, delta.ID, club.ID, beta.ID}},
			{"createdTo=" + url.QueryEscape(t0.Add(time.Hour).Format(time.RFC3339)), []string{acmeOrg.ID}},
			{"createdFrom=" + url.QueryEscape(t0.Add(time.Hour).Format(time.RFC3339)) + "&createdTo=" + url.QueryEscape(t0.Add(3*time.Hour).Format(time.RFC3339)),
				[]string{club.ID, beta.ID}},
			{"search=e&minMembers=1&maxMembers=2&createdTo=" + url.QueryEscape(t0.Add(3*time.Hour).Format(time.RFC3339)), []string{beta.ID}},
		} {
			if got := orgIDs(listOrgs(t, admin, tc.query).Items); !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
			}
		}

		// Pages of two: organizations created meanwhile, newer or at the
		// same instant as a page's last, make no page repeat or skip one
		// that was there; the last page has no nextCursor.
		var paged []string
		created := map[string]bool{}
		cursor, pages := "", 0
		for {
			p := listOrgs(t, admin, "limit=2&cursor="+url.QueryEscape(cursor))
			pages++
			for _, item := range p.Items {
				if !created[item.ID] {
					paged = append(paged, item.ID)
				}
			}
			if p.NextCursor == "" {
				break
			}
			if pages > 10 {
				t.Fatal("the pages do not end")
			}
			cursor = p.NextCursor
			created[createOrg(t, owner.Client, "Later", "later-"+string(rune('a'+pages))).ID] = true
			a.Clock.Advance(time.Minute)
		}
		if !slices.Equal(paged, all) || pages != 3 {
			t.Errorf("pages = %v over %d pages, want %v over 3", paged, pages, all)
		}
	})
}

func TestPlatformOrganizations_ListRefusesBadInput(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		acme(t, a)
		_, admin := platformAdmin(t, a)
		cursor := func(raw string) string { return url.QueryEscape(base64.RawURLEncoding.EncodeToString([]byte(raw))) }
		for _, tc := range []struct {
			query, code, field string
		}{
			{"cursor=nope!", "tenancy.invalid_cursor", "query.cursor"},
			{"cursor=" + cursor("2026-01-15T09:00:00Z"), "tenancy.invalid_cursor", "query.cursor"},
			{"cursor=" + cursor("yesterday|org_01m913s943e2ya90mh3d3yzeyr"), "tenancy.invalid_cursor", "query.cursor"},
			{"cursor=" + cursor("2026-01-15T09:00:00Z|usr_01m913s943e2ya90mh3d3yzeyr"), "tenancy.invalid_cursor", "query.cursor"},
			{"minMembers=-1", "tenancy.invalid_filter", "query.minMembers"},
			{"minMembers=many", "tenancy.invalid_filter", "query.minMembers"},
			{"maxMembers=-3", "tenancy.invalid_filter", "query.maxMembers"},
			{"minMembers=3&maxMembers=2", "tenancy.invalid_filter", "query.maxMembers"},
			{"createdFrom=yesterday", "tenancy.invalid_filter", "query.createdFrom"},
			{"createdTo=2026-01-15", "tenancy.invalid_filter", "query.createdTo"},
			{"createdFrom=2026-01-16T00:00:00Z&createdTo=2026-01-15T00:00:00Z", "tenancy.invalid_filter", "query.createdTo"},
			{"limit=0", "tenancy.invalid_filter", "query.limit"},
			{"limit=201", "tenancy.invalid_filter", "query.limit"},
		} {
			p := admin.Get(platformPrefix+"/organizations?"+tc.query).RequireProblem(t, http.StatusUnprocessableEntity, tc.code)
			if _, ok := p.Field(tc.field); !ok || len(p.Errors) != 1 {
				t.Errorf("%s: field errors %+v, want one at %s", tc.query, p.Errors, tc.field)
			}
		}
		// The bounds themselves are fine.
		listOrgs(t, admin, "limit=200&minMembers=0&maxMembers=0&createdFrom=2026-01-15T00:00:00Z&createdTo=2026-01-15T00:00:00Z")
	})
}

func TestPlatformOrganizations_Get(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		ann := join(t, a, owner.Client, o.ID, "ann", "admin")
		a.Clock.Advance(time.Minute)
		sue := join(t, a, owner.Client, o.ID, "sue", "member")
		a.Clock.Advance(time.Minute)
		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+sue.ID.String(), map[string]any{"status": "suspended"}).
			RequireStatus(t, http.StatusOK)
		ms := members(t, owner.Client, o.ID)

		// Invitations: one that expires, one revoked, then two pending, the
		// newer sent by Ann. The sessions are kept alive across the 8 days.
		invite(t, owner.Client, o.ID, testkit.NewEmail("late"), "member")
		for range 2 {
			a.Clock.Advance(4 * 24 * time.Hour)
			owner.Get("/api/organizations").RequireStatus(t, http.StatusOK)
			ann.Get("/api/organizations").RequireStatus(t, http.StatusOK)
		}
		revoked := invite(t, owner.Client, o.ID, testkit.NewEmail("revoked"), "member")
		owner.Post("/api/organizations/"+o.ID+"/invitations/"+revoked.ID+"/revoke", nil).RequireStatus(t, http.StatusOK)
		byOwner := invite(t, owner.Client, o.ID, testkit.NewEmail("new"), "admin")
		a.Clock.Advance(time.Minute)
		byAnn := invite(t, ann.Client, o.ID, testkit.NewEmail("other"), "member")
		other := createOrg(t, owner.Client, "Other", "other")
		_, admin := platformAdmin(t, a)

		var d platformOrgDetailJSON
		admin.Get(platformPrefix+"/organizations/"+o.ID).RequireStatus(t, http.StatusOK).JSON(t, &d)
		if d.ID != o.ID || d.Name != "Acme" || d.Slug != "acme" || d.MemberCount != 3 || d.MembersTruncated ||
			!d.CreatedAt.Equal(o.CreatedAt) || !d.UpdatedAt.Equal(o.UpdatedAt) {
			t.Errorf("organization = %+v", d.platformOrgJSON)
		}
		if len(d.Members) != 3 {
			t.Fatalf("members = %+v", d.Members)
		}
		for i, w := range []struct {
			acc    testkit.Account
			role   string
			status string
		}{{owner, "owner", "active"}, {ann, "admin", "active"}, {sue, "member", "suspended"}} {
			m := d.Members[i] // in the order they joined
			if m.ID != memberID(t, ms, w.acc.ID) || m.UserID != w.acc.ID.String() || m.Email != w.acc.Email || m.Name != w.acc.Name ||
				m.Role != w.role || m.Status != w.status || m.JoinedAt.IsZero() || (m.SuspendedAt != nil) != (w.status == "suspended") {
				t.Errorf("member %d = %+v, want %s as %s, %s", i, m, w.acc.Email, w.role, w.status)
			}
		}
		if !d.Members[0].JoinedAt.Equal(o.CreatedAt) || !d.Members[2].JoinedAt.After(d.Members[1].JoinedAt) {
			t.Errorf("joined at %v, %v, %v", d.Members[0].JoinedAt, d.Members[1].JoinedAt, d.Members[2].JoinedAt)
		}

		// Pending ones only, newest first, with who sent them.
		if len(d.Invitations) != 2 {
			t.Fatalf("invitations = %+v", d.Invitations)
		}
		for i, w := range []struct {
			inv invitationJSON
			by  testkit.Account
		}{{byAnn, ann}, {byOwner, owner}} {
			got := d.Invitations[i]
			if got.ID != w.inv.ID || got.Email != w.inv.Email || got.Role != w.inv.Role || !got.ExpiresAt.Equal(w.inv.ExpiresAt) ||
				got.CreatedAt.IsZero() || got.Inviter.ID != w.by.ID.String() || got.Inviter.Email != w.by.Email || got.Inviter.Name != w.by.Name {
				t.Errorf("invitation %d = %+v, want %+v from %s", i, got, w.inv, w.by.Email)
			}
		}
		if !d.Invitations[0].CreatedAt.After(d.Invitations[1].CreatedAt) {
			t.Errorf("invitations are not newest first: %+v", d.Invitations)
		}

		// Another organization is its own.
		var od platformOrgDetailJSON
		admin.Get(platformPrefix+"/organizations/"+other.ID).RequireStatus(t, http.StatusOK).JSON(t, &od)
		if od.ID != other.ID || od.MemberCount != 1 || len(od.Members) != 1 || od.Members[0].UserID != owner.ID.String() || len(od.Invitations) != 0 {
			t.Errorf("other = %+v", od)
		}

		// Unknown, malformed, or a slug: 404.
		for _, id := range []string{kernel.NewID[kernel.OrganizationKind]().String(), "nope", "acme", owner.ID.String()} {
			admin.Get(platformPrefix+"/organizations/"+id).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		}
	})
}

func TestPlatformOrganizations_Delete(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := join(t, a, owner.Client, o.ID, "bob", "member")
		invitee := testkit.NewEmail("invitee")
		invite(t, owner.Client, o.ID, invitee, "member")
		token := invitationToken(t, a, invitee, 1)
		kept := createOrg(t, owner.Client, "Kept", "kept")
		ada, admin := platformAdmin(t, a)
		log := newTenancyEventLog(a)

		admin.Do(http.MethodDelete, platformPrefix+"/organizations/"+o.ID, nil).RequireStatus(t, http.StatusNoContent)

		// The events of an owner's deletion, with the admin as the actor.
		ev := log.take()
		requireEventNames(t, ev, "organization.deleted")
		if e := eventAs[tenancy.OrganizationDeleted](t, ev[0]); e.OrganizationID.String() != o.ID || e.ActorID != ada.ID || e.Slug != "acme" {
			t.Errorf("organization.deleted = %+v", e)
		}
		entries := auditOf(t, admin, "organization.deleted", o.ID)
		if len(entries) != 1 || entries[0].ActorID == nil || *entries[0].ActorID != ada.ID.String() ||
			entries[0].OrganizationID == nil || *entries[0].OrganizationID != o.ID || entries[0].Metadata["slug"] != "acme" {
			t.Errorf("audit entries = %+v", entries)
		}

		// Gone with its memberships and invitations; the other stays.
		owner.Get("/api/organizations/"+o.ID).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		bob.Get("/api/organizations/"+o.ID).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		var mine page[orgJSON]
		owner.Get("/api/organizations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 1 || mine.Items[0].ID != kept.ID {
			t.Errorf("owner's organizations = %+v", mine.Items)
		}
		bob.Get("/api/organizations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 0 {
			t.Errorf("bob's organizations = %+v", mine.Items)
		}
		a.Client().Get("/api/invitations/"+token).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")
		admin.Get(platformPrefix+"/organizations/"+o.ID).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		if got := orgIDs(listOrgs(t, admin, "").Items); !slices.Equal(got, []string{kept.ID}) {
			t.Errorf("after the deletion, list = %v", got)
		}

		// Again, unknown or malformed: 404, and nothing happens.
		for _, id := range []string{o.ID, kernel.NewID[kernel.OrganizationKind]().String(), "kept"} {
			admin.Do(http.MethodDelete, platformPrefix+"/organizations/"+id, nil).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		}
		if ev := log.take(); len(ev) != 0 {
			t.Errorf("refused deletions published %v", ev)
		}
		owner.Get("/api/organizations/"+kept.ID).RequireStatus(t, http.StatusOK)
	})
}

func TestPlatformOrganizations_Transfer(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		ann := join(t, a, owner.Client, o.ID, "ann", "admin")
		bob := join(t, a, owner.Client, o.ID, "bob", "member")
		sue := join(t, a, owner.Client, o.ID, "sue", "member")
		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+sue.ID.String(), map[string]any{"status": "suspended"}).
			RequireStatus(t, http.StatusOK)
		stranger := a.SignUp(t, testkit.NewEmail("stranger"), "Stranger", true)
		createOrg(t, stranger.Client, "Elsewhere", "elsewhere")
		ada, admin := platformAdmin(t, a)
		log := newTenancyEventLog(a)
		transfer := func(org string, body any) *testkit.Response {
			return admin.Post(platformPrefix+"/organizations/"+org+"/transfer", body)
		}
		ms := members(t, owner.Client, o.ID)

		// To a member: they are the owner, the owner an admin, as when the
		// owner transfers; the admin is the actor of every event.
		var m platformMemberJSON
		transfer(o.ID, map[string]any{"userId": bob.ID.String()}).RequireStatus(t, http.StatusOK).JSON(t, &m)
		if m.UserID != bob.ID.String() || m.ID != memberID(t, ms, bob.ID) || m.Role != "owner" || m.Status != "active" || m.Email != bob.Email {
			t.Errorf("new owner = %+v", m)
		}
		ms = members(t, owner.Client, o.ID)
		if roleOf(ms, bob.ID.String()) != "owner" || roleOf(ms, owner.ID.String()) != "admin" || roleOf(ms, ann.ID.String()) != "admin" ||
			roleOf(ms, sue.ID.String()) != "member" {
			t.Fatalf("after the transfer, members = %+v", ms)
		}
		ev := log.take()
		requireEventNames(t, ev, "member.role_changed", "member.role_changed", "ownership.transferred")
		if e := eventAs[tenancy.MemberRoleChanged](t, ev[0]); e.ActorID != ada.ID || e.UserID != bob.ID || e.From != "member" || e.To != "owner" {
			t.Errorf("first member.role_changed = %+v", e)
		}
		if e := eventAs[tenancy.MemberRoleChanged](t, ev[1]); e.ActorID != ada.ID || e.UserID != owner.ID || e.From != "owner" || e.To != "admin" {
			t.Errorf("second member.role_changed = %+v", e)
		}
		if e := eventAs[tenancy.OwnershipTransferred](t, ev[2]); e.OrganizationID.String() != o.ID || e.ActorID != ada.ID ||
			e.FromUserID != owner.ID || e.ToUserID != bob.ID || e.FromRole != "admin" {
			t.Errorf("ownership.transferred = %+v", e)
		}
		entries := auditOf(t, admin, "ownership.transferred", o.ID)
		if len(entries) != 1 || entries[0].ActorID == nil || *entries[0].ActorID != ada.ID.String() ||
			entries[0].Metadata["from"] != owner.ID.String() || entries[0].Metadata["to"] != bob.ID.String() {
			t.Errorf("audit entries = %+v", entries)
		}
		if entries := auditOf(t, admin, "member.role_changed", memberID(t, ms, bob.ID)); len(entries) != 1 || *entries[0].ActorID != ada.ID.String() {
			t.Errorf("audit entries of bob's role = %+v", entries)
		}

		// The only owner already: nothing changes.
		transfer(o.ID, map[string]any{"userId": bob.ID.String()}).RequireStatus(t, http.StatusOK).JSON(t, &m)
		if m.Role != "owner" {
			t.Errorf("again = %+v", m)
		}
		if ev := log.take(); len(ev) != 0 {
			t.Errorf("a transfer to the only owner published %v", ev)
		}

		// Two owners, to one of them: the other becomes an admin.
		bob.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+ann.ID.String(), map[string]any{"role": "owner"}).
			RequireStatus(t, http.StatusOK)
		log.take()
		transfer(o.ID, map[string]any{"userId": ann.ID.String()}).RequireStatus(t, http.StatusOK).JSON(t, &m)
		ev = log.take()
		requireEventNames(t, ev, "member.role_changed", "ownership.transferred")
		if e := eventAs[tenancy.MemberRoleChanged](t, ev[0]); e.ActorID != ada.ID || e.UserID != bob.ID || e.From != "owner" || e.To != "admin" {
			t.Errorf("member.role_changed = %+v", e)
		}
		if e := eventAs[tenancy.OwnershipTransferred](t, ev[1]); e.ActorID != ada.ID || e.FromUserID != bob.ID || e.ToUserID != ann.ID {
			t.Errorf("ownership.transferred = %+v", e)
		}
		ms = members(t, owner.Client, o.ID)
		if roleOf(ms, ann.ID.String()) != "owner" || roleOf(ms, bob.ID.String()) != "admin" || roleOf(ms, owner.ID.String()) != "admin" {
			t.Fatalf("after the second transfer, members = %+v", ms)
		}

		// Not a member, suspended, unknown: refused, nothing changes.
		for _, tc := range []struct {
			name   string
			org    string
			body   any
			status int
			code   string
		}{
			{"a member of another organization", o.ID, map[string]any{"userId": stranger.ID.String()}, http.StatusNotFound, "tenancy.member_not_found"},
			{"the admin", o.ID, map[string]any{"userId": ada.ID.String()}, http.StatusNotFound, "tenancy.member_not_found"},
			{"a malformed user ID", o.ID, map[string]any{"userId": "nope"}, http.StatusNotFound, "tenancy.member_not_found"},
			{"a membership ID", o.ID, map[string]any{"userId": memberID(t, ms, bob.ID)}, http.StatusNotFound, "tenancy.member_not_found"},
			{"a suspended member", o.ID, map[string]any{"userId": sue.ID.String()}, http.StatusConflict, "tenancy.member_suspended"},
			{"no user", o.ID, map[string]any{}, http.StatusUnprocessableEntity, "http.validation"},
			{"an unknown organization", kernel.NewID[kernel.OrganizationKind]().String(), map[string]any{"userId": bob.ID.String()},
				http.StatusNotFound, "tenancy.organization_not_found"},
			{"a malformed organization", "acme", map[string]any{"userId": bob.ID.String()}, http.StatusNotFound, "tenancy.organization_not_found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				transfer(tc.org, tc.body).RequireProblem(t, tc.status, tc.code)
			})
		}
		if ev := log.take(); len(ev) != 0 {
			t.Errorf("refused transfers published %v", ev)
		}
		if after := members(t, owner.Client, o.ID); !slices.EqualFunc(after, ms, func(x, y memberJSON) bool { return x.ID == y.ID && x.Role == y.Role }) {
			t.Errorf("refused transfers changed the members: %+v, was %+v", after, ms)
		}
	})
}
