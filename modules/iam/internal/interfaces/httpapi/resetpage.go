package httpapi

import (
	"net/http"

	"github.com/groundworkhq/groundwork/web"
)

const invalidLinkMessage = "This link is invalid or has expired. Ask for a new password reset email."

// resetPage is what the password reset page shows.
type resetPage struct {
	Form  bool   // show the form
	Done  bool   // the password was changed
	Error string // what went wrong
}

// resetPageView posts to the page's own URL.
var resetPageView = web.NewPage(`{{define "title"}}Choose a new password{{end}}{{define "content"}}
<h1>{{if .Done}}Password changed{{else}}Choose a new password{{end}}</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Done}}<p class="done">Your password has been changed and every session was signed out. Sign in with your new password.</p>{{end}}
{{if .Form}}<form method="post" action="" autocomplete="off">
<label for="newPassword">New password</label>
<input id="newPassword" name="newPassword" type="password" minlength="8" maxlength="128" required autocomplete="new-password" autofocus>
<label for="confirmPassword">Repeat it</label>
<input id="confirmPassword" name="confirmPassword" type="password" minlength="8" maxlength="128" required autocomplete="new-password">
<button class="wide" type="submit">Change password</button>
</form>{{end}}{{end}}`)

func writeResetPage(w http.ResponseWriter, status int, p resetPage) {
	resetPageView.Write(w, status, p)
}
