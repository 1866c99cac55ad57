package application

import (
	"github.com/groundworkhq/groundwork/kernel"
)

// InApp holds the in-app notification use cases.
type InApp struct {
	uow    kernel.UnitOfWork
	store  NotificationStore
	live   LiveAnnouncer
	events CreatedPublisher
	clock  kernel.Clock
}

// InAppDeps are what InApp is built with. Events may be nil (no event is
// published); every other field is required.
type InAppDeps struct {
	UoW    kernel.UnitOfWork
	Store  NotificationStore
	Live   LiveAnnouncer
	Events CreatedPublisher
	Clock  kernel.Clock
}

// NewInApp returns the use cases over d. Every dependency but Events is
// required; the module passes them.
func NewInApp(d InAppDeps) *InApp {
	return &InApp{uow: d.UoW, store: d.Store, live: d.Live, events: d.Events, clock: d.Clock}
}
