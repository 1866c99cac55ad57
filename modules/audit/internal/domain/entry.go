package domain

import (
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
)

// EntryKind is the ID kind of audit entries ("aud").
type EntryKind struct{}

// Prefix returns "aud".
func (EntryKind) Prefix() string { return "aud" }

// EntryID identifies an audit entry ("aud_…", UUIDv7).
type EntryID = kernel.ID[EntryKind]

// The actor types the audit log itself knows. A payment provider acts under
// its own name ("stripe", "polar").
const (
	ActorUser   = "user"
	ActorSystem = "system"
)

// PlatformChain is the chain of entries that belong to no organization and
// were not made by a user: the system's and payment providers'.
const PlatformChain = "platform"

// ChainOf returns the chain of an entry of org made by the actor: the
// organization's ID; outside organizations, the acting user's ID, so that
// a user's account events (sign-ins, password changes) form a chain of
// their own and sign-ins across the platform do not take turns at one
// head; else PlatformChain.
func ChainOf(org kernel.OrganizationID, actorType, actorID string) string {
	if !org.IsZero() {
		return org.String()
	}
	if actorType == ActorUser {
		if _, err := kernel.ParseID[kernel.UserKind](actorID); err == nil {
			return actorID
		}
	}
	return PlatformChain
}

// Limits on the stored fields. Longer user agents are cut, not refused: a
// client controls its own, and an action must not fail because of it.
const (
	MaxActionLen    = 128
	MaxTypeLen      = 64
	MaxIDLen        = 200
	MaxIPLen        = 64
	MaxUserAgentLen = 512
	MaxRequestIDLen = 128
	MaxMetadataLen  = 64 << 10
)

// Entry is one audit log entry as stored: what its writer decided
// (EntryFields) and its link in its chain (Chain, Seq, PrevHash, Hash).
// Entries are never changed once written; NewEntry builds one and
// Head.Append links it.
type Entry struct {
	EntryFields
	Chain    string
	Seq      int64
	PrevHash []byte
	Hash     []byte
}

// EntryFields are the fields of an entry that its writer decides: what
// happened (Action, Target, Metadata), who did it (Actor, Impersonator),
// where (Organization, IP, user agent, request ID) and when.
type EntryFields struct {
	ID             EntryID
	OccurredAt     time.Time
	ActorType      string
	ActorID        string
	ImpersonatorID kernel.UserID
	OrganizationID kernel.OrganizationID
	Action         string
	TargetType     string
	TargetID       string
	// Metadata is a JSON object in canonical form (see CanonicalMetadata),
	// "{}" when there is none.
	Metadata  string
	IP        string
	UserAgent string
	RequestID string
}

// CodeInvalidEntry is the code of the error NewEntry returns.
const CodeInvalidEntry = "audit.invalid_entry"

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]*$`)

// NewEntry checks p and returns the entry, not yet linked into a chain. The
// time is kept to the microsecond, which both databases store exactly, so
// the hash computed now is the hash computed from the stored row. It returns
// a kernel Invalid error (CodeInvalidEntry) with a field error per bad
// field; the user agent is cut to MaxUserAgentLen instead.
func NewEntry(p EntryFields) (Entry, error) {
	var fields []kernel.FieldError
	bad := func(field, code, msg string) {
		fields = append(fields, kernel.FieldError{Field: field, Code: code, Message: msg})
	}
	name := func(field, v string, max int) {
		switch {
		case v == "":
			bad(field, "required", "is required")
		case len(v) > max:
			bad(field, "too_long", fmt.Sprintf("must be at most %d bytes", max))
		case !validName.MatchString(v):
			bad(field, "invalid", "must start with a letter or digit and hold only letters, digits and . _ : / -")
		}
	}
	text := func(field, v string, max int) {
		switch {
		case len(v) > max:
			bad(field, "too_long", fmt.Sprintf("must be at most %d bytes", max))
		case !utf8.ValidString(v):
			bad(field, "invalid", "must be UTF-8 text")
		}
	}
	if p.ID.IsZero() {
		bad("id", "required", "is required")
	}
	if p.OccurredAt.IsZero() {
		bad("occurredAt", "required", "is required")
	}
	name("action", p.Action, MaxActionLen)
	name("actorType", p.ActorType, MaxTypeLen)
	text("actorId", p.ActorID, MaxIDLen)
	if p.TargetType != "" {
		name("targetType", p.TargetType, MaxTypeLen)
	}
	text("targetId", p.TargetID, MaxIDLen)
	if p.TargetID != "" && p.TargetType == "" {
		bad("targetType", "required", "is required with a target ID")
	}
	text("ip", p.IP, MaxIPLen)
	text("requestId", p.RequestID, MaxRequestIDLen)
	if p.Metadata == "" {
		p.Metadata = "{}"
	}
	text("metadata", p.Metadata, MaxMetadataLen)
	if len(fields) > 0 {
		return Entry{}, kernel.Invalid(CodeInvalidEntry, "The audit entry is not valid.", fields...)
	}
	p.OccurredAt = p.OccurredAt.UTC().Truncate(time.Microsecond)
	p.UserAgent = truncateUTF8(p.UserAgent, MaxUserAgentLen)
	return Entry{EntryFields: p, Chain: ChainOf(p.OrganizationID, p.ActorType, p.ActorID)}, nil
}

// truncateUTF8 cuts s to at most n bytes without splitting a character, and
// drops invalid bytes.
func truncateUTF8(s string, n int) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // invalid bytes become U+FFFD
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
