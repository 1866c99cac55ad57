package iam_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit"
)

// platformUserJSON is a user as /api/v1/platform shows it.
type platformUserJSON struct {
	userJSON
	PlatformAdmin      bool       `json:"platformAdmin"`
	DeactivationReason *string    `json:"deactivationReason"`
	DeactivatedUntil   *time.Time `json:"deactivatedUntil"`
}

type platformUsersPage struct {
	Items      []platformUserJSON `json:"items"`
	NextCursor string             `json:"nextCursor"`
}

func listUsers(t *testing.T, c *testkit.Client, query string) platformUsersPage {
	t.Helper()
	var p platformUsersPage
	c.Get("/api/v1/platform/users"+query).RequireStatus(t, http.StatusOK).JSON(t, &p)
	return p
}

func emailsOf(p platformUsersPage) []string {
	out := make([]string, len(p.Items))
	for i, u := range p.Items {
		out[i] = u.Email
	}
	return out
}

func TestPlatformAdmins_PromoteDemoteAndTheLastOne(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		root := a.SignUpPlatformAdmin(t, newEmail("root"), "Root")
		bea := a.SignUp(t, newEmail("bea"), "Bea", true)

		// By email, then by ID; twice changes nothing.
		var u platformUserJSON
		root.Post("/api/v1/platform/admins", map[string]any{"email": strings.ToUpper(bea.Email)}).RequireStatus(t, http.StatusOK).JSON(t, &u)
		if !u.PlatformAdmin || u.ID != bea.ID.String() {
			t.Fatalf("promoted = %+v", u)
		}
		root.Post("/api/v1/platform/admins", map[string]any{"userId": bea.ID.String()}).RequireStatus(t, http.StatusOK)
		var list struct {
			Items []platformUserJSON `json:"items"`
		}
		root.Get("/api/v1/platform/admins").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 2 {
			t.Fatalf("admins = %+v", list.Items)
		}
		// Bea is an admin at her next request, with her own session.
		bea.Get("/api/v1/platform/admins").RequireStatus(t, http.StatusOK)

		// Bad references: 422 naming the field; unknown: 404.
		p := root.Post("/api/v1/platform/admins", map[string]any{}).RequireProblem(t, http.StatusUnprocessableEntity, "iam.invalid_user_ref")
		if !hasField(p, "body.userId") {
			t.Errorf("fields = %+v", p.Errors)
		}
		root.Post("/api/v1/platform/admins", map[string]any{"userId": bea.ID.String(), "email": bea.Email}).
			RequireProblem(t, http.StatusUnprocessableEntity, "iam.invalid_user_ref")
		root.Post("/api/v1/platform/admins", map[string]any{"userId": "usr_nope"}).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		root.Post("/api/v1/platform/admins", map[string]any{"email": "nobody@example.com"}).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")

		// Demote by query and by body; the last one stays.
		root.Do(http.MethodDelete, "/api/v1/platform/admins?email="+bea.Email, nil).RequireStatus(t, http.StatusOK)
		bea.Get("/api/v1/platform/admins").RequireProblem(t, http.StatusForbidden, "platform.forbidden")
		root.Do(http.MethodDelete, "/api/v1/platform/admins", map[string]any{"userId": root.ID.String()}).
			RequireProblem(t, http.StatusConflict, "platform.last_admin")
		// Nor deactivated or deleted.
		if _, err := a.IAM().SetPlatformAdmin(t.Context(), kernel.UserID{}, root.ID, false); err == nil {
			t.Error("the command line removed the last admin")
		}
		root.Post("/api/auth/delete-user", map[string]any{"password": testkit.Password}).RequireProblem(t, http.StatusConflict, "platform.last_admin")

		// The audit log names the acting admin.
		var entries struct {
			Items []struct {
				Action   string  `json:"action"`
				ActorID  *string `json:"actorId"`
				TargetID *string `json:"targetId"`
			} `json:"items"`
		}
		root.Get("/api/v1/platform/audit?action=user.platform_admin").RequireStatus(t, http.StatusOK).JSON(t, &entries)
		var granted, revoked int
		for _, e := range entries.Items {
			if deref(e.TargetID) != bea.ID.String() || deref(e.ActorID) != root.ID.String() {
				continue
			}
			switch e.Action {
			case "user.platform_admin_granted":
				granted++
			case "user.platform_admin_revoked":
				revoked++
			}
		}
		if granted != 1 || revoked != 1 {
			t.Errorf("audit: granted %d revoked %d of %+v", granted, revoked, entries.Items)
		}
	})
}

// TestPlatformAdmins_RacingDemotionsKeepOne: two admins demote each other
// at once; one demotion wins, the other is refused, one admin is left.
func TestPlatformAdmins_RacingDemotionsKeepOne(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		for round := range 5 {
			x := a.SignUpPlatformAdmin(t, newEmail("x"), "X")
			y := a.SignUpPlatformAdmin(t, newEmail("y"), "Y")
			// Only x and y are admins: demote everyone else first.
			admins, err := a.IAM().PlatformAdmins(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range admins {
				if u.ID != x.ID && u.ID != y.ID {
					if _, err := a.IAM().SetPlatformAdmin(t.Context(), kernel.UserID{}, u.ID, false); err != nil {
						t.Fatal(err)
					}
				}
			}
			var wg sync.WaitGroup
			codes := make([]int, 2)
			for i, pair := range [][2]testkit.Account{{x, y}, {y, x}} {
				wg.Go(func() {
					codes[i] = pair[0].Do(http.MethodDelete, "/api/v1/platform/admins", map[string]any{"userId": pair[1].ID.String()}).StatusCode
				})
			}
			wg.Wait()
			n, err := a.IAM().CountPlatformAdmins(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			ok := (codes[0] == 200) != (codes[1] == 200)
			if n != 1 || !ok {
				t.Fatalf("round %d: answers %v, %d admins left", round, codes, n)
			}
		}
	})
}

func TestPlatformUsers_ListAndSearch(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		root := a.SignUpPlatformAdmin(t, "root-"+newEmail("list"), "Root")
		start := a.Clock.Now()
		var made []testkit.Account
		for i, name := range []string{"Ana Lima", "Bruno Costa", "Carla Dias", "Ângela Souza", "Dario_Fo"} {
			a.Clock.Advance(time.Hour)
			made = append(made, a.SignUp(t, newEmail("plist"), name, i%2 == 0))
		}
		mid := start.Add(3*time.Hour - time.Minute)

		// Newest first, a page at a time, no repeat or skip.
		var all []string
		cursor := ""
		for range 10 {
			p := listUsers(t, root.Client, "?emailPrefix=plist&limit=2&cursor="+cursor)
			all = append(all, emailsOf(p)...)
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		want := []string{made[4].Email, made[3].Email, made[2].Email, made[1].Email, made[0].Email}
		if strings.Join(all, ",") != strings.Join(want, ",") {
			t.Fatalf("pages = %v, want %v", all, want)
		}

		check := func(query string, want ...testkit.Account) {
			t.Helper()
			got := emailsOf(listUsers(t, root.Client, query+"&emailPrefix=plist"))
			var w []string
			for i := len(want) - 1; i >= 0; i-- {
				w = append(w, want[i].Email)
			}
			if strings.Join(got, ",") != strings.Join(w, ",") {
				t.Errorf("%s: %v, want %v", query, got, w)
			}
		}
		check("?name=costa", made[1])
		check("?name=Ângela", made[3]) // SQLite folds only ASCII: the case as stored
		check("?name=_", made[4])      // a literal underscore
		check("?search=lima", made[0])
		check("?verified=true", made[0], made[2], made[4])
		check("?verified=false", made[1], made[3])
		check("?createdFrom="+mid.Format(time.RFC3339), made[2], made[3], made[4])
		check("?createdTo="+mid.Format(time.RFC3339), made[0], made[1])
		check("?platformAdmin=true")
		check("?active=true", made...)
		end := a.Clock.Now().Add(time.Hour)
		root.Post("/api/v1/platform/users/"+made[1].ID.String()+"/deactivate",
			map[string]any{"reason": "chargebacks", "until": end}).RequireStatus(t, http.StatusOK)
		check("?active=false", made[1])
		check("?active=true", made[0], made[2], made[3], made[4])
		a.Clock.Advance(2 * time.Hour) // the deactivation has ended
		check("?active=false")

		// Bad filters and cursors are 422 naming the field.
		for query, field := range map[string]string{
			"?cursor=nope":        "query.cursor",
			"?verified=maybe":     "query.verified",
			"?createdFrom=monday": "query.createdFrom",
			"?limit=0":            "query.limit",
			"?createdFrom=" + mid.Format(time.RFC3339) + "&createdTo=" + start.Format(time.RFC3339): "query.createdTo",
		} {
			r := root.Get("/api/v1/platform/users" + query)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", query, r.StatusCode, r.Body)
				continue
			}
			var p testkit.Problem
			r.JSON(t, &p)
			if !hasField(p, field) {
				t.Errorf("%s: fields %+v, want %s", query, p.Errors, field)
			}
		}
	})
}

func TestPlatformUsers_Lifecycle(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		root := a.SignUpPlatformAdmin(t, newEmail("root"), "Root")
		cleo := a.SignUp(t, newEmail("cleo"), "Cleo", false)
		base := "/api/v1/platform/users/" + cleo.ID.String()

		// One user with organizations and sessions.
		cleo.Post("/api/organizations", map[string]any{"name": "Cleo Co", "slug": "cleo-co-" + strings.ToLower(cleo.ID.String()[4:12])}).
			RequireStatus(t, http.StatusCreated)
		var detail struct {
			platformUserJSON
			Organizations []struct {
				Name, Role, Status string
			} `json:"organizations"`
			Sessions []sessionJSON `json:"sessions"`
		}
		root.Get(base).RequireStatus(t, http.StatusOK).JSON(t, &detail)
		if detail.Email != cleo.Email || len(detail.Organizations) != 1 || detail.Organizations[0].Role != "owner" || len(detail.Sessions) != 1 {
			t.Fatalf("detail = %+v", detail)
		}
		root.Get("/api/v1/platform/users/usr_nope").RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		root.Get("/api/v1/platform/users/"+kernel.NewID[kernel.UserKind]().String()).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")

		// Verify the email; send a reset link.
		var u platformUserJSON
		root.Post(base+"/verify-email", nil).RequireStatus(t, http.StatusOK).JSON(t, &u)
		if !u.EmailVerified {
			t.Error("not verified")
		}
		root.Post(base+"/password-reset", nil).RequireStatus(t, http.StatusAccepted)
		a.WaitEmail(t, cleo.Email, "password_reset")

		// Deactivation: a reason is required; sessions end; sign-in says why.
		p := root.Post(base+"/deactivate", map[string]any{"reason": "no"}).RequireProblem(t, http.StatusUnprocessableEntity, "iam.invalid_deactivation")
		if !hasField(p, "body.reason") {
			t.Errorf("fields = %+v", p.Errors)
		}
		past := a.Clock.Now().Add(-time.Minute)
		p = root.Post(base+"/deactivate", map[string]any{"reason": "chargebacks", "until": past}).RequireProblem(t, http.StatusUnprocessableEntity, "iam.invalid_deactivation")
		if !hasField(p, "body.until") {
			t.Errorf("fields = %+v", p.Errors)
		}
		root.Post("/api/v1/platform/users/"+root.ID.String()+"/deactivate", map[string]any{"reason": "testing myself"}).
			RequireProblem(t, http.StatusUnprocessableEntity, "platform.cannot_deactivate_self")
		root.Post(base+"/deactivate", map[string]any{"reason": "chargebacks"}).RequireStatus(t, http.StatusOK).JSON(t, &u)
		if u.Active || deref(u.DeactivationReason) != "chargebacks" || u.DeactivatedUntil != nil {
			t.Errorf("deactivated = %+v", u)
		}
		if s := getSession(t, cleo.Client); s != nil {
			t.Errorf("the session outlived the deactivation: %+v", s)
		}
		c := a.Client()
		r := c.Post("/api/auth/sign-in/email", map[string]any{"email": cleo.Email, "password": testkit.Password})
		bp := r.RequireProblem(t, http.StatusForbidden, "BANNED_USER")
		if !strings.Contains(bp.Message, "banned") {
			t.Errorf("message = %q", bp.Message)
		}
		// A wrong password learns nothing more.
		c.Post("/api/auth/sign-in/email", map[string]any{"email": cleo.Email, "password": "wrong password!"}).
			RequireProblem(t, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")
		root.Post(base+"/reactivate", nil).RequireStatus(t, http.StatusOK).JSON(t, &u)
		if !u.Active || u.DeactivationReason != nil {
			t.Errorf("reactivated = %+v", u)
		}
		signIn(t, c, cleo.Email, testkit.Password)

		// Revoke every session, then one.
		root.Do(http.MethodDelete, base+"/sessions", nil).RequireStatus(t, http.StatusNoContent)
		if getSession(t, c) != nil {
			t.Error("the session outlived the revocation")
		}
		signIn(t, c, cleo.Email, testkit.Password)
		s := getSession(t, c)
		root.Do(http.MethodDelete, base+"/sessions/ses_nope", nil).RequireStatus(t, http.StatusNotFound)
		root.Do(http.MethodDelete, base+"/sessions/"+s.Session.ID, nil).RequireStatus(t, http.StatusNoContent)
		if getSession(t, c) != nil {
			t.Error("the session outlived its revocation")
		}

		// Delete: the same clean-up as the user's own.
		root.Do(http.MethodDelete, "/api/v1/platform/users/"+root.ID.String(), nil).
			RequireProblem(t, http.StatusUnprocessableEntity, "platform.cannot_delete_self")
		root.Do(http.MethodDelete, base, nil).RequireStatus(t, http.StatusNoContent)
		root.Get(base).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		root.Do(http.MethodDelete, base, nil).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		c.Post("/api/auth/sign-in/email", map[string]any{"email": cleo.Email, "password": testkit.Password}).
			RequireProblem(t, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")

		// Every change is in the audit log with the acting admin.
		var entries struct {
			Items []struct {
				Action  string  `json:"action"`
				ActorID *string `json:"actorId"`
			} `json:"items"`
		}
		root.Get("/api/v1/platform/audit?targetId="+cleo.ID.String()+"&limit=200").RequireStatus(t, http.StatusOK).JSON(t, &entries)
		byRoot := map[string]bool{}
		for _, e := range entries.Items {
			if deref(e.ActorID) == root.ID.String() {
				byRoot[e.Action] = true
			}
		}
		for _, action := range []string{"user.email_verified", "user.password_reset_sent", "user.deactivated", "user.reactivated", "user.deleted"} {
			if !byRoot[action] {
				t.Errorf("no %s entry by the admin in %+v", action, entries.Items)
			}
		}
	})
}

// TestPlatformUsers_DeactivationEnds: a deactivation with an end lets the
// user sign in again once the clock passes it.
func TestPlatformUsers_DeactivationEnds(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		root := a.SignUpPlatformAdmin(t, newEmail("root"), "Root")
		dan := a.SignUp(t, newEmail("dan"), "Dan", true)
		until := a.Clock.Now().Add(2 * time.Hour)
		root.Post("/api/v1/platform/users/"+dan.ID.String()+"/deactivate", map[string]any{"reason": "cooling off", "until": until}).
			RequireStatus(t, http.StatusOK)
		c := a.Client()
		c.Post("/api/auth/sign-in/email", map[string]any{"email": dan.Email, "password": testkit.Password}).
			RequireProblem(t, http.StatusForbidden, "BANNED_USER")
		a.Clock.Set(until)
		signIn(t, c, dan.Email, testkit.Password)
	})
}

// TestImpersonation: start, act (the audit entry names the impersonator),
// the refused actions, the stop restoring the admin's own session, and the
// expiry by the clock.
func TestImpersonation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		root := a.SignUpPlatformAdmin(t, newEmail("root"), "Root")
		other := a.SignUpPlatformAdmin(t, newEmail("other"), "Other")
		eve := a.SignUp(t, newEmail("eve"), "Eve", true)
		off := a.SignUp(t, newEmail("off"), "Off", true)
		root.Post("/api/v1/platform/users/"+off.ID.String()+"/deactivate", map[string]any{"reason": "left the company"}).RequireStatus(t, http.StatusOK)
		imp := func(id kernel.UserID) string { return "/api/v1/platform/users/" + id.String() + "/impersonate" }

		// Refusals: a reason, never an admin, a deactivated user or oneself.
		p := root.Post(imp(eve.ID), map[string]any{"reason": "hi"}).RequireProblem(t, http.StatusUnprocessableEntity, "platform.invalid_impersonation")
		if !hasField(p, "body.reason") {
			t.Errorf("fields = %+v", p.Errors)
		}
		root.Post(imp(eve.ID), map[string]any{}).RequireProblem(t, http.StatusUnprocessableEntity, "platform.invalid_impersonation")
		root.Post(imp(other.ID), map[string]any{"reason": "support ticket 42"}).RequireProblem(t, http.StatusUnprocessableEntity, "platform.cannot_impersonate_admin")
		root.Post(imp(off.ID), map[string]any{"reason": "support ticket 42"}).RequireProblem(t, http.StatusUnprocessableEntity, "platform.cannot_impersonate_deactivated")
		root.Post(imp(root.ID), map[string]any{"reason": "support ticket 42"}).RequireProblem(t, http.StatusUnprocessableEntity, "platform.cannot_impersonate_self")
		root.Post(imp(kernel.NewID[kernel.UserKind]()), map[string]any{"reason": "support ticket 42"}).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		eve.Post(imp(root.ID), map[string]any{"reason": "support ticket 42"}).RequireProblem(t, http.StatusForbidden, "platform.forbidden")

		// Start: the client now acts as Eve.
		var started sessionUser
		root.Post(imp(eve.ID), map[string]any{"reason": "support ticket 42"}).RequireStatus(t, http.StatusOK).JSON(t, &started)
		if started.User.ID != eve.ID.String() {
			t.Fatalf("started = %+v", started)
		}
		var s struct {
			Session struct {
				sessionJSON
				ImpersonatedBy string `json:"impersonatedBy"`
			} `json:"session"`
			User userJSON `json:"user"`
		}
		root.Get("/api/auth/get-session").RequireStatus(t, http.StatusOK).JSON(t, &s)
		if s.User.ID != eve.ID.String() || s.Session.ImpersonatedBy != root.ID.String() ||
			!s.Session.ExpiresAt.Equal(a.Clock.Now().Add(time.Hour).Truncate(time.Millisecond)) {
			t.Fatalf("get-session = %+v", s)
		}
		// Eve does not see the admin's session among hers.
		var mine []sessionJSON
		eve.Get("/api/auth/list-sessions").RequireStatus(t, http.StatusOK).JSON(t, &mine)
		if len(mine) != 1 {
			t.Errorf("eve's sessions = %+v", mine)
		}

		// Act: the audit entry names the impersonator.
		root.Post("/api/auth/update-user", map[string]any{"name": "Eve (fixed)"}).RequireStatus(t, http.StatusOK)
		var entries struct {
			Items []struct {
				Action         string  `json:"action"`
				ActorID        *string `json:"actorId"`
				ImpersonatorID *string `json:"impersonatorId"`
			} `json:"items"`
		}
		other.Get("/api/v1/platform/audit?targetId="+eve.ID.String()).RequireStatus(t, http.StatusOK).JSON(t, &entries)
		found := map[string]bool{}
		for _, e := range entries.Items {
			found[e.Action] = true
			if e.Action == "user.updated" && (deref(e.ActorID) != eve.ID.String() || deref(e.ImpersonatorID) != root.ID.String()) {
				t.Errorf("update entry = %+v", e)
			}
		}
		if !found["impersonation.started"] || !found["user.updated"] {
			t.Errorf("entries = %+v", entries.Items)
		}

		// Refused while impersonating.
		for path, body := range map[string]any{
			"/api/auth/change-password":       map[string]any{"currentPassword": testkit.Password, "newPassword": "another horse battery"},
			"/api/auth/revoke-sessions":       map[string]any{},
			"/api/auth/revoke-other-sessions": map[string]any{},
			"/api/auth/revoke-session":        map[string]any{"token": "ses_x"},
			"/api/auth/delete-user":           map[string]any{"password": testkit.Password},
		} {
			root.Post(path, body).RequireProblem(t, http.StatusForbidden, "platform.impersonating")
		}
		root.Get("/api/v1/platform/users").RequireProblem(t, http.StatusForbidden, "platform.impersonating")
		root.Post(imp(off.ID), map[string]any{"reason": "support ticket 43"}).RequireProblem(t, http.StatusForbidden, "platform.impersonating")
		root.Post("/api/v1/platform/bootstrap", map[string]any{"token": "x"}).RequireProblem(t, http.StatusForbidden, "platform.impersonating")

		// Stop: the admin's own session is back.
		var stopped sessionUser
		root.Post("/api/v1/platform/impersonation/stop", nil).RequireStatus(t, http.StatusOK).JSON(t, &stopped)
		if stopped.User.ID != root.ID.String() {
			t.Fatalf("stopped = %+v", stopped)
		}
		if got := getSession(t, root.Client); got == nil || got.User.ID != root.ID.String() {
			t.Fatalf("after stop: %+v", got)
		}
		root.Get("/api/v1/platform/users").RequireStatus(t, http.StatusOK)
		root.Post("/api/v1/platform/impersonation/stop", nil).RequireProblem(t, http.StatusUnprocessableEntity, "platform.not_impersonating")
		eve.Post("/api/v1/platform/impersonation/stop", nil).RequireProblem(t, http.StatusUnprocessableEntity, "platform.not_impersonating")
		a.Client().Post("/api/v1/platform/impersonation/stop", nil).RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")

		// Expiry by the clock; the stop still brings the admin back.
		root.Post(imp(eve.ID), map[string]any{"reason": "support ticket 44"}).RequireStatus(t, http.StatusOK)
		a.Clock.Advance(time.Hour + time.Second)
		if got := getSession(t, root.Client); got != nil {
			t.Fatalf("the impersonation outlived its hour: %+v", got)
		}
		root.Post("/api/v1/platform/impersonation/stop", nil).RequireStatus(t, http.StatusOK)
		if got := getSession(t, root.Client); got == nil || got.User.ID != root.ID.String() {
			t.Fatalf("after the expired stop: %+v", got)
		}
		other.Get("/api/v1/platform/audit?action=impersonation.").RequireStatus(t, http.StatusOK).JSON(t, &entries)
		var starts, stops int
		for _, e := range entries.Items {
			switch e.Action {
			case "impersonation.started":
				starts++
			case "impersonation.stopped":
				stops++
			}
		}
		if starts != 2 || stops != 1 {
			t.Errorf("starts %d stops %d", starts, stops)
		}
	})
}

// TestImpersonation_Max: IMPERSONATION_MAX bounds the session.
func TestImpersonation_Max(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		root := a.SignUpPlatformAdmin(t, newEmail("root"), "Root")
		eve := a.SignUp(t, newEmail("eve"), "Eve", true)
		var started sessionUser
		root.Post("/api/v1/platform/users/"+eve.ID.String()+"/impersonate", map[string]any{"reason": "support ticket 42"}).
			RequireStatus(t, http.StatusOK).JSON(t, &started)
		if want := a.Clock.Now().Add(10 * time.Minute).Truncate(time.Millisecond); !started.Session.ExpiresAt.Equal(want) {
			t.Errorf("expires %v, want %v", started.Session.ExpiresAt, want)
		}
	}, testkit.WithEnv("IMPERSONATION_MAX", "10m"))
}
