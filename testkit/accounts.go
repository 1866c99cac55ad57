package testkit

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
)

// Password is the password SignUp gives every account.
const Password = "correct horse battery"

var emailSeq atomic.Int64

// NewEmail returns an address no other test of the process uses.
func NewEmail(prefix string) string {
	return fmt.Sprintf("%s%d@example.com", prefix, emailSeq.Add(1))
}

// Account is a user signed up through the API, with a client signed in
// as them.
type Account struct {
	*Client
	ID    kernel.UserID
	Email string
	Name  string
}

// SignUp creates an account through /api/auth/sign-up/email with
// Password and returns it signed in. With verified, it also follows the
// verification link the account was emailed, as the user would.
func (a *App) SignUp(t testing.TB, email, name string, verified bool) Account {
	t.Helper()
	c := a.Client()
	var out struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	c.Post("/api/auth/sign-up/email", map[string]any{"email": email, "password": Password, "name": name}).
		RequireStatus(t, http.StatusOK).JSON(t, &out)
	id, err := kernel.ParseID[kernel.UserKind](out.User.ID)
	if err != nil {
		t.Fatalf("sign-up: user id %q: %v", out.User.ID, err)
	}
	if verified {
		link := a.WaitEmail(t, email, "verify_email").Link(t, a.URL+"/api/auth/verify-email?")
		// The link lands on a page: a redirect to its callbackURL.
		c.Get(strings.TrimPrefix(link, a.URL)).RequireStatus(t, http.StatusFound)
	}
	return Account{Client: c, ID: id, Email: email, Name: name}
}

// SignUpPlatformAdmin is SignUp (verified) of an account that is then
// made a platform admin, as the command line makes one; its client is
// signed in with a real session.
func (a *App) SignUpPlatformAdmin(t testing.TB, email, name string) Account {
	t.Helper()
	acc := a.SignUp(t, email, name, true)
	if _, err := a.IAM().SetPlatformAdmin(t.Context(), kernel.UserID{}, acc.ID, true); err != nil {
		t.Fatalf("make %s a platform admin: %v", email, err)
	}
	return acc
}
