package application

import (
	"errors"

	"github.com/groundworkhq/groundwork/kernel"
)

// InApp holds the in-app notification use cases.
type InApp struct {
	tx     TxFunc
	store  NotificationStore
	live   LiveAnnouncer
	events CreatedPublisher
	clock  kernel.Clock
}

// InAppDeps are what InApp is built with. Events may be nil (no event is
// published); every other field is required.
type InAppDeps struct {
	Tx     TxFunc
	Store  NotificationStore
	Live   LiveAnnouncer
	Events CreatedPublisher
	Clock  kernel.Clock
}

// NewInApp returns the use cases over d. It returns an error naming a
// missing dependency.
func NewInApp(d InAppDeps) (*InApp, error) {
	switch {
	case d.Tx == nil:
		return nil, errors.New("in-app notifications: no unit of work")
	case d.Store == nil:
		return nil, errors.New("in-app notifications: no store")
	case d.Live == nil:
		return nil, errors.New("in-app notifications: no live announcer")
	case d.Clock == nil:
		return nil, errors.New("in-app notifications: no clock")
	}
	return &InApp{tx: d.Tx, store: d.Store, live: d.Live, events: d.Events, clock: d.Clock}, nil
}
