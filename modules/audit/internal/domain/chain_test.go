package domain_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

var t0 = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// newEntry returns a valid, unlinked entry of org's chain.
func newEntry(t *testing.T, org kernel.OrganizationID, action string) domain.Entry {
	t.Helper()
	e, err := domain.NewEntry(domain.EntryFields{
		ID: kernel.NewID[domain.EntryKind](), OccurredAt: t0, ActorType: domain.ActorUser,
		ActorID: kernel.NewID[kernel.UserKind]().String(), OrganizationID: org, Action: action,
		TargetType: "user", TargetID: "usr_x", Metadata: `{"a":1}`, IP: "192.0.2.1", UserAgent: "test", RequestID: "req-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// chainOf links n entries into a fresh chain of org.
func chainOf(t *testing.T, org kernel.OrganizationID, n int) ([]domain.Entry, domain.Head) {
	t.Helper()
	h := domain.NewHead(domain.ChainOf(org, "", ""))
	var out []domain.Entry
	for range n {
		var e domain.Entry
		e, h = h.Append(newEntry(t, org, "thing.done"))
		out = append(out, e)
	}
	return out, h
}

func walk(h domain.Head, entries []domain.Entry) *domain.Break {
	w := domain.NewWalk(h)
	for _, e := range entries {
		if !w.Next(e) {
			break
		}
	}
	return w.Finish()
}

func TestAppendLinksEntries(t *testing.T) {
	t.Parallel()
	org := kernel.NewID[kernel.OrganizationKind]()
	entries, h := chainOf(t, org, 3)
	if !bytes.Equal(entries[0].PrevHash, domain.GenesisHash()) {
		t.Errorf("first prev hash = %x, want the genesis hash", entries[0].PrevHash)
	}
	for i, e := range entries {
		if e.Seq != int64(i+1) || e.Chain != org.String() {
			t.Errorf("entry %d: seq %d chain %s", i, e.Seq, e.Chain)
		}
		if len(e.Hash) != domain.HashSize || !bytes.Equal(e.Hash, e.ComputeHash()) {
			t.Errorf("entry %d: hash %x does not recompute", i, e.Hash)
		}
		if i > 0 && !bytes.Equal(e.PrevHash, entries[i-1].Hash) {
			t.Errorf("entry %d: prev hash is not entry %d's hash", i, i-1)
		}
	}
	if h.LastSeq != 3 || !bytes.Equal(h.LastHash, entries[2].Hash) || h.AnchorSeq != 0 {
		t.Errorf("head = %+v", h)
	}
	if b := walk(h, entries); b != nil {
		t.Errorf("an intact chain is broken: %v", b)
	}
	if b := walk(domain.NewHead("platform"), nil); b != nil {
		t.Errorf("an empty chain is broken: %v", b)
	}
}

func TestHashCoversEveryField(t *testing.T) {
	t.Parallel()
	entries, _ := chainOf(t, kernel.NewID[kernel.OrganizationKind](), 1)
	base := entries[0]
	edits := map[string]func(*domain.Entry){
		"id":           func(e *domain.Entry) { e.ID = kernel.NewID[domain.EntryKind]() },
		"chain":        func(e *domain.Entry) { e.Chain = "platform" },
		"seq":          func(e *domain.Entry) { e.Seq++ },
		"occurredAt":   func(e *domain.Entry) { e.OccurredAt = e.OccurredAt.Add(time.Microsecond) },
		"actorType":    func(e *domain.Entry) { e.ActorType = "system" },
		"actorId":      func(e *domain.Entry) { e.ActorID = "" },
		"impersonator": func(e *domain.Entry) { e.ImpersonatorID = kernel.NewID[kernel.UserKind]() },
		"organization": func(e *domain.Entry) { e.OrganizationID = kernel.OrganizationID{} },
		"action":       func(e *domain.Entry) { e.Action = "thing.undone" },
		"targetType":   func(e *domain.Entry) { e.TargetType = "users" },
		"targetId":     func(e *domain.Entry) { e.TargetID = "usr_y" },
		"metadata":     func(e *domain.Entry) { e.Metadata = `{"a":2}` },
		"ip":           func(e *domain.Entry) { e.IP = "192.0.2.2" },
		"userAgent":    func(e *domain.Entry) { e.UserAgent = "other" },
		"requestId":    func(e *domain.Entry) { e.RequestID = "req-2" },
		"prevHash":     func(e *domain.Entry) { e.PrevHash = bytes.Repeat([]byte{1}, domain.HashSize) },
	}
	for name, edit := range edits {
		e := base
		edit(&e)
		if bytes.Equal(e.ComputeHash(), base.Hash) {
			t.Errorf("changing %s leaves the hash unchanged", name)
		}
	}

	// Fields are length-prefixed: moving a byte from one to the next is a
	// different entry.
	a, b := base, base
	a.TargetType, a.TargetID = "user", "s_x"
	b.TargetType, b.TargetID = "users", "_x"
	if bytes.Equal(a.ComputeHash(), b.ComputeHash()) {
		t.Error("the encoding is ambiguous across field boundaries")
	}
}

func TestWalkFindsTheFirstBrokenLink(t *testing.T) {
	t.Parallel()
	org := kernel.NewID[kernel.OrganizationKind]()
	tests := []struct {
		name    string
		tamper  func(entries []domain.Entry, h *domain.Head) []domain.Entry
		seq     int64
		entryOK bool // the break names an entry
		reason  string
	}{
		{"edited metadata", func(es []domain.Entry, _ *domain.Head) []domain.Entry {
			es[2].Metadata = `{"a":99}`
			return es
		}, 3, true, "changed after it was written"},
		{"edited and rehashed", func(es []domain.Entry, _ *domain.Head) []domain.Entry {
			es[2].Action = "thing.hidden"
			es[2].Hash = es[2].ComputeHash()
			return es
		}, 4, true, "previous hash does not match"},
		{"deleted in the middle", func(es []domain.Entry, _ *domain.Head) []domain.Entry {
			return append(es[:1:1], es[2:]...)
		}, 2, false, "entry 2 is missing"},
		{"two deleted", func(es []domain.Entry, _ *domain.Head) []domain.Entry {
			return append(es[:1:1], es[3:]...)
		}, 2, false, "entries 2 to 3 are missing"},
		{"first deleted", func(es []domain.Entry, _ *domain.Head) []domain.Entry {
			return es[1:]
		}, 1, false, "entry 1 is missing"},
		{"last deleted", func(es []domain.Entry, _ *domain.Head) []domain.Entry {
			return es[:4]
		}, 5, false, "the last of the chain, is missing"},
		{"end deleted", func(es []domain.Entry, _ *domain.Head) []domain.Entry {
			return es[:2]
		}, 3, false, "entries 3 to 5, the end of the chain, are missing"},
		{"duplicated", func(es []domain.Entry, _ *domain.Head) []domain.Entry {
			return append(es[:3:3], es[2:]...)
		}, 3, true, "out of order"},
		{"moved to another organization", func(es []domain.Entry, _ *domain.Head) []domain.Entry {
			es[1].OrganizationID = kernel.NewID[kernel.OrganizationKind]()
			return es
		}, 2, true, "organization or actor does not match"},
		{"head rewritten", func(es []domain.Entry, h *domain.Head) []domain.Entry {
			h.LastHash = bytes.Repeat([]byte{7}, domain.HashSize)
			return es
		}, 5, false, "head does not hold the hash"},
		{"entry past the head", func(es []domain.Entry, h *domain.Head) []domain.Entry {
			h.LastSeq, h.LastHash = 4, es[3].Hash
			return es
		}, 5, true, "past the chain's head"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			entries, h := chainOf(t, org, 5)
			entries = tt.tamper(entries, &h)
			b := walk(h, entries)
			if b == nil {
				t.Fatal("the walk found the chain intact")
			}
			if b.Chain != org.String() || b.Seq != tt.seq || !b.EntryID.IsZero() != tt.entryOK || !strings.Contains(b.Reason, tt.reason) {
				t.Errorf("break = %+v; want seq %d, entry named %v, reason containing %q", b, tt.seq, tt.entryOK, tt.reason)
			}
			if !strings.Contains(b.String(), tt.reason) {
				t.Errorf("String() = %q", b.String())
			}
		})
	}
}

func TestWalkFromAnAnchor(t *testing.T) {
	t.Parallel()
	org := kernel.NewID[kernel.OrganizationKind]()
	entries, h := chainOf(t, org, 5)
	h.AnchorSeq, h.AnchorHash = 2, entries[1].Hash
	if b := walk(h, entries[2:]); b != nil {
		t.Errorf("the chain after its anchor is broken: %v", b)
	}
	bad := h
	bad.AnchorHash = entries[0].Hash
	if b := walk(bad, entries[2:]); b == nil || b.Seq != 3 || !strings.Contains(b.Reason, "anchor") {
		t.Errorf("a wrong anchor: break %+v", b)
	}
	all := h
	all.AnchorSeq, all.AnchorHash = 5, entries[4].Hash
	if b := walk(all, nil); b != nil {
		t.Errorf("a chain pruned to its end is broken: %v", b)
	}
}

// TestWalkChecksAUsersChain: outside organizations an entry belongs to the
// chain of the user who acted; one claiming another actor is a break.
func TestWalkChecksAUsersChain(t *testing.T) {
	t.Parallel()
	user := kernel.NewID[kernel.UserKind]().String()
	h := domain.NewHead(user)
	var es []domain.Entry
	for range 2 {
		e, err := domain.NewEntry(domain.EntryFields{
			ID: kernel.NewID[domain.EntryKind](), OccurredAt: t0, ActorType: domain.ActorUser, ActorID: user, Action: "user.signed_in",
		})
		if err != nil || e.Chain != user {
			t.Fatalf("entry on chain %q, %v; want the user's", e.Chain, err)
		}
		e, h = h.Append(e)
		es = append(es, e)
	}
	if b := walk(h, es); b != nil {
		t.Fatalf("an intact chain is broken: %v", b)
	}
	es[1].ActorID = kernel.NewID[kernel.UserKind]().String()
	if b := walk(h, es); b == nil || b.Seq != 2 || !strings.Contains(b.Reason, "actor does not match") {
		t.Errorf("break = %v, want seq 2 on its actor", b)
	}
}
