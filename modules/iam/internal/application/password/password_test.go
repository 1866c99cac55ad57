package password_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/iam/internal/application/password"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// fast are cheap parameters so tests run quickly; the format is the same.
var fast = password.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func TestDefaultParams(t *testing.T) {
	t.Parallel()
	want := password.Params{Memory: 19456, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	if password.DefaultParams != want {
		t.Errorf("DefaultParams = %+v, want OWASP's %+v", password.DefaultParams, want)
	}
	if err := password.DefaultParams.Validate(); err != nil {
		t.Error(err)
	}
}

func TestHashAndVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := password.New(password.DefaultParams, 0)
	phc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(phc) {
		t.Errorf("Hash = %q, not PHC argon2id at DefaultParams", phc)
	}
	again, _ := h.Hash(ctx, "correct horse battery staple")
	if again == phc {
		t.Error("two hashes of one password are equal: the salt is not fresh")
	}

	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{"right", "correct horse battery staple", true},
		{"wrong", "correct horse battery stapler", false},
		{"case", "Correct horse battery staple", false},
		{"empty", "", false},
		{"prefix", "correct horse", false},
	}
	for _, tt := range tests {
		ok, rehash, err := h.Verify(ctx, tt.password, phc)
		if err != nil || ok != tt.ok || rehash {
			t.Errorf("%s: Verify = %v, %v, %v; want %v, false, nil", tt.name, ok, rehash, err, tt.ok)
		}
	}
}

func TestUnicodePasswords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := password.New(fast, 0)
	pw := "pässwörd 🔑 密码"
	phc, err := h.Hash(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := h.Verify(ctx, pw, phc); !ok {
		t.Error("unicode password does not verify")
	}
	// Bytes matter: the NFD spelling of "ä" is another password.
	if ok, _, _ := h.Verify(ctx, "pa\u0308sswörd 🔑 密码", phc); ok {
		t.Error("a different byte sequence verified")
	}
}

func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	old := password.New(fast, 0)
	phc, err := old.Hash(ctx, "hunter2hunter2")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		params password.Params
		rehash bool
	}{
		{"same", fast, false},
		{"more memory", password.Params{Memory: 128, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}, true},
		{"more iterations", password.Params{Memory: 64, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}, true},
		{"more lanes", password.Params{Memory: 64, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32}, true},
		{"longer salt", password.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 32, KeyLength: 32}, true},
		{"longer key", password.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 64}, true},
	}
	for _, tt := range tests {
		h := password.New(tt.params, 0)
		ok, rehash, err := h.Verify(ctx, "hunter2hunter2", phc)
		if !ok || rehash != tt.rehash || err != nil {
			t.Errorf("%s: Verify = %v, %v, %v; want true, %v, nil", tt.name, ok, rehash, err, tt.rehash)
		}
		// A wrong password never asks for a rehash.
		if ok, rehash, _ := h.Verify(ctx, "wrong password", phc); ok || rehash {
			t.Errorf("%s: wrong password gave %v, %v", tt.name, ok, rehash)
		}
	}
}

func TestMalformedHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := password.New(fast, 0)
	good, err := h.Hash(ctx, "password1")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=..., salt, key
	salt, key := parts[4], parts[5]
	join := func(p ...string) string { return strings.Join(p, "$") }
	tests := []struct{ name, phc string }{
		{"empty", ""},
		{"garbage", "not a hash"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", join("", "argon2i", "v=19", "m=64,t=1,p=1", salt, key)},
		{"argon2d", join("", "argon2d", "v=19", "m=64,t=1,p=1", salt, key)},
		{"scrypt", "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"},
		{"no leading $", join("argon2id", "v=19", "m=64,t=1,p=1", salt, key)},
		{"missing key", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt)},
		{"extra field", good + "$x"},
		{"version 16", join("", "argon2id", "v=16", "m=64,t=1,p=1", salt, key)},
		{"no version", join("", "argon2id", "m=64,t=1,p=1", salt, key, "")},
		{"params out of order", join("", "argon2id", "v=19", "t=1,m=64,p=1", salt, key)},
		{"missing param", join("", "argon2id", "v=19", "m=64,t=1", salt, key)},
		{"extra param", join("", "argon2id", "v=19", "m=64,t=1,p=1,k=1", salt, key)},
		{"negative", join("", "argon2id", "v=19", "m=-64,t=1,p=1", salt, key)},
		{"plus sign", join("", "argon2id", "v=19", "m=+64,t=1,p=1", salt, key)},
		{"leading zero", join("", "argon2id", "v=19", "m=064,t=1,p=1", salt, key)},
		{"not a number", join("", "argon2id", "v=19", "m=lots,t=1,p=1", salt, key)},
		{"overflow", join("", "argon2id", "v=19", "m=99999999999,t=1,p=1", salt, key)},
		{"memory bomb", join("", "argon2id", "v=19", "m=4294967295,t=1,p=1", salt, key)},
		{"too many iterations", join("", "argon2id", "v=19", "m=64,t=100000,p=1", salt, key)},
		{"zero iterations", join("", "argon2id", "v=19", "m=64,t=0,p=1", salt, key)},
		{"zero lanes", join("", "argon2id", "v=19", "m=64,t=1,p=0", salt, key)},
		{"too many lanes", join("", "argon2id", "v=19", "m=64,t=1,p=256", salt, key)},
		{"memory below 8 per lane", join("", "argon2id", "v=19", "m=8,t=1,p=2", salt, key)},
		{"padded salt", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt+"==", key)},
		{"url alphabet", join("", "argon2id", "v=19", "m=64,t=1,p=1", strings.Repeat("_", 22), key)},
		{"short salt", join("", "argon2id", "v=19", "m=64,t=1,p=1", "c2FsdA", key)},
		{"empty salt", join("", "argon2id", "v=19", "m=64,t=1,p=1", "", key)},
		{"short key", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, "a2V5")},
		{"empty key", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, "")},
		{"newline in key", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, key[:10]+"\n"+key[10:])},
		{"trailing newline", good + "\n"},
	}
	for _, tt := range tests {
		ok, rehash, err := h.Verify(ctx, "password1", tt.phc)
		if !errors.Is(err, password.ErrMalformedHash) || ok || rehash {
			t.Errorf("%s: Verify(%q) = %v, %v, %v; want ErrMalformedHash", tt.name, tt.phc, ok, rehash, err)
		}
		if err != nil && tt.phc != "" && strings.Contains(err.Error(), tt.phc) {
			t.Errorf("%s: error %q echoes the hash", tt.name, err)
		}
	}
	// The untouched hash verifies, so the table tests the changes, not the base.
	if ok, _, err := h.Verify(ctx, "password1", good); !ok || err != nil {
		t.Fatalf("Verify(good) = %v, %v", ok, err)
	}
}

func TestInteroperableHash(t *testing.T) {
	t.Parallel()
	// A test vector of the reference implementation (phc-winner-argon2,
	// src/test.c): argon2id, t=2, m=2^16, p=1, password "password", salt
	// "somesalt".
	h := password.New(password.DefaultParams, 0)
	phc := "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	ok, rehash, err := h.Verify(context.Background(), "password", phc)
	if err != nil || !ok || !rehash {
		t.Errorf("Verify(reference hash) = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	if ok, _, _ := h.Verify(context.Background(), "passwort", phc); ok {
		t.Error("Verify(reference hash, wrong password) = true")
	}
}

func TestNewPanicsOnInvalidParams(t *testing.T) {
	t.Parallel()
	bad := []password.Params{
		{},
		{Memory: 64, Iterations: 0, Parallelism: 1, SaltLength: 16, KeyLength: 32},
		{Memory: 4, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32},
		{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 4, KeyLength: 32},
		{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 8},
		{Memory: 1<<20 + 1, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32},
	}
	for _, p := range bad {
		if p.Validate() == nil {
			t.Errorf("Validate(%+v) = nil", p)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", p)
				}
			}()
			password.New(p, 1)
		}()
	}
}

func TestDummyVerify(t *testing.T) {
	t.Parallel()
	h := password.New(fast, 1)
	var calls atomic.Int32
	password.SetInSlotHook(h, func() { calls.Add(1) })
	if err := h.DummyVerify(context.Background(), "anything"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Errorf("DummyVerify ran %d hashes, want 1", calls.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.DummyVerify(ctx, "anything"); !errors.Is(err, context.Canceled) {
		t.Errorf("DummyVerify(cancelled) = %v", err)
	}
}

// waitFor polls cond until it holds (testdb.Eventually).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testdb.Eventually(t, what, cond)
}

// TestConcurrencyLimit holds every slot and checks the next caller waits
// rather than hashing.
func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	const limit = 2
	h := password.New(fast, limit)
	release := make(chan struct{})
	unblock := sync.OnceFunc(func() { close(release) })
	t.Cleanup(unblock) // so a failed wait does not strand the goroutines
	var entered atomic.Int32
	password.SetInSlotHook(h, func() {
		entered.Add(1)
		<-release
	})

	var wg sync.WaitGroup
	errs := make(chan error, limit+1)
	for range limit + 1 {
		wg.Go(func() {
			_, err := h.Hash(context.Background(), "password1")
			errs <- err
		})
	}
	// A slot counts as in flight before the hook runs, so wait for both
	// holders to be inside it; the third must then still be waiting.
	waitFor(t, "two in their slots and one waiting", func() bool {
		return h.InFlight() == limit && h.Waiting() == 1 && entered.Load() == limit
	})
	if n := entered.Load(); n != limit {
		t.Errorf("%d hashes in their slot, want %d", n, limit)
	}
	unblock()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if entered.Load() != limit+1 || h.InFlight() != 0 || h.Waiting() != 0 {
		t.Errorf("after: entered %d in flight %d waiting %d", entered.Load(), h.InFlight(), h.Waiting())
	}
}

// TestConcurrencyHighWater runs many callers and records the most hashes
// ever inside their slots at once.
func TestConcurrencyHighWater(t *testing.T) {
	t.Parallel()
	const limit = 3
	h := password.New(fast, limit)
	var inside, peak atomic.Int32
	password.SetInSlotHook(h, func() {
		n := inside.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		runtime.Gosched()
		inside.Add(-1)
	})
	phc, err := h.Hash(context.Background(), "password1")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			var err error
			switch i % 3 {
			case 0:
				_, err = h.Hash(context.Background(), "password1")
			case 1:
				_, _, err = h.Verify(context.Background(), "password1", phc)
			default:
				err = h.DummyVerify(context.Background(), "password1")
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p < 1 || p > limit {
		t.Errorf("peak concurrent hashes = %d, want 1..%d", p, limit)
	}
}

func TestContextCancelledWhileWaiting(t *testing.T) {
	t.Parallel()
	h := password.New(fast, 1)
	release := make(chan struct{})
	unblock := sync.OnceFunc(func() { close(release) })
	t.Cleanup(unblock)
	password.SetInSlotHook(h, func() { <-release })
	phc := "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"

	holder := make(chan error, 1)
	go func() {
		_, err := h.Hash(context.Background(), "password1")
		holder <- err
	}()
	waitFor(t, "the slot to be taken", func() bool { return h.InFlight() == 1 })

	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Hash", func(ctx context.Context) error { _, err := h.Hash(ctx, "p"); return err }},
		{"Verify", func(ctx context.Context) error { _, _, err := h.Verify(ctx, "p", phc); return err }},
		{"DummyVerify", func(ctx context.Context) error { return h.DummyVerify(ctx, "p") }},
	}
	for _, c := range calls {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- c.call(ctx) }()
		waitFor(t, c.name+" to wait", func() bool { return h.Waiting() == 1 })
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("%s while waiting, cancelled: %v, want context.Canceled", c.name, err)
		}
		waitFor(t, "the waiter to leave", func() bool { return h.Waiting() == 0 })
	}

	// A deadline is honoured the same way.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "p"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash past its deadline: %v", err)
	}

	unblock()
	if err := <-holder; err != nil {
		t.Error(err)
	}
	if h.InFlight() != 0 {
		t.Errorf("in flight %d after all done", h.InFlight())
	}
}

func TestCancelledContextDoesNoWork(t *testing.T) {
	t.Parallel()
	h := password.New(fast, 1)
	var calls atomic.Int32
	password.SetInSlotHook(h, func() { calls.Add(1) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Hash(ctx, "p"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash(cancelled) = %v", err)
	}
	if calls.Load() != 0 {
		t.Error("hashed for a cancelled context")
	}
}

func ExampleHasher() {
	h := password.New(password.DefaultParams, 0)
	ctx := context.Background()
	phc, _ := h.Hash(ctx, "correct horse battery staple")
	ok, needsRehash, err := h.Verify(ctx, "correct horse battery staple", phc)
	fmt.Println(strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$"), ok, needsRehash, err)
	// Output: true true false <nil>
}

// BenchmarkHash measures one core's argon2id rate at DefaultParams: the
// "host's hash rate" the sign-in benchmark compares against (multiply by
// the cores, or see BenchmarkVerifyParallel).
func BenchmarkHash(b *testing.B) {
	h := password.New(password.DefaultParams, 1)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}

// BenchmarkVerifyParallel measures the whole host's verify rate through one
// Hasher limited to a hash per core, as sign-in uses it.
func BenchmarkVerifyParallel(b *testing.B) {
	h := password.New(password.DefaultParams, 0)
	ctx := context.Background()
	phc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, _, err := h.Verify(ctx, "correct horse battery staple", phc); !ok || err != nil {
				b.Error(ok, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
}
