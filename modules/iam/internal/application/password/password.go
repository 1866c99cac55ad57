package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
	SaltLength  uint32 // bytes
	KeyLength   uint32 // bytes
}

// DefaultParams are OWASP's recommended argon2id parameters (Password
// Storage Cheat Sheet): 19 MiB of memory, 2 iterations, 1 lane, with a
// 16-byte salt and a 32-byte key. Treat it as a constant.
var DefaultParams = Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Bounds on parameters, checked when hashing and when reading a stored hash,
// so that a corrupted or hostile hash cannot make Verify allocate gigabytes
// or spin for minutes.
const (
	maxMemory     = 1 << 20 // KiB: 1 GiB
	maxIterations = 64
	minSalt       = 8 // RFC 9106 §3.1
	maxSalt       = 64
	minKey        = 16
	maxKey        = 128
)

// Validate reports whether p is usable: memory of at least 8 KiB per lane
// and at most 1 GiB, 1–64 iterations, at least one lane, a salt of 8–64 bytes
// and a key of 16–128 bytes.
func (p Params) Validate() error {
	switch {
	case p.Parallelism < 1:
		return errors.New("password: parallelism must be at least 1")
	case p.Memory < 8*uint32(p.Parallelism) || p.Memory > maxMemory:
		return fmt.Errorf("password: memory must be between %d and %d KiB", 8*uint32(p.Parallelism), maxMemory)
	case p.Iterations < 1 || p.Iterations > maxIterations:
		return fmt.Errorf("password: iterations must be between 1 and %d", maxIterations)
	case p.SaltLength < minSalt || p.SaltLength > maxSalt:
		return fmt.Errorf("password: salt length must be between %d and %d bytes", minSalt, maxSalt)
	case p.KeyLength < minKey || p.KeyLength > maxKey:
		return fmt.Errorf("password: key length must be between %d and %d bytes", minKey, maxKey)
	}
	return nil
}

// ErrMalformedHash is returned (wrapped) by Verify for a stored hash that is
// not a PHC-encoded argon2id hash within the parameter bounds. The hash
// itself never appears in the error.
var ErrMalformedHash = errors.New("password: malformed argon2id hash")

// Hasher hashes and verifies passwords with fixed parameters, at most
// maxConcurrent at a time. It is safe for concurrent use.
type Hasher struct {
	params  Params
	sem     chan struct{}
	waiting atomic.Int64

	// dummySalt and dummyKey make DummyVerify's work the same as Verify's.
	dummySalt, dummyKey []byte

	// inSlot, when set (by tests), runs while a hash holds its slot.
	inSlot func()
}

// New returns a Hasher with parameters p that runs at most maxConcurrent
// hashes at once; maxConcurrent ≤ 0 means runtime.NumCPU(). New does no
// hashing. It panics if p is invalid (see Params.Validate): the parameters
// are fixed at build time, so that is a programming error.
func New(p Params, maxConcurrent int) *Hasher {
	if err := p.Validate(); err != nil {
		panic(err)
	}
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.NumCPU()
	}
	h := &Hasher{
		params:    p,
		sem:       make(chan struct{}, maxConcurrent),
		dummySalt: make([]byte, p.SaltLength),
		dummyKey:  make([]byte, p.KeyLength),
	}
	// Random, not secret, so no password can match the dummy by design.
	_, _ = rand.Read(h.dummySalt)
	_, _ = rand.Read(h.dummyKey)
	return h
}

// Params returns the hasher's parameters.
func (h *Hasher) Params() Params { return h.params }

// InFlight returns how many hashes are running now (for metrics).
func (h *Hasher) InFlight() int { return len(h.sem) }

// Waiting returns how many callers are waiting for a slot (for metrics).
func (h *Hasher) Waiting() int { return int(h.waiting.Load()) }

// acquire takes a hashing slot, waiting while all are busy until ctx ends.
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	default:
	}
	h.waiting.Add(1)
	defer h.waiting.Add(-1)
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// key derives the argon2id key in a slot.
func (h *Hasher) key(ctx context.Context, password string, salt []byte, p Params) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-h.sem }()
	k := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
	if h.inSlot != nil {
		h.inSlot()
	}
	return k, nil
}

// Hash returns the PHC-encoded argon2id hash of password with a fresh salt:
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>" (unpadded standard base64).
// It returns ctx's error if ctx ends while waiting for a slot.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key, err := h.key(ctx, password, salt, h.params)
	if err != nil {
		return "", err
	}
	return encode(h.params, salt, key), nil
}

// Verify reports whether password matches the PHC-encoded hash phc,
// comparing in constant time with the parameters stored in phc. needsRehash
// is true when the password matches but phc was made with parameters other
// than the hasher's, so the caller should store a fresh Hash. A malformed
// phc gives an error wrapping ErrMalformedHash; ctx ending while waiting
// for a slot gives ctx's error.
func (h *Hasher) Verify(ctx context.Context, password, phc string) (ok, needsRehash bool, err error) {
	p, salt, want, err := decode(phc)
	if err != nil {
		return false, false, err
	}
	got, err := h.key(ctx, password, salt, p)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// DummyVerify does the work of a Verify at the hasher's parameters against a
// hash no password matches, and returns only ctx's error. Sign-in calls it
// when the email is unknown (or the user has no password) so that the answer
// takes as long as for a wrong password.
func (h *Hasher) DummyVerify(ctx context.Context, password string) error {
	got, err := h.key(ctx, password, h.dummySalt, h.params)
	if err != nil {
		return err
	}
	subtle.ConstantTimeCompare(got, h.dummyKey)
	return nil
}

var b64 = base64.RawStdEncoding.Strict()

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses "$argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<key>" strictly:
// that order, decimal numbers without signs or leading zeros, unpadded
// standard base64, and parameters within Validate's bounds.
func decode(phc string) (p Params, salt, key []byte, err error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	if strings.ContainsAny(phc, "\r\n") { // base64 would skip them
		return bad("line break")
	}
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("not a PHC string")
	}
	if parts[1] != "argon2id" {
		return bad("not argon2id")
	}
	if v, ok := strings.CutPrefix(parts[2], "v="); !ok || v != strconv.Itoa(argon2.Version) {
		return bad("unsupported version")
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("parameters")
	}
	var nums [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		s, ok := strings.CutPrefix(kv[i], name)
		if !ok || s == "" || (len(s) > 1 && s[0] == '0') {
			return bad("parameters")
		}
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return bad("parameters")
		}
		nums[i] = n
	}
	if nums[2] > 255 {
		return bad("parameters")
	}
	salt, err = b64.DecodeString(parts[4])
	if err != nil {
		return bad("salt encoding")
	}
	key, err = b64.DecodeString(parts[5])
	if err != nil {
		return bad("key encoding")
	}
	p = Params{
		Memory:      uint32(nums[0]),
		Iterations:  uint32(nums[1]),
		Parallelism: uint8(nums[2]),
		SaltLength:  uint32(len(salt)),
		KeyLength:   uint32(len(key)),
	}
	if err := p.Validate(); err != nil {
		return bad(strings.TrimPrefix(err.Error(), "password: "))
	}
	return p, salt, key, nil
}
