package application

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// OverviewSection is one key of the platform overview and how to read its
// value.
type OverviewSection struct {
	// Key is the section's JSON key: lower camelCase ASCII ("users",
	// "subscriptions"), unique within the overview.
	Key string
	// ReadFunc returns the section's value as of now, which the overview
	// encodes as JSON as it is. It runs outside any transaction, at the
	// same time as the other sections' ReadFuncs; its error fails the
	// whole overview.
	ReadFunc func(ctx context.Context, now time.Time) (any, error)
}

// GeneratedAtKey is the overview's own key, which no section may take.
const GeneratedAtKey = "generatedAt"

var sectionKey = regexp.MustCompile(`^[a-z][A-Za-z0-9]*$`)

// Overview is the platform overview: the sections added at boot, read
// together on request.
type Overview struct {
	clock kernel.Clock

	mu       sync.RWMutex
	sections []OverviewSection
}

// NewOverview returns an overview without sections that reads the time
// from clock.
func NewOverview(clock kernel.Clock) *Overview { return &Overview{clock: clock} }

// Add appends sections, in order, after those already added. It adds none
// of them and returns an error when a key is not lower camelCase ASCII, is
// GeneratedAtKey, is taken (by an earlier section or one of sections), or
// when a ReadFunc is nil.
func (o *Overview) Add(sections ...OverviewSection) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	taken := make(map[string]bool, len(o.sections)+len(sections))
	for _, s := range o.sections {
		taken[s.Key] = true
	}
	for _, s := range sections {
		switch {
		case !sectionKey.MatchString(s.Key):
			return fmt.Errorf("overview section %q: the key is not lower camelCase ASCII", s.Key)
		case s.Key == GeneratedAtKey:
			return fmt.Errorf("overview section %q: the key is the overview's own", s.Key)
		case taken[s.Key]:
			return fmt.Errorf("overview section %q: the key is taken", s.Key)
		case s.ReadFunc == nil:
			return fmt.Errorf("overview section %q: no ReadFunc", s.Key)
		}
		taken[s.Key] = true
	}
	o.sections = append(o.sections, sections...)
	return nil
}

// OverviewReport is the overview as read at GeneratedAt: each section's
// value, in the order the sections were added.
type OverviewReport struct {
	GeneratedAt time.Time
	Sections    []SectionValue
}

// SectionValue is what one section read.
type SectionValue struct {
	Key   string
	Value any
}

// Read reads every section as of the clock's now, all at once (each runs
// its own queries, none waits for another). The first section to fail
// cancels the others and its error, wrapped with the section's key, is
// Read's. A ReadFunc that panics fails the overview (an internal error at
// the edge) instead of the process: it runs outside the request's
// goroutine, where the router's recovery cannot catch it.
func (o *Overview) Read(ctx context.Context) (OverviewReport, error) {
	o.mu.RLock()
	sections := o.sections
	o.mu.RUnlock()

	now := o.clock.Now().UTC()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		values   = make([]SectionValue, len(sections))
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() {
			firstErr = err
			cancel()
		})
	}
	for i, s := range sections {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					fail(fmt.Errorf("overview section %s: panic: %v", s.Key, r))
				}
			}()
			v, err := s.ReadFunc(ctx, now)
			if err != nil {
				fail(fmt.Errorf("overview section %s: %w", s.Key, err))
				return
			}
			values[i] = SectionValue{Key: s.Key, Value: v}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return OverviewReport{}, firstErr
	}
	return OverviewReport{GeneratedAt: now, Sections: values}, nil
}
