package tenancy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy"
	"github.com/groundworkhq/groundwork/testkit"
)

// logoOf returns the "logo" member of an organization's JSON: nil for
// null. It fails the test when the member is absent, since an organization
// always carries it.
func logoOf(t testing.TB, org map[string]json.RawMessage) *string {
	t.Helper()
	raw, ok := org["logo"]
	if !ok {
		t.Fatalf("organization %s has no logo member", org["id"])
	}
	var logo *string
	if err := json.Unmarshal(raw, &logo); err != nil {
		t.Fatalf("logo %s: %v", raw, err)
	}
	return logo
}

// orgWithID returns the organization with that ID among list.
func orgWithID(t testing.TB, list []map[string]json.RawMessage, id string) map[string]json.RawMessage {
	t.Helper()
	for _, o := range list {
		var got string
		if err := json.Unmarshal(o["id"], &got); err == nil && got == id {
			return o
		}
	}
	t.Fatalf("organization %s is not among %d listed", id, len(list))
	return nil
}

// logoViews reads the organization's logo from every JSON shape that shows
// it: GET /api/organizations/{id}, the owner's list, the active
// organization, and platform administration's list and detail.
func logoViews(t testing.TB, owner, admin *testkit.Client, id string) map[string]*string {
	t.Helper()
	out := map[string]*string{}
	var one map[string]json.RawMessage
	owner.Get("/api/organizations/"+id).RequireStatus(t, http.StatusOK).JSON(t, &one)
	out["get"] = logoOf(t, one)

	var mine page[map[string]json.RawMessage]
	owner.Get("/api/organizations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
	out["list"] = logoOf(t, orgWithID(t, mine.Items, id))

	var active struct {
		Organization map[string]json.RawMessage `json:"organization"`
	}
	owner.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &active)
	out["active"] = logoOf(t, active.Organization)

	var all page[map[string]json.RawMessage]
	admin.Get(platformPrefix+"/organizations?limit=200").RequireStatus(t, http.StatusOK).JSON(t, &all)
	out["platform list"] = logoOf(t, orgWithID(t, all.Items, id))

	var detail map[string]json.RawMessage
	admin.Get(platformPrefix+"/organizations/"+id).RequireStatus(t, http.StatusOK).JSON(t, &detail)
	out["platform detail"] = logoOf(t, detail)
	return out
}

// requireLogo fails unless every view shows want ("" for null).
func requireLogo(t testing.TB, views map[string]*string, want string) {
	t.Helper()
	for where, got := range views {
		switch {
		case want == "" && got != nil:
			t.Errorf("%s: logo = %q, want null", where, *got)
		case want != "" && (got == nil || *got != want):
			t.Errorf("%s: logo = %v, want %q", where, got, want)
		}
	}
}

func TestLogo_SetShowClear(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		_, admin := platformAdmin(t, a)
		org := kernel.MustParseID[kernel.OrganizationKind](o.ID)
		ctx := context.Background()
		log := newTenancyEventLog(a)

		// None yet: null everywhere, "" from the API.
		requireLogo(t, logoViews(t, owner.Client, admin, o.ID), "")
		if got, err := a.Tenancy().Logo(ctx, org); err != nil || got != "" {
			t.Fatalf("Logo before any = %q, %v", got, err)
		}

		// Set: every shape shows it; the organization changed then.
		const url = "https://cdn.example.com/logos/acme.png"
		setAt := a.Clock.Advance(time.Minute)
		if err := a.Tenancy().SetLogo(ctx, org, url); err != nil {
			t.Fatal(err)
		}
		requireLogo(t, logoViews(t, owner.Client, admin, o.ID), url)
		if got, err := a.Tenancy().Logo(ctx, org); err != nil || got != url {
			t.Fatalf("Logo = %q, %v; want %q", got, err, url)
		}
		var got orgJSON
		owner.Get("/api/organizations/"+o.ID).RequireStatus(t, http.StatusOK).JSON(t, &got)
		if !got.UpdatedAt.Equal(setAt) || got.Name != "Acme" || got.Slug != "acme" {
			t.Errorf("after SetLogo = %+v, want updatedAt %v and name and slug kept", got, setAt)
		}
		ev := log.take()
		requireEventNames(t, ev, "organization.updated")
		if e := eventAs[tenancy.OrganizationUpdated](t, ev[0]); e.OrganizationID != org || !e.ActorID.IsZero() ||
			!slices.Equal(e.Changes, []string{"logo"}) || e.Logo != url || e.Name != "Acme" || e.Slug != "acme" {
			t.Errorf("organization.updated = %+v", e)
		}

		// The same URL again changes nothing and publishes nothing.
		if err := a.Tenancy().SetLogo(ctx, org, url); err != nil {
			t.Fatal(err)
		}
		requireEventNames(t, log.take())

		// The principal in ctx is the event's actor.
		const next = "https://cdn.example.com/logos/acme-2.png"
		if err := a.Tenancy().SetLogo(kernel.WithPrincipal(ctx, kernel.Principal{UserID: owner.ID}), org, next); err != nil {
			t.Fatal(err)
		}
		ev = log.take()
		requireEventNames(t, ev, "organization.updated")
		if e := eventAs[tenancy.OrganizationUpdated](t, ev[0]); e.ActorID != owner.ID || e.Logo != next {
			t.Errorf("organization.updated by the owner = %+v", e)
		}

		// A rename keeps the logo.
		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID, map[string]any{"name": "Acme Corp"}).RequireStatus(t, http.StatusOK)
		ev = log.take()
		requireEventNames(t, ev, "organization.updated")
		if e := eventAs[tenancy.OrganizationUpdated](t, ev[0]); !slices.Equal(e.Changes, []string{"name"}) || e.Logo != next {
			t.Errorf("rename's organization.updated = %+v", e)
		}
		requireLogo(t, logoViews(t, owner.Client, admin, o.ID), next)

		// Clear: null again.
		if err := a.Tenancy().SetLogo(ctx, org, ""); err != nil {
			t.Fatal(err)
		}
		requireLogo(t, logoViews(t, owner.Client, admin, o.ID), "")
		if got, err := a.Tenancy().Logo(ctx, org); err != nil || got != "" {
			t.Fatalf("Logo after clearing = %q, %v", got, err)
		}
		ev = log.take()
		requireEventNames(t, ev, "organization.updated")
		if e := eventAs[tenancy.OrganizationUpdated](t, ev[0]); !slices.Equal(e.Changes, []string{"logo"}) || e.Logo != "" {
			t.Errorf("clearing's organization.updated = %+v", e)
		}
	})
}

func TestLogo_Refused(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		org := kernel.MustParseID[kernel.OrganizationKind](o.ID)
		ctx := context.Background()
		const url = "https://cdn.example.com/logos/acme.png"
		if err := a.Tenancy().SetLogo(ctx, org, url); err != nil {
			t.Fatal(err)
		}
		log := newTenancyEventLog(a)

		// Unknown and deleted organizations are NotFound, for both calls.
		gone := createOrg(t, owner.Client, "Gone", "gone")
		owner.Do(http.MethodDelete, "/api/organizations/"+gone.ID+"?confirm=gone", nil).RequireStatus(t, http.StatusNoContent)
		log.take()
		for name, id := range map[string]kernel.OrganizationID{
			"unknown": kernel.NewID[kernel.OrganizationKind](),
			"deleted": kernel.MustParseID[kernel.OrganizationKind](gone.ID),
		} {
			if err := a.Tenancy().SetLogo(ctx, id, url); kernel.KindOf(err) != kernel.KindNotFound || kernel.CodeOf(err) != "tenancy.organization_not_found" {
				t.Errorf("SetLogo on the %s organization: %v, want tenancy.organization_not_found", name, err)
			}
			if got, err := a.Tenancy().Logo(ctx, id); kernel.KindOf(err) != kernel.KindNotFound || got != "" {
				t.Errorf("Logo of the %s organization = %q, %v; want NotFound", name, got, err)
			}
		}

		// Anything but an absolute http(s) URL is refused and changes nothing.
		for _, bad := range []string{"javascript:alert(1)", "data:image/png;base64,AAAA", "/logos/acme.png", "https://", "https://u:p@cdn.example.com/x.png", "https://cdn.example.com/a b.png"} {
			err := a.Tenancy().SetLogo(ctx, org, bad)
			if kernel.KindOf(err) != kernel.KindInvalid || kernel.CodeOf(err) != "tenancy.invalid_logo" {
				t.Errorf("SetLogo(%q): %v, want tenancy.invalid_logo", bad, err)
			}
		}
		if got, err := a.Tenancy().Logo(ctx, org); err != nil || got != url {
			t.Errorf("after refusals, Logo = %q, %v; want %q", got, err, url)
		}
		requireEventNames(t, log.take())

		// Clients cannot set it: create and update refuse a logo in the body
		// as the unknown property it is to them.
		for _, r := range []*testkit.Response{
			owner.Post("/api/organizations", map[string]any{"name": "Beta", "slug": "beta", "logo": "https://evil.example/x.png"}),
			owner.Do(http.MethodPatch, "/api/organizations/"+o.ID, map[string]any{"logo": "https://evil.example/x.png"}),
		} {
			p := r.RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")
			if _, ok := p.Field("body.logo"); !ok {
				t.Errorf("%s %s: errors %+v name no body.logo", r.Request.Method, r.Request.URL.Path, p.Errors)
			}
		}
		if got, err := a.Tenancy().Logo(ctx, org); err != nil || got != url {
			t.Errorf("after the clients' tries, Logo = %q, %v; want %q", got, err, url)
		}
		requireEventNames(t, log.take())
	})
}

// TestLogo_Transactions: SetLogo joins the transaction ctx carries, which
// sees the new logo; rolled back, the logo is what it was.
func TestLogo_Transactions(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		_, admin := platformAdmin(t, a)
		org := kernel.MustParseID[kernel.OrganizationKind](o.ID)
		ctx := context.Background()
		const before = "https://cdn.example.com/logos/before.png"
		if err := a.Tenancy().SetLogo(ctx, org, before); err != nil {
			t.Fatal(err)
		}

		for _, to := range []string{"https://cdn.example.com/logos/after.png", ""} {
			errRollback := errors.New("roll back")
			err := a.DB().Tx(ctx, func(ctx context.Context) error {
				if err := a.Tenancy().SetLogo(ctx, org, to); err != nil {
					return err
				}
				if got, err := a.Tenancy().Logo(ctx, org); err != nil || got != to {
					t.Errorf("inside the transaction, Logo = %q, %v; want %q", got, err, to)
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatalf("Tx = %v, want the rollback", err)
			}
			if got, err := a.Tenancy().Logo(ctx, org); err != nil || got != before {
				t.Errorf("after rolling back SetLogo(%q), Logo = %q, %v; want %q", to, got, err, before)
			}
			requireLogo(t, logoViews(t, owner.Client, admin, o.ID), before)
		}

		// Committed, the caller's transaction's change stays.
		const after = "https://cdn.example.com/logos/committed.png"
		if err := a.DB().Tx(ctx, func(ctx context.Context) error { return a.Tenancy().SetLogo(ctx, org, after) }); err != nil {
			t.Fatal(err)
		}
		requireLogo(t, logoViews(t, owner.Client, admin, o.ID), after)
	})
}

// TestLogo_ConcurrentRename races SetLogo with a rename: both lock the
// organization's row before reading it, so neither writes back a stale
// copy over the other's change (on PostgreSQL, where they truly run at
// once; SQLite's single writer serializes them anyway).
func TestLogo_ConcurrentRename(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		org := kernel.MustParseID[kernel.OrganizationKind](o.ID)
		for round := range raceRounds * 4 {
			name, url := fmt.Sprintf("Acme %d", round), fmt.Sprintf("https://cdn.example.com/logos/%d.png", round)
			var (
				wg      sync.WaitGroup
				start   = make(chan struct{})
				status  int
				logoErr error
			)
			wg.Go(func() {
				<-start
				status = owner.Do(http.MethodPatch, "/api/organizations/"+o.ID, map[string]any{"name": name}).StatusCode
			})
			wg.Go(func() {
				<-start
				logoErr = a.Tenancy().SetLogo(context.Background(), org, url)
			})
			close(start)
			wg.Wait()
			if status != http.StatusOK || logoErr != nil {
				t.Fatalf("round %d: rename %d, SetLogo %v", round, status, logoErr)
			}
			var got map[string]json.RawMessage
			owner.Get("/api/organizations/"+o.ID).RequireStatus(t, http.StatusOK).JSON(t, &got)
			var gotName string
			if err := json.Unmarshal(got["name"], &gotName); err != nil {
				t.Fatal(err)
			}
			if logo := logoOf(t, got); gotName != name || logo == nil || *logo != url {
				t.Fatalf("round %d: name %q, logo %v; want %q and %q: a change was lost", round, gotName, logo, name, url)
			}
		}
	})
}
