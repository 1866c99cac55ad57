package application

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

// Codes of the registry's errors.
const (
	CodeDuplicateMeter     = "usage.duplicate_meter"
	CodeRegistrationClosed = "usage.registration_closed"
)

// Meters is the registry of meters: filled at boot, closed when the
// application starts, read on every call after. Safe for concurrent use.
type Meters struct {
	mu     sync.RWMutex
	closed bool
	byKey  map[string]domain.Meter
	order  []string
}

// NewMeters returns an empty, open registry.
func NewMeters() *Meters { return &Meters{byKey: map[string]domain.Meter{}} }

// Register adds m. It returns kernel Invalid usage.invalid_meter for a bad
// meter, Conflict usage.duplicate_meter for a key already registered and
// Conflict usage.registration_closed once the registry is closed.
func (r *Meters) Register(m domain.Meter) error {
	if err := m.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return kernel.Conflict(CodeRegistrationClosed,
			fmt.Sprintf("The meter %q is registered too late: meters are registered before the application starts.", m.Key))
	case r.has(m.Key):
		return kernel.Conflict(CodeDuplicateMeter, fmt.Sprintf("The meter %q is already registered.", m.Key))
	}
	r.byKey[m.Key] = m
	r.order = append(r.order, m.Key)
	return nil
}

func (r *Meters) has(key string) bool {
	_, ok := r.byKey[key]
	return ok
}

// Close closes the registry: Register fails from now on.
func (r *Meters) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
}

// Meter returns the meter named key, or domain.UnknownMeter's error.
func (r *Meters) Meter(key string) (domain.Meter, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.byKey[key]
	if !ok {
		return domain.Meter{}, domain.UnknownMeter(key)
	}
	return m, nil
}

// All returns the meters in the order they were registered.
func (r *Meters) All() []domain.Meter {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]domain.Meter, len(r.order))
	for i, k := range r.order {
		out[i] = r.byKey[k]
	}
	return out
}

// CheckPlans returns an error naming every plan cap of caps (plan → meter
// → cap) on a meter that is not registered, or nil.
func (r *Meters) CheckPlans(caps map[string]map[string]int64) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var bad []string
	for _, plan := range slices.Sorted(maps.Keys(caps)) {
		for _, meter := range slices.Sorted(maps.Keys(caps[plan])) {
			if !r.has(meter) {
				bad = append(bad, fmt.Sprintf("plan %q caps %q", plan, meter))
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("no meter is registered for these caps: %s (register the meters before the application starts, or take the caps out of PLANS_FILE)",
		strings.Join(bad, ", "))
}
