package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
)

// SetLogo sets org's logo to url, an absolute http(s) URL; "" removes it.
// It is for the storage module's upload, which has checked the caller's
// permission and stored the image: SetLogo checks none. It runs in the
// transaction ctx carries (or its own), with the organization's row
// locked as every change to an organization takes it, and publishes
// OrganizationUpdated with Changes ["logo"] when the logo changed; the
// principal in ctx, if any, is the event's actor. It returns
// ErrOrganizationNotFound for an unknown (or deleted) organization and an
// Invalid error tenancy.invalid_logo for a URL ParseLogoURL refuses.
func (s *Service) SetLogo(ctx context.Context, org kernel.OrganizationID, url string) error {
	var actor kernel.UserID
	if p, ok := kernel.PrincipalFrom(ctx); ok {
		actor = p.UserID
	}
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Lock(ctx, org); err != nil {
			return err
		}
		o, err := s.deps.Organizations.ByID(ctx, org)
		if err != nil {
			return err
		}
		changed, err := o.ChangeLogo(url, s.deps.Clock.Now())
		if err != nil || !changed {
			return err
		}
		if err := s.deps.Organizations.Save(ctx, o); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, OrganizationUpdated{
			OrganizationID: o.ID(), ActorID: actor, Changes: []string{"logo"},
			Name: o.Name().String(), Slug: o.Slug().String(), Logo: o.Logo().String(),
		})
	})
	if err != nil {
		return fmt.Errorf("set organization logo: %w", err)
	}
	return nil
}

// Logo returns org's logo URL, "" when it has none, read in the
// transaction ctx carries if any. It returns ErrOrganizationNotFound for an
// unknown (or deleted) organization.
func (s *Service) Logo(ctx context.Context, org kernel.OrganizationID) (string, error) {
	o, err := s.deps.Organizations.ByID(ctx, org)
	if err != nil {
		return "", fmt.Errorf("organization logo: %w", err)
	}
	return o.Logo().String(), nil
}
