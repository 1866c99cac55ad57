package application_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/application"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

var t0 = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// fakeStore keeps chains in memory; only what Record and List use is
// implemented (the embedded nil Store panics on the rest).
type fakeStore struct {
	application.Store
	heads   map[string]domain.Head
	entries []domain.Entry
	query   application.StoreQuery
}

func (s *fakeStore) LockHead(_ context.Context, chain string) (domain.Head, error) {
	h, ok := s.heads[chain]
	if !ok {
		h = domain.NewHead(chain)
	}
	return h, nil
}

func (s *fakeStore) Append(_ context.Context, e domain.Entry, h domain.Head) error {
	s.heads[h.Chain] = h
	s.entries = append(s.entries, e)
	return nil
}

func (s *fakeStore) List(_ context.Context, q application.StoreQuery) ([]domain.Entry, error) {
	s.query = q
	return s.entries[:min(len(s.entries), q.Limit)], nil
}

func setup(t *testing.T, req application.RequestMeta) (*application.Service, *fakeStore) {
	t.Helper()
	store := &fakeStore{heads: map[string]domain.Head{}}
	svc := application.NewService(application.Deps{
		UoW:     kernel.TxFunc(func(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }),
		Store:   store,
		Clock:   kernel.ClockFunc(func() time.Time { return t0 }),
		Logger:  slog.New(slog.DiscardHandler),
		Request: func(context.Context) application.RequestMeta { return req },
	})
	return svc, store
}

func TestRecordResolvesTheActor(t *testing.T) {
	t.Parallel()
	user := kernel.NewID[kernel.UserKind]()
	admin := kernel.NewID[kernel.UserKind]()
	other := kernel.NewID[kernel.UserKind]()
	signedIn := kernel.WithPrincipal(context.Background(), kernel.Principal{UserID: user})
	impersonated := kernel.WithPrincipal(context.Background(), kernel.Principal{UserID: user, ImpersonatorID: admin})
	tests := []struct {
		name             string
		ctx              context.Context
		actorType        string
		actorID          string
		wantType, wantID string
		wantImpersonator kernel.UserID
	}{
		{"anonymous", context.Background(), "", "", "system", "", kernel.UserID{}},
		{"signed in", signedIn, "", "", "user", user.String(), kernel.UserID{}},
		{"impersonated", impersonated, "", "", "user", user.String(), admin},
		{"explicit user", impersonated, "", other.String(), "user", other.String(), kernel.UserID{}},
		{"explicit principal", impersonated, "user", user.String(), "user", user.String(), admin},
		{"user type, anonymous", context.Background(), "user", "", "system", "", kernel.UserID{}},
		{"system while signed in", signedIn, "system", "", "system", "", kernel.UserID{}},
		{"provider", signedIn, "stripe", "", "stripe", "", kernel.UserID{}},
		{"provider with an ID", context.Background(), "stripe", "evt_123", "stripe", "evt_123", kernel.UserID{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, store := setup(t, application.RequestMeta{})
			if err := svc.Record(tt.ctx, application.NewEntry{Action: "x.done", ActorType: tt.actorType, ActorID: tt.actorID}); err != nil {
				t.Fatal(err)
			}
			e := store.entries[0]
			if e.ActorType != tt.wantType || e.ActorID != tt.wantID || e.ImpersonatorID != tt.wantImpersonator {
				t.Errorf("actor %q %q impersonator %v; want %q %q %v", e.ActorType, e.ActorID, e.ImpersonatorID, tt.wantType, tt.wantID, tt.wantImpersonator)
			}
		})
	}
}

func TestRecordFillsTheRequestAndChains(t *testing.T) {
	t.Parallel()
	svc, store := setup(t, application.RequestMeta{RequestID: "req-1", IP: "192.0.2.7", UserAgent: "curl/8"})
	org := kernel.NewID[kernel.OrganizationKind]()
	for _, o := range []kernel.OrganizationID{org, {}, org} {
		err := svc.Record(context.Background(), application.NewEntry{
			Action: "member.added", OrganizationID: o, TargetType: "user", TargetID: "usr_x",
			Metadata: map[string]any{"role": "admin", "inviteToken": "tok_secret"},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	e := store.entries[0]
	if e.RequestID != "req-1" || e.IP != "192.0.2.7" || e.UserAgent != "curl/8" || !e.OccurredAt.Equal(t0) {
		t.Errorf("entry = %+v", e)
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(e.Metadata), &meta); err != nil || strings.Contains(e.Metadata, "tok_secret") || meta["role"] != "admin" {
		t.Errorf("metadata = %s (%v)", e.Metadata, err)
	}
	seqs := []int64{store.entries[0].Seq, store.entries[1].Seq, store.entries[2].Seq}
	if seqs[0] != 1 || seqs[1] != 1 || seqs[2] != 2 || store.entries[1].Chain != domain.PlatformChain {
		t.Errorf("seqs = %v, chains %s %s %s", seqs, store.entries[0].Chain, store.entries[1].Chain, store.entries[2].Chain)
	}
}

func TestRecordRefusesAnInvalidEntry(t *testing.T) {
	t.Parallel()
	svc, store := setup(t, application.RequestMeta{})
	for _, e := range []application.NewEntry{
		{},
		{Action: "bad action"},
		{Action: "x.done", Metadata: map[string]any{"c": make(chan int)}},
	} {
		err := svc.Record(context.Background(), e)
		if kernel.CodeOf(err) != application.CodeInvalidEntry {
			t.Errorf("Record(%+v) = %v, want %s", e, err, application.CodeInvalidEntry)
		}
	}
	if len(store.entries) != 0 {
		t.Errorf("%d entries stored", len(store.entries))
	}
}

func TestRecordReturnsTheTransactionsError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	svc := application.NewService(application.Deps{
		UoW:    kernel.TxFunc(func(context.Context, func(context.Context) error) error { return boom }),
		Store:  &fakeStore{},
		Clock:  kernel.SystemClock{},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err := svc.Record(context.Background(), application.NewEntry{Action: "x.done"}); !errors.Is(err, boom) {
		t.Errorf("Record = %v, want %v", err, boom)
	}
}

func TestListChecksTheRangeAndPages(t *testing.T) {
	t.Parallel()
	svc, store := setup(t, application.RequestMeta{})
	org := kernel.NewID[kernel.OrganizationKind]()
	_, err := svc.ListOrganization(context.Background(), org, application.Filter{From: t0, To: t0}, nil, 10)
	if e := kernel.AsError(err); e == nil || e.Code != application.CodeInvalidFilter || len(e.Fields) != 1 || e.Fields[0].Field != "query.to" {
		t.Errorf("an empty range: %v", err)
	}
	for range 3 {
		if err := svc.Record(context.Background(), application.NewEntry{Action: "x.done", OrganizationID: org}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := svc.ListOrganization(context.Background(), org, application.Filter{}, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	if store.query.Org != org || store.query.AllOrganizations || store.query.Limit != 3 {
		t.Errorf("query = %+v", store.query)
	}
	if len(page.Items) != 2 || page.Next == nil || page.Next.ID != page.Items[1].ID {
		t.Errorf("page = %+v", page)
	}
	page, _ = svc.ListOrganization(context.Background(), org, application.Filter{}, nil, 3)
	if len(page.Items) != 3 || page.Next != nil {
		t.Errorf("last page = %+v", page)
	}
	if _, err := svc.ListPlatform(context.Background(), kernel.OrganizationID{}, application.Filter{}, nil, 500); err != nil {
		t.Fatal(err)
	}
	if !store.query.AllOrganizations || store.query.Limit != application.MaxLimit+1 {
		t.Errorf("platform query = %+v", store.query)
	}
}
