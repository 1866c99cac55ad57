package app

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/modules/notifications"
	"github.com/groundworkhq/groundwork/modules/usage"
)

// notificationUsageThreshold is the in-app notification type of a meter
// at 80% or 100% of its cap.
const notificationUsageThreshold = "usage.threshold_reached"

// subscribeUsageNotifications tells an organization's owners, by email
// and in-app notification, that a meter reached 80% or 100% of its cap:
// in the increment's transaction, so once per threshold and window, as
// usage publishes it. They are sent to the billing page, to choose a
// larger plan.
func subscribeUsageNotifications(d Deps, b builtins) {
	url := billingURL(d)
	eventbus.Subscribe(d.Bus, "app", func(ctx context.Context, e usage.ThresholdReached) error {
		m, err := b.usage.Meter(e.Meter)
		if err != nil {
			return err
		}
		sub, err := b.billing.ActiveSubscription(ctx, e.OrganizationID)
		if err != nil {
			return fmt.Errorf("%s: %w", notificationUsageThreshold, err)
		}
		emailData := map[string]any{"Plan": sub.Plan, "Meter": m.Description, "Unit": m.Unit,
			"Percent": e.Percent, "Used": e.Used, "Limit": e.Limit}
		inAppData := map[string]any{"plan": sub.Plan, "meter": e.Meter, "percent": e.Percent, "used": e.Used, "limit": e.Limit, "resetsAt": nil}
		if !e.ResetsAt.IsZero() {
			emailData["ResetsAt"], inAppData["resetsAt"] = e.ResetsAt, e.ResetsAt
		}
		return notifyOwners(ctx, b, ownerNotice{
			org: e.OrganizationID, template: notifications.TemplateUsageThreshold, kind: notificationUsageThreshold, url: url,
			emailData: emailData, inAppData: inAppData,
			text: func(lang, orgName string) (string, string) {
				t := usageInApp[e.Percent][lang]
				return fmt.Sprintf(t.title, orgName, e.Percent, m.Unit),
					fmt.Sprintf(t.body, e.Used, e.Limit, m.Unit, m.Description, sub.Plan)
			},
		})
	})
}

// usageInApp holds the in-app notifications' text by threshold and
// language. The title's verbs are %[1]s the organization's name, %[2]d the
// percent, %[3]s the unit; the body's %[1]d used, %[2]d the limit, %[3]s
// the unit, %[4]s the meter's description, %[5]s the plan.
var usageInApp = map[int]map[string]inAppText{
	usage.WarningPercent: {
		"en": {"%[1]s has used %[2]d%% of its %[3]s",
			"%[1]d of the %[2]d %[3]s the %[5]s plan includes for %[4]s are used. A larger plan raises the limit."},
		"es": {"%[1]s usó el %[2]d %% de sus %[3]s",
			"Se usaron %[1]d de los %[2]d %[3]s que incluye el plan %[5]s para %[4]s. Un plan superior amplía el límite."},
		"pt": {"A organização %[1]s usou %[2]d%% dos seus %[3]s",
			"Foram usados %[1]d dos %[2]d %[3]s que o plano %[5]s inclui para %[4]s. Um plano maior aumenta o limite."},
	},
	usage.ReachedPercent: {
		"en": {"%[1]s has used all its %[3]s",
			"All %[2]d %[3]s the %[5]s plan includes for %[4]s are used; nothing more is counted until the quota starts again. A larger plan raises the limit."},
		"es": {"%[1]s agotó sus %[3]s",
			"Se usaron los %[2]d %[3]s que incluye el plan %[5]s para %[4]s; no se contará nada más hasta que la cuota vuelva a empezar. Un plan superior amplía el límite."},
		"pt": {"A organização %[1]s esgotou seus %[3]s",
			"Foram usados todos os %[2]d %[3]s que o plano %[5]s inclui para %[4]s; nada mais será contado até a cota recomeçar. Um plano maior aumenta o limite."},
	},
}
