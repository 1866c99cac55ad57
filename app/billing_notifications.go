package app

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/modules/billing"
	"github.com/groundworkhq/groundwork/modules/notifications"
)

// The in-app notification types of billing's events.
const (
	notificationPaymentFailed        = "billing.payment_failed"
	notificationSubscriptionCanceled = "billing.subscription_canceled"
	notificationTrialEnding          = "billing.trial_ending"
)

// billingNotice is what owners are told of one billing event: the email
// template with its own data, and the in-app notification's type with its
// own data (besides the organization's name and the plan, which both get).
type billingNotice struct {
	template, kind string
	emailData      map[string]any
	inAppData      map[string]any
}

// subscribeBillingNotifications tells an organization's owners, by email
// and in-app notification, that a payment failed, that the subscription
// was canceled or that its trial ends soon. Both are created in billing's
// transaction, so they exist exactly when the change does; an owner whose
// account is gone is skipped.
func subscribeBillingNotifications(d Deps, b builtins) {
	n := billingNotifier{b: b, url: billingURL(d)}
	eventbus.Subscribe(d.Bus, "app", func(ctx context.Context, e billing.SubscriptionPastDue) error {
		grace := d.Config.Payments.GraceDays
		return n.notify(ctx, e.SubscriptionEvent, billingNotice{
			template: notifications.TemplateBillingPaymentFailed, kind: notificationPaymentFailed,
			emailData: map[string]any{"GraceDays": grace}, inAppData: map[string]any{"graceDays": grace},
		})
	})
	eventbus.Subscribe(d.Bus, "app", func(ctx context.Context, e billing.SubscriptionCanceled) error {
		return n.notify(ctx, e.SubscriptionEvent, billingNotice{
			template: notifications.TemplateBillingSubscriptionCanceled, kind: notificationSubscriptionCanceled,
		})
	})
	eventbus.Subscribe(d.Bus, "app", func(ctx context.Context, e billing.SubscriptionTrialWillEnd) error {
		return n.notify(ctx, e.SubscriptionEvent, billingNotice{
			template: notifications.TemplateBillingTrialEnding, kind: notificationTrialEnding,
			emailData: map[string]any{"TrialEnd": e.TrialEnd}, inAppData: map[string]any{"trialEnd": e.TrialEnd},
		})
	})
}

// billingURL is where billing's emails and notifications send owners: the
// front end's billing page (the first WEB_ORIGINS + "/billing"), or the
// server itself when there is no front end.
func billingURL(d Deps) string {
	switch {
	case len(d.Config.Server.WebOrigins) > 0:
		return strings.TrimRight(d.Config.Server.WebOrigins[0], "/") + "/billing"
	case d.Config.Server.URL != nil:
		return d.Config.Server.URL.String()
	}
	return ""
}

// billingNotifier sends billing's notices to an organization's owners.
type billingNotifier struct {
	b   builtins
	url string
}

// notify tells e's organization's owners of notice, naming the plan.
func (n billingNotifier) notify(ctx context.Context, e billing.SubscriptionEvent, notice billingNotice) error {
	emailData := map[string]any{"Plan": e.Plan}
	maps.Copy(emailData, notice.emailData)
	inAppData := map[string]any{"plan": e.Plan}
	maps.Copy(inAppData, notice.inAppData)
	return notifyOwners(ctx, n.b, ownerNotice{
		org: e.OrganizationID, template: notice.template, kind: notice.kind, url: n.url,
		emailData: emailData, inAppData: inAppData,
		text: func(lang, orgName string) (string, string) {
			t := billingInApp[notice.kind][lang]
			return fmt.Sprintf(t.title, orgName, e.Plan), fmt.Sprintf(t.body, orgName, e.Plan)
		},
	})
}

// inAppText is an in-app notification's title and body; %[1]s is the
// organization's name, %[2]s the plan. The name goes in the title and the
// plan in the body, so the title stays within notifications' 200
// characters whatever the organization's name (100 at most).
type inAppText struct{ title, body string }

// billingInApp holds the in-app notifications' text by type and language,
// in the languages the billing emails are written in.
var billingInApp = map[string]map[string]inAppText{
	notificationPaymentFailed: {
		"en": {"Payment failed for %[1]s",
			"We could not collect the latest payment for the %[2]s plan. Update the payment method to keep the plan's features."},
		"es": {"No se pudo cobrar el pago de %[1]s",
			"No pudimos cobrar el último pago del plan %[2]s. Actualiza el método de pago para conservar las funciones del plan."},
		"pt": {"Falha no pagamento da organização %[1]s",
			"Não conseguimos cobrar o último pagamento do plano %[2]s. Atualize a forma de pagamento para manter os recursos do plano."},
	},
	notificationSubscriptionCanceled: {
		"en": {"Subscription canceled for %[1]s",
			"The %[2]s subscription ended and the organization is now on the free plan. You can subscribe again at any time."},
		"es": {"Se canceló la suscripción de %[1]s",
			"La suscripción al plan %[2]s terminó y la organización pasó al plan gratuito. Puedes volver a suscribirte cuando quieras."},
		"pt": {"Assinatura cancelada da organização %[1]s",
			"A assinatura do plano %[2]s terminou e a organização passou para o plano gratuito. Você pode assinar novamente quando quiser."},
	},
	notificationTrialEnding: {
		"en": {"The trial of %[1]s ends soon",
			"The free trial of the %[2]s plan ends within three days; the subscription then continues as a paid plan. Check the payment method, or cancel before then."},
		"es": {"La prueba de %[1]s termina pronto",
			"La prueba gratuita del plan %[2]s termina en menos de tres días; después, la suscripción continuará como un plan de pago. Comprueba el método de pago o cancela antes."},
		"pt": {"O período de teste da organização %[1]s termina em breve",
			"O período de teste gratuito do plano %[2]s termina em menos de três dias; depois, a assinatura continuará como um plano pago. Confira a forma de pagamento ou cancele antes disso."},
	},
}
