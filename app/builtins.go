package app

import (
	"fmt"

	"github.com/groundworkhq/groundwork/modules/audit"
	"github.com/groundworkhq/groundwork/modules/billing"
	"github.com/groundworkhq/groundwork/modules/featureflags"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/notifications"
	"github.com/groundworkhq/groundwork/modules/platform"
	"github.com/groundworkhq/groundwork/modules/storage"
	"github.com/groundworkhq/groundwork/modules/tenancy"
	"github.com/groundworkhq/groundwork/modules/usage"
)

// builtins are Groundwork's own modules, built in dependency order, and the
// cross-module listeners that connect them.
type builtins struct {
	notifications *notifications.Module
	iam           *iam.Module
	tenancy       *tenancy.Module
	audit         *audit.Module
	platform      *platform.Module
	billing       *billing.Module
	usage         *usage.Module
	storage       *storage.Module
	featureFlags  *featureflags.Module
}

func newBuiltins(d Deps, o options) (builtins, []Module, error) {
	var b builtins
	var err error
	b.notifications, err = notifications.New(notifications.Deps{
		Services: d.Services,
		Email:    d.Config.Email, ServerURL: d.Config.Server.URL, DataDir: d.Config.Database.DataDir,
		Sender: o.emailSender,
	})
	if err != nil {
		return b, nil, err
	}
	emails, err := newIAMEmails(b.notifications)
	if err != nil {
		return b, nil, err
	}
	// iam and tenancy need each other: iam asks who belongs to an
	// organization, tenancy asks who a user is. iam gets a port that points
	// at tenancy once it is built.
	members := &iamMembers{}
	b.iam, err = iam.New(iam.Deps{
		Services: d.Services,
		Config: iam.Config{
			Auth:       d.Config.Auth,
			ServerURL:  d.Config.Server.URL,
			WebOrigins: d.Config.Server.WebOrigins,
			Secure:     d.Config.Server.Secure(),
		},
		Emails:  emails,
		Members: members,
	})
	if err != nil {
		return b, nil, err
	}
	b.tenancy, err = tenancy.New(tenancy.Deps{
		Services: d.Services,
		Config:   tenancy.Config{Secure: d.Config.Server.Secure(), InvitationURLFunc: invitationURL(d)},
		Users:    tenancyUsers{iam: b.iam},
		Emails:   tenancyEmails{n: b.notifications},
	})
	if err != nil {
		return b, nil, err
	}
	members.t = b.tenancy
	b.audit, err = audit.New(audit.Deps{Services: d.Services, RetentionDays: d.Config.Audit.RetentionDays})
	if err != nil {
		return b, nil, err
	}
	b.platform, err = platform.New(platform.Deps{
		Services: d.Services,
		Config:   platform.Config{ServerURL: d.Config.Server.URL},
		Admins:   platformAdmins{iam: b.iam},
	})
	if err != nil {
		return b, nil, err
	}
	b.billing, err = billing.New(billing.Deps{
		Services:  d.Services,
		Config:    billingConfig(d.Config),
		Directory: billingDirectory{tenancy: b.tenancy, iam: b.iam},
	})
	if err != nil {
		return b, nil, err
	}
	if b.usage, err = newUsage(d, b.billing, b.tenancy); err != nil {
		return b, nil, err
	}
	if b.storage, err = newStorage(d, b); err != nil {
		return b, nil, err
	}
	if b.featureFlags, err = newFeatureFlags(d, b.billing); err != nil {
		return b, nil, err
	}
	subscribeIAMEmails(d, b)
	subscribeTenancy(d, b)
	subscribeAudit(d, b)
	subscribeBillingAudit(d, b)
	subscribeBillingNotifications(d, b)
	subscribeBillingSeats(d, b)
	subscribeUsageAudit(d, b)
	subscribeUsageNotifications(d, b)
	subscribeStorage(d, b)
	subscribeFeatureFlags(d, b)
	return b, []Module{b.notifications, b.iam, b.tenancy, b.audit, b.platform, b.billing, b.usage, b.storage, b.featureFlags}, nil
}

// declarePermissions declares, in tenancy's catalog, the permissions of
// every module that has some (iam's, audit's, a product's).
func (b builtins) declarePermissions(modules []Module) error {
	for _, m := range modules {
		pd, ok := m.(PermissionDeclarer)
		if !ok || m == Module(b.tenancy) {
			continue
		}
		for _, p := range pd.Permissions() {
			if err := b.tenancy.DeclarePermission(p.Name, p.Description); err != nil {
				return fmt.Errorf("module %s: %w", m.Name(), err)
			}
		}
	}
	return nil
}

// Notifications returns the notifications module, for products that send
// their own emails or in-app notifications.
func (a *App) Notifications() *notifications.Module { return a.builtins.notifications }

// Tenancy returns the organizations module, for products that check
// permissions or look memberships up.
func (a *App) Tenancy() *tenancy.Module { return a.builtins.tenancy }

// Audit returns the audit log, for products that record their own
// actions (Record, On) or verify the chains.
func (a *App) Audit() *audit.Module { return a.builtins.audit }

// IAM returns the identity module, for products that look users up or
// require a signed-in user.
func (a *App) IAM() *iam.Module { return a.builtins.iam }
