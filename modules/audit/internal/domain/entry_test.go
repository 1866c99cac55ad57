package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

func validParams() domain.EntryFields {
	return domain.EntryFields{
		ID: kernel.NewID[domain.EntryKind](), OccurredAt: t0, ActorType: domain.ActorSystem, Action: "user.created",
	}
}

func TestNewEntry(t *testing.T) {
	t.Parallel()
	p := validParams()
	p.OccurredAt = time.Date(2026, 1, 15, 9, 0, 0, 123456789, time.FixedZone("X", 3600))
	p.UserAgent = strings.Repeat("é", domain.MaxUserAgentLen) // 2 bytes each
	e, err := domain.NewEntry(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 1, 15, 8, 0, 0, 123456000, time.UTC); !e.OccurredAt.Equal(want) || e.OccurredAt.Location() != time.UTC {
		t.Errorf("OccurredAt = %v, want %v in UTC", e.OccurredAt, want)
	}
	if len(e.UserAgent) != domain.MaxUserAgentLen || !strings.HasSuffix(e.UserAgent, "é") {
		t.Errorf("user agent cut to %d bytes, ending %q", len(e.UserAgent), e.UserAgent[len(e.UserAgent)-2:])
	}
	if e.Chain != domain.PlatformChain || e.Metadata != "{}" || e.Seq != 0 || e.Hash != nil {
		t.Errorf("entry = %+v", e)
	}
	org := kernel.NewID[kernel.OrganizationKind]()
	p = validParams()
	p.OrganizationID = org
	if e, _ := domain.NewEntry(p); e.Chain != org.String() {
		t.Errorf("chain = %q, want the organization's", e.Chain)
	}
}

func TestChainOf(t *testing.T) {
	t.Parallel()
	org := kernel.NewID[kernel.OrganizationKind]()
	user := kernel.NewID[kernel.UserKind]().String()
	tests := []struct {
		name             string
		org              kernel.OrganizationID
		actorType, actor string
		want             string
	}{
		{"an organization's, whoever acts", org, domain.ActorUser, user, org.String()},
		{"a user's, outside organizations", kernel.OrganizationID{}, domain.ActorUser, user, user},
		{"the system's", kernel.OrganizationID{}, domain.ActorSystem, "", domain.PlatformChain},
		{"a provider's", kernel.OrganizationID{}, "stripe", "evt_1", domain.PlatformChain},
		{"a user actor that is no user ID", kernel.OrganizationID{}, domain.ActorUser, "someone", domain.PlatformChain},
		{"another kind of ID", kernel.OrganizationID{}, domain.ActorUser, org.String(), domain.PlatformChain},
	}
	for _, tt := range tests {
		if got := domain.ChainOf(tt.org, tt.actorType, tt.actor); got != tt.want {
			t.Errorf("%s: ChainOf = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNewEntryRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(*domain.EntryFields)
		field string
	}{
		{"no ID", func(p *domain.EntryFields) { p.ID = domain.EntryID{} }, "id"},
		{"no time", func(p *domain.EntryFields) { p.OccurredAt = time.Time{} }, "occurredAt"},
		{"no action", func(p *domain.EntryFields) { p.Action = "" }, "action"},
		{"long action", func(p *domain.EntryFields) { p.Action = strings.Repeat("a", domain.MaxActionLen+1) }, "action"},
		{"action with a space", func(p *domain.EntryFields) { p.Action = "user created" }, "action"},
		{"no actor type", func(p *domain.EntryFields) { p.ActorType = "" }, "actorType"},
		{"long actor ID", func(p *domain.EntryFields) { p.ActorID = strings.Repeat("a", domain.MaxIDLen+1) }, "actorId"},
		{"bad target type", func(p *domain.EntryFields) { p.TargetType = "-user" }, "targetType"},
		{"target ID without type", func(p *domain.EntryFields) { p.TargetID = "usr_x" }, "targetType"},
		{"invalid UTF-8", func(p *domain.EntryFields) { p.TargetType, p.TargetID = "user", "\xff" }, "targetId"},
		{"long IP", func(p *domain.EntryFields) { p.IP = strings.Repeat("1", domain.MaxIPLen+1) }, "ip"},
		{"huge metadata", func(p *domain.EntryFields) {
			p.Metadata = `{"a":"` + strings.Repeat("x", domain.MaxMetadataLen) + `"}`
		}, "metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := validParams()
			tt.edit(&p)
			_, err := domain.NewEntry(p)
			e := kernel.AsError(err)
			if e == nil || e.Kind != kernel.KindInvalid || e.Code != domain.CodeInvalidEntry {
				t.Fatalf("err = %v, want Invalid %s", err, domain.CodeInvalidEntry)
			}
			found := false
			for _, f := range e.Fields {
				found = found || f.Field == tt.field
			}
			if !found {
				t.Errorf("fields %+v do not name %s", e.Fields, tt.field)
			}
		})
	}
}

func TestNewEntryCleansAUserAgent(t *testing.T) {
	t.Parallel()
	p := validParams()
	p.UserAgent = "bad \xff agent"
	e, err := domain.NewEntry(p)
	if err != nil || e.UserAgent != "bad \uFFFD agent" {
		t.Errorf("user agent = %q, %v", e.UserAgent, err)
	}
}
