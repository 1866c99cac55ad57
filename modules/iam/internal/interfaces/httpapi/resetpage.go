package httpapi

import (
	"bytes"
	"html/template"
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

// resetPageTemplate is self-contained: no script, no remote asset; the
// form posts to the page's own URL.
var resetPageTemplate = template.Must(template.New("reset").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Choose a new password</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f6f8;color:#1f2328;margin:0;padding:48px 16px}
main{max-width:380px;margin:0 auto;background:#fff;border-radius:8px;padding:32px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 16px}
label{display:block;margin:16px 0 4px;font-weight:600}
input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #c9ccd1;border-radius:6px;font-size:1rem}
button{margin-top:24px;width:100%;padding:12px;border:0;border-radius:6px;background:#1f6feb;color:#fff;font-size:1rem;cursor:pointer}
.error{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:10px;margin:0 0 8px}
.done{background:#dafbe1;border:1px solid #4ac26b;border-radius:6px;padding:10px}
</style>
</head>
<body>
<main>
<h1>{{if .Done}}Password changed{{else}}Choose a new password{{end}}</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Done}}<p class="done">Your password has been changed and every session was signed out. Sign in with your new password.</p>{{end}}
{{if .Form}}<form method="post" action="" autocomplete="off">
<label for="newPassword">New password</label>
<input id="newPassword" name="newPassword" type="password" minlength="8" maxlength="128" required autocomplete="new-password" autofocus>
<label for="confirmPassword">Repeat it</label>
<input id="confirmPassword" name="confirmPassword" type="password" minlength="8" maxlength="128" required autocomplete="new-password">
<button type="submit">Change password</button>
</form>{{end}}
</main>
</body>
</html>
`))

// resetPageCSP allows the inline style and posting the form to this
// origin, nothing else.
const resetPageCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func writeResetPage(w http.ResponseWriter, status int, p resetPage) {
	var b bytes.Buffer
	if err := resetPageTemplate.Execute(&b, p); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError) // the template is fixed: cannot happen
		return
	}
	web.WriteHTMLPage(w, status, resetPageCSP, b.Bytes())
}
