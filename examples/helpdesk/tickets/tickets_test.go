package tickets_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/testkit"

	"example.com/helpdesk/tickets"
)

type ticketJSON struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	AuthorID       string `json:"authorId"`
	Title          string `json:"title"`
	Status         string `json:"status"`
}

// withTickets boots the whole platform with the helpdesk's module, on
// SQLite and, with TEST_POSTGRES_URL, PostgreSQL.
var withTickets = testkit.WithAppOptions(app.WithModules(tickets.New))

// organization creates an organization as c and makes it active.
func organization(t *testing.T, c *testkit.Client, slug string) string {
	t.Helper()
	var o struct {
		ID string `json:"id"`
	}
	c.Post("/api/organizations", map[string]any{"name": slug, "slug": slug}).RequireStatus(t, http.StatusCreated).JSON(t, &o)
	c.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).RequireStatus(t, http.StatusOK)
	return o.ID
}

func TestTickets(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia", true)
		org := organization(t, owner.Client, "acme")

		var tk ticketJSON
		owner.Post("/api/tickets", map[string]any{"title": "  The printer is on fire  "}).RequireStatus(t, http.StatusCreated).JSON(t, &tk)
		if !strings.HasPrefix(tk.ID, "tkt_") || tk.Title != "The printer is on fire" || tk.Status != "open" ||
			tk.OrganizationID != org || tk.AuthorID != owner.ID.String() {
			t.Fatalf("ticket = %+v", tk)
		}
		var list struct {
			Items []ticketJSON `json:"items"`
		}
		owner.Get("/api/tickets").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != tk.ID {
			t.Fatalf("list = %+v", list)
		}

		// Bad input is a problem naming the field, and nothing is stored.
		for _, title := range []string{"", "   ", strings.Repeat("x", tickets.MaxTitle+1), "two\nlines", "rtl\u202eevil"} {
			owner.Post("/api/tickets", map[string]any{"title": title}).RequireProblem(t, http.StatusUnprocessableEntity, "tickets.invalid_title")
		}
		owner.Post("/api/tickets", map[string]any{"title": 7}).RequireStatus(t, http.StatusUnprocessableEntity)

		// Another organization sees none of it.
		other := a.SignUp(t, testkit.NewEmail("other"), "Otto", true)
		organization(t, other.Client, "globex")
		other.Get("/api/tickets").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 0 {
			t.Errorf("another organization sees %+v", list.Items)
		}

		// The permission gate: anonymous 401, no organization 403.
		a.Client().Get("/api/tickets").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		loner := a.SignUp(t, testkit.NewEmail("loner"), "Lone", true)
		loner.Post("/api/tickets", map[string]any{"title": "hi"}).RequireProblem(t, http.StatusForbidden, "tenancy.no_active_organization")

		// The permissions are declared: a custom role may hold them.
		var perms struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
		}
		owner.Get("/api/permissions").RequireStatus(t, http.StatusOK).JSON(t, &perms)
		found := 0
		for _, p := range perms.Items {
			if p.Name == tickets.PermRead || p.Name == tickets.PermCreate {
				found++
			}
		}
		if found != 2 {
			t.Errorf("permissions = %+v", perms)
		}

		// The platform admin route: behind the platform's gate, across
		// organizations.
		a.Client().Get("/api/v1/platform/tickets/stats").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		owner.Get("/api/v1/platform/tickets/stats").RequireProblem(t, http.StatusForbidden, "platform.forbidden")
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		other.Post("/api/tickets", map[string]any{"title": "Globex too"}).RequireStatus(t, http.StatusCreated)
		var stats struct {
			ByStatus map[string]int `json:"byStatus"`
		}
		admin.Get("/api/v1/platform/tickets/stats").RequireStatus(t, http.StatusOK).JSON(t, &stats)
		if stats.ByStatus["open"] != 2 {
			t.Errorf("stats = %+v", stats)
		}

		// Every sign-up got its welcome, through the listener and the job.
		ctx := context.Background()
		testkit.Eventually(t, "four welcomes", func() bool {
			var n int
			err := a.DB().Q(ctx).QueryRow(ctx, `SELECT count(*) FROM ticket_welcomes`).Scan(&n)
			return err == nil && n == 4
		})
	}, withTickets)
}

// The module's own setting is read from the environment the platform's
// configuration came from, with its rules: HELPDESK_LIST_LIMIT caps a list,
// and a bad value stops start-up naming the variable.
func TestListLimitSetting(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia", true)
		organization(t, owner.Client, "acme")
		var newest ticketJSON
		for _, title := range []string{"first", "second"} {
			owner.Post("/api/tickets", map[string]any{"title": title}).RequireStatus(t, http.StatusCreated).JSON(t, &newest)
		}
		var list struct {
			Items []ticketJSON `json:"items"`
		}
		owner.Get("/api/tickets").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != newest.ID {
			t.Errorf("with HELPDESK_LIST_LIMIT=1 the list is %+v, want only %s", list.Items, newest.ID)
		}
	}, withTickets, testkit.WithEnv("HELPDESK_LIST_LIMIT", "1"))

	for _, bad := range []string{"0", "1001", "many"} {
		_, err := tickets.New(app.Deps{Env: func(k string) (string, bool) { return bad, k == "HELPDESK_LIST_LIMIT" }})
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Variable != "HELPDESK_LIST_LIMIT" || ce.Value != bad {
			t.Errorf("HELPDESK_LIST_LIMIT=%s: New = %v, want a configuration error naming it", bad, err)
		}
	}
}
