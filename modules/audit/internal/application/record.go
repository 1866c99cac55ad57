package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

// NewEntry is what a caller records: the action, who did it, the
// organization it belongs to (zero: the platform chain), its target and
// its metadata. The time, the impersonator and the request's ID, address
// and user agent are filled in by Record.
type NewEntry struct {
	// Action is what happened, usually the event name ("user.signed_in").
	Action string
	// ActorType is "user", "system" or a payment provider's name. Empty
	// means "user" when ActorID is set.
	ActorType string
	// ActorID is who acted. Empty means the signed-in principal of ctx, or
	// "system" when there is none (unless ActorType names another actor).
	ActorID string
	// OrganizationID is the organization whose chain the entry joins; zero
	// is the platform chain.
	OrganizationID kernel.OrganizationID
	TargetType     string
	TargetID       string
	// Metadata is any JSON-encodable detail. Fields whose names suggest a
	// secret (password, token, apiKey, …) are stored as "[REDACTED]".
	Metadata map[string]any
}

// Record appends e to its chain in the transaction ctx carries, or in one
// of its own: the entry commits or rolls back with the caller's change.
// The chain's head stays locked until that transaction ends, so writers to
// one chain take turns. It returns a kernel Invalid error
// (CodeInvalidEntry) for an entry that cannot be stored, else a database
// error.
func (s *Service) Record(ctx context.Context, e NewEntry) error {
	actorType, actorID, impersonator := resolveActor(ctx, e)
	metadata, err := domain.CanonicalMetadata(e.Metadata)
	if err != nil {
		return fmt.Errorf("record audit entry %s: %w", e.Action, err)
	}
	req := s.request(ctx)
	params := domain.EntryFields{
		ActorType:      actorType,
		ActorID:        actorID,
		ImpersonatorID: impersonator,
		OrganizationID: e.OrganizationID,
		Action:         e.Action,
		TargetType:     e.TargetType,
		TargetID:       e.TargetID,
		Metadata:       metadata,
		IP:             req.IP,
		UserAgent:      req.UserAgent,
		RequestID:      req.RequestID,
	}
	chain := domain.ChainOf(e.OrganizationID, actorType, actorID)
	err = s.uow.Tx(ctx, func(ctx context.Context) error {
		head, err := s.store.LockHead(ctx, chain)
		if err != nil {
			return err
		}
		// The ID and the time are taken once the chain is ours, so both
		// follow the chain's order.
		params.ID, params.OccurredAt = kernel.NewID[domain.EntryKind](), s.clock.Now()
		entry, err := domain.NewEntry(params)
		if err != nil {
			return err
		}
		entry, head = head.Append(entry)
		return s.store.Append(ctx, entry, head)
	})
	if err != nil {
		return fmt.Errorf("record audit entry %s: %w", e.Action, err)
	}
	return nil
}

// resolveActor decides who the entry says acted. An explicit ActorID wins
// (type "user" unless ActorType says otherwise). Without one, a "user" (or
// unset) actor is the signed-in principal, or "system" when nobody is
// signed in; another actor type ("stripe") stands alone. The impersonator
// is recorded when the actor is the principal's user.
func resolveActor(ctx context.Context, e NewEntry) (actorType, actorID string, impersonator kernel.UserID) {
	p, signedIn := kernel.PrincipalFrom(ctx)
	actorType, actorID = e.ActorType, e.ActorID
	switch {
	case actorID != "":
		if actorType == "" {
			actorType = domain.ActorUser
		}
	case actorType == "" || actorType == domain.ActorUser:
		if signedIn {
			actorType, actorID = domain.ActorUser, p.UserID.String()
		} else {
			actorType = domain.ActorSystem
		}
	}
	if signedIn && actorType == domain.ActorUser && actorID == p.UserID.String() {
		impersonator = p.ImpersonatorID
	}
	return actorType, actorID, impersonator
}
