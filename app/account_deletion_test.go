package app_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications"
	"github.com/groundworkhq/groundwork/testkit"
)

// TestDeletedAccountTakesItsNotifications: deleting an account through
// /api/auth/delete-user removes the user's in-app notifications in the same
// transaction, and nobody else's.
func TestDeletedAccountTakesItsNotifications(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		ctx := context.Background()
		signUp := func(email string) (*testkit.Client, kernel.UserID) {
			c := a.Client()
			var out struct {
				User struct {
					ID kernel.UserID `json:"id"`
				} `json:"user"`
			}
			c.Post("/api/auth/sign-up/email", map[string]any{"email": email, "password": "correct horse", "name": "N"}).
				RequireStatus(t, http.StatusOK).JSON(t, &out)
			return c, out.User.ID
		}
		leaving, leavingID := signUp("leaving@example.com")
		_, stayingID := signUp("staying@example.com")
		for _, u := range []kernel.UserID{leavingID, leavingID, stayingID} {
			if _, err := a.Notifications().Notify(ctx, notifications.NewNotification{UserID: u, Type: "test.hello", Title: "Hello"}); err != nil {
				t.Fatal(err)
			}
		}

		leaving.Post("/api/auth/delete-user", map[string]any{"password": "correct horse"}).RequireStatus(t, http.StatusOK)

		for u, want := range map[kernel.UserID]int{leavingID: 0, stayingID: 1} {
			n, err := a.Notifications().UnreadCount(ctx, u)
			if err != nil || n != want {
				t.Errorf("user %s has %d notifications (%v), want %d", u, n, err, want)
			}
		}
	})
}
