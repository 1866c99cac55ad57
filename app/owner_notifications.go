package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/notifications"
)

// ownerNotice is what an organization's owners are told, by email and
// in-app notification: the email template and its data, the
// notification's type and data (both also get the organization's name),
// where both send them (url), and the notification's title and body in a
// language of inAppLanguage for the organization's name.
type ownerNotice struct {
	org                  kernel.OrganizationID
	template, kind, url  string
	emailData, inAppData map[string]any
	text                 func(lang, orgName string) (title, body string)
}

// notifyOwners emails and notifies in-app every active owner of the
// notice's organization, in the transaction ctx carries, so both exist
// exactly when the change that caused them does. An organization without
// owners (one deleted since) is told nothing; an owner whose account is
// gone is skipped.
func notifyOwners(ctx context.Context, b builtins, n ownerNotice) error {
	owners, err := b.tenancy.Owners(ctx, n.org)
	if err != nil || len(owners) == 0 {
		return err
	}
	org, err := b.tenancy.Summary(ctx, n.org)
	if err != nil {
		return fmt.Errorf("%s: %w", n.kind, err)
	}
	for _, id := range owners {
		u, err := b.iam.User(ctx, id)
		if errors.Is(err, iam.ErrUserNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", n.kind, err)
		}
		data := map[string]any{"Name": u.Name, "OrganizationName": org.Name, "URL": n.url}
		maps.Copy(data, n.emailData)
		if _, err := b.notifications.SendEmail(ctx, notifications.EmailRequest{
			To: u.Email, Locale: u.Locale, Template: n.template, Data: data,
		}); err != nil {
			return fmt.Errorf("%s: email %s: %w", n.kind, id, err)
		}
		title, body := n.text(inAppLanguage(u.Locale), org.Name)
		inAppData := map[string]any{"organizationName": org.Name}
		maps.Copy(inAppData, n.inAppData)
		if _, err := b.notifications.Notify(ctx, notifications.NewNotification{
			UserID: id, OrganizationID: n.org, Type: n.kind, Title: title, Body: body, Link: n.url, Data: inAppData,
		}); err != nil {
			return fmt.Errorf("%s: notify %s: %w", n.kind, id, err)
		}
	}
	return nil
}

// inAppLanguage is the language of the in-app texts for a BCP 47 locale
// ("pt-BR", "es_MX"): its language when there is text in it, else "en",
// as the emails fall back.
func inAppLanguage(locale string) string {
	lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(locale)), "-")
	lang, _, _ = strings.Cut(lang, "_")
	switch lang {
	case "es", "pt":
		return lang
	}
	return "en"
}
