package mailtmpl

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Names of the built-in templates.
const (
	VerifyEmail            = "verify_email"
	Welcome                = "welcome"
	PasswordReset          = "password_reset"
	PasswordChanged        = "password_changed"
	EmailChanged           = "email_changed"
	OrganizationInvitation = "organization_invitation"
	// The billing emails go to an organization's owners.
	BillingPaymentFailed        = "billing_payment_failed"
	BillingSubscriptionCanceled = "billing_subscription_canceled"
	BillingTrialEnding          = "billing_trial_ending"
	// The usage email goes to an organization's owners too.
	UsageThreshold = "usage_threshold"
)

// builtinNames lists the built-in templates in the order New loads them.
var builtinNames = []string{
	VerifyEmail, Welcome, PasswordReset, PasswordChanged, EmailChanged, OrganizationInvitation,
	BillingPaymentFailed, BillingSubscriptionCanceled, BillingTrialEnding, UsageThreshold,
}

// builtinKeys are the data keys of each built-in (see the table in doc.go).
var builtinKeys = map[string]struct{ required, optional []string }{
	VerifyEmail:                 {[]string{"URL", "ExpiresInHours"}, []string{"Name"}},
	Welcome:                     {[]string{"URL"}, []string{"Name"}},
	PasswordReset:               {[]string{"URL", "ExpiresInMinutes"}, []string{"Name"}},
	PasswordChanged:             {[]string{"Time"}, []string{"Name", "SupportURL"}},
	EmailChanged:                {[]string{"OldEmail", "NewEmail"}, []string{"Name"}},
	OrganizationInvitation:      {[]string{"InviterName", "OrganizationName", "Role", "URL", "ExpiresInDays"}, nil},
	BillingPaymentFailed:        {[]string{"OrganizationName", "Plan", "URL", "GraceDays"}, []string{"Name"}},
	BillingSubscriptionCanceled: {[]string{"OrganizationName", "Plan", "URL"}, []string{"Name"}},
	BillingTrialEnding:          {[]string{"OrganizationName", "Plan", "TrialEnd", "URL"}, []string{"Name"}},
	UsageThreshold:              {[]string{"OrganizationName", "Plan", "Meter", "Unit", "Percent", "Used", "Limit", "URL"}, []string{"Name", "ResetsAt"}},
}

// templatesFS holds the layout, the components and the built-ins, one
// folder per template with a file per locale and part:
// templates/<name>/<locale>.<subject|html|text>.tmpl.
//
//go:embed templates
var templatesFS embed.FS

func readEmbedded(name string) (string, error) {
	b, err := templatesFS.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("mailtmpl: %w", err)
	}
	return string(b), nil
}

// Builtin returns a copy of the source of the built-in template name, so a
// product can add a locale or reword one and Register the result under the
// same name. It returns an error wrapping ErrUnknownTemplate when name is
// not a built-in.
func Builtin(name string) (Template, error) {
	if _, ok := builtinKeys[name]; !ok {
		return Template{}, fmt.Errorf("builtin %q: %w", name, ErrUnknownTemplate)
	}
	return loadBuiltin(name)
}

func loadBuiltin(name string) (Template, error) {
	keys := builtinKeys[name]
	t := Template{
		Subject:  map[string]string{},
		HTML:     map[string]string{},
		Text:     map[string]string{},
		Required: append([]string(nil), keys.required...),
		Optional: append([]string(nil), keys.optional...),
	}
	dir := path.Join("templates", name)
	entries, err := fs.ReadDir(templatesFS, dir)
	if err != nil {
		return Template{}, fmt.Errorf("mailtmpl: built-in %q: %w", name, err)
	}
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), ".tmpl")
		locale, part, ok2 := strings.Cut(base, ".")
		if !ok || !ok2 {
			return Template{}, fmt.Errorf("mailtmpl: built-in %q: unexpected file %s", name, e.Name())
		}
		src, err := readEmbedded(path.Join(dir, e.Name()))
		if err != nil {
			return Template{}, err
		}
		switch part {
		case partSubject:
			t.Subject[locale] = src
		case partHTML:
			t.HTML[locale] = src
		case partText:
			t.Text[locale] = src
		default:
			return Template{}, fmt.Errorf("mailtmpl: built-in %q: unexpected file %s", name, e.Name())
		}
	}
	return t, nil
}
