package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"strconv"
	"time"
)

// HashSize is the size of an entry's hash: SHA-256.
const HashSize = sha256.Size

// GenesisHash is the previous hash of a chain's first entry: 32 zero bytes.
func GenesisHash() []byte { return make([]byte, HashSize) }

// hashDomain separates this encoding from any other use of SHA-256 and
// names its version, so a future encoding can be told apart.
const hashDomain = "groundwork.audit.entry.v1"

// ComputeHash returns the entry's hash: SHA-256 over its previous hash and
// every stored field, each written as an 8-byte big-endian length and its
// bytes, so no two different entries encode alike. Times are RFC 3339 with
// nanoseconds in UTC; IDs are their text form, "" when zero.
func (e Entry) ComputeHash() []byte {
	h := sha256.New()
	writeField(h, []byte(hashDomain))
	writeField(h, e.PrevHash)
	for _, f := range []string{
		e.ID.String(),
		e.Chain,
		strconv.FormatInt(e.Seq, 10),
		e.OccurredAt.UTC().Format(time.RFC3339Nano),
		e.ActorType,
		e.ActorID,
		e.ImpersonatorID.String(),
		e.OrganizationID.String(),
		e.Action,
		e.TargetType,
		e.TargetID,
		e.Metadata,
		e.IP,
		e.UserAgent,
		e.RequestID,
	} {
		writeField(h, []byte(f))
	}
	return h.Sum(nil)
}

func writeField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// Head is a chain's state: its newest link (LastSeq, LastHash) and its
// anchor (AnchorSeq, AnchorHash), the last entry pruning removed — or seq 0
// and GenesisHash when nothing was pruned. The entries AnchorSeq+1 …
// LastSeq are the chain.
type Head struct {
	Chain      string
	LastSeq    int64
	LastHash   []byte
	AnchorSeq  int64
	AnchorHash []byte
}

// NewHead returns the head of an empty chain.
func NewHead(chain string) Head {
	return Head{Chain: chain, LastHash: GenesisHash(), AnchorHash: GenesisHash()}
}

// Append links e after the head's last entry: it sets e's chain, seq,
// previous hash and hash, and returns e with the head moved onto it.
func (h Head) Append(e Entry) (Entry, Head) {
	e.Chain = h.Chain
	e.Seq = h.LastSeq + 1
	e.PrevHash = bytes.Clone(h.LastHash)
	e.Hash = e.ComputeHash()
	h.LastSeq, h.LastHash = e.Seq, bytes.Clone(e.Hash)
	return e, h
}

// Break is a broken link: the first place where a chain is not what its
// writers left. EntryID is zero when the break is a missing entry.
type Break struct {
	Chain   string
	Seq     int64
	EntryID EntryID
	Reason  string
}

func (b Break) String() string {
	s := fmt.Sprintf("chain %s, seq %d", b.Chain, b.Seq)
	if !b.EntryID.IsZero() {
		s += " (" + b.EntryID.String() + ")"
	}
	return s + ": " + b.Reason
}

// Walk checks a chain entry by entry, in seq order, from its anchor. Feed
// it every entry with Next, then call Finish; it stops at the first broken
// link.
type Walk struct {
	head    Head
	next    int64
	prev    []byte
	checked int64
	broken  *Break
}

// NewWalk returns a walk of the chain whose head is h.
func NewWalk(h Head) *Walk {
	return &Walk{head: h, next: h.AnchorSeq + 1, prev: h.AnchorHash}
}

// Next checks e, the entry after the previous one, and reports whether the
// chain is still intact.
func (w *Walk) Next(e Entry) bool {
	if w.broken != nil {
		return false
	}
	fail := func(seq int64, id EntryID, format string, args ...any) bool {
		w.broken = &Break{Chain: w.head.Chain, Seq: seq, EntryID: id, Reason: fmt.Sprintf(format, args...)}
		return false
	}
	switch {
	case e.Chain != w.head.Chain:
		return fail(e.Seq, e.ID, "the entry belongs to chain %s", e.Chain)
	case e.Seq > w.next:
		if e.Seq == w.next+1 {
			return fail(w.next, EntryID{}, "entry %d is missing", w.next)
		}
		return fail(w.next, EntryID{}, "entries %d to %d are missing", w.next, e.Seq-1)
	case e.Seq < w.next:
		return fail(e.Seq, e.ID, "seq %d is out of order: %d was expected", e.Seq, w.next)
	case e.Seq > w.head.LastSeq:
		return fail(e.Seq, e.ID, "the entry is past the chain's head (seq %d)", w.head.LastSeq)
	case ChainOf(e.OrganizationID, e.ActorType, e.ActorID) != e.Chain:
		return fail(e.Seq, e.ID, "the entry's organization or actor does not match its chain")
	case !bytes.Equal(e.PrevHash, w.prev):
		if e.Seq == w.head.AnchorSeq+1 && w.head.AnchorSeq > 0 {
			return fail(e.Seq, e.ID, "the previous hash does not match the anchor left by pruning")
		}
		return fail(e.Seq, e.ID, "the previous hash does not match the hash of entry %d", e.Seq-1)
	case !bytes.Equal(e.ComputeHash(), e.Hash):
		return fail(e.Seq, e.ID, "the entry's content does not match its hash: it was changed after it was written")
	}
	w.next++
	w.prev = e.Hash
	w.checked++
	return true
}

// Broken returns the first broken link Next found, or nil. Unlike Finish
// it does not check that the chain reaches its head, so it suits a walk
// over part of a chain.
func (w *Walk) Broken() *Break { return w.broken }

// Checked returns how many entries were found intact.
func (w *Walk) Checked() int64 { return w.checked }

// Finish checks that the chain reaches its head, and returns the first
// broken link, or nil when the chain is intact.
func (w *Walk) Finish() *Break {
	if w.broken != nil {
		return w.broken
	}
	last := w.next - 1
	switch {
	case last < w.head.LastSeq:
		if last+1 == w.head.LastSeq {
			w.broken = &Break{Chain: w.head.Chain, Seq: last + 1, Reason: fmt.Sprintf("entry %d, the last of the chain, is missing", last+1)}
		} else {
			w.broken = &Break{Chain: w.head.Chain, Seq: last + 1,
				Reason: fmt.Sprintf("entries %d to %d, the end of the chain, are missing", last+1, w.head.LastSeq)}
		}
	case !bytes.Equal(w.prev, w.head.LastHash):
		w.broken = &Break{Chain: w.head.Chain, Seq: last, Reason: "the chain's head does not hold the hash of its last entry"}
	}
	return w.broken
}
