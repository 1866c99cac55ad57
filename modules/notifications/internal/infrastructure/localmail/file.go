package localmail

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/smtpgw"
)

// FileProvider names the file sender in application.SendError.
const FileProvider = "file"

// fileTimeLayout is fixed-width and has no '-', so names sort by time and the
// key is everything after the first '-'.
const fileTimeLayout = "20060102T150405.000000000Z"

// FileSender writes each email as an .eml file into a mailbox directory.
// It is safe for concurrent use within one process.
type FileSender struct {
	dir   string
	clock kernel.Clock
	// mu makes check-then-write atomic, so concurrent sends of one key write
	// one file.
	mu sync.Mutex
}

var _ application.EmailSender = (*FileSender)(nil)

// NewFile returns a FileSender writing into dir. It does no I/O: the
// directory is created (0o750) by the first Send.
func NewFile(dir string) *FileSender {
	return &FileSender{dir: dir, clock: kernel.SystemClock{}}
}

// Send writes e, rendered by smtpgw.BuildMessage, to
// "<UTC timestamp>-<sanitized idempotency key>.eml" through a temporary file
// and a rename, so a reader never sees half a message. When a file for the
// same idempotency key exists Send writes nothing and returns nil; an email
// without a key is always written. A message that cannot be built is a
// permanent failure, a file-system error a transient one.
func (s *FileSender) Send(ctx context.Context, e application.Email) error {
	if err := ctx.Err(); err != nil {
		return application.Transient(FileProvider, 0, 0, err)
	}
	now := s.clock.Now()
	msg, err := smtpgw.BuildMessage(e, now, "")
	if err != nil {
		return application.Permanent(FileProvider, 0, fmt.Errorf("build message: %w", err))
	}
	key, err := fileKey(e.IdempotencyKey)
	if err != nil {
		return application.Transient(FileProvider, 0, 0, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return application.Transient(FileProvider, 0, 0, fmt.Errorf("create mailbox: %w", err))
	}
	if e.IdempotencyKey != "" {
		exists, err := s.hasKey(key)
		if err != nil {
			return application.Transient(FileProvider, 0, 0, err)
		}
		if exists {
			return nil
		}
	}
	name := now.UTC().Format(fileTimeLayout) + "-" + key + ".eml"
	if err := writeAtomic(s.dir, name, msg); err != nil {
		return application.Transient(FileProvider, 0, 0, err)
	}
	return nil
}

// hasKey reports whether the mailbox holds a message for key.
func (s *FileSender) hasKey(key string) (bool, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return false, fmt.Errorf("read mailbox: %w", err)
	}
	want := key + ".eml"
	for _, entry := range entries {
		if _, rest, ok := strings.Cut(entry.Name(), "-"); ok && rest == want {
			return true, nil
		}
	}
	return false, nil
}

func writeAtomic(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, ".incoming-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write message: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("publish message: %w", err)
	}
	return nil
}

// fileKey turns an idempotency key into a file-name part: the key itself
// when it is short and made of [A-Za-z0-9._-], otherwise a sanitized prefix
// plus a hash of the whole key (so distinct keys stay distinct). Without a
// key it is random.
func fileKey(key string) (string, error) {
	if key == "" {
		var r [8]byte
		if _, err := rand.Read(r[:]); err != nil {
			return "", fmt.Errorf("random file name: %w", err)
		}
		return "nokey_" + hex.EncodeToString(r[:]), nil
	}
	safe := true
	b := []byte(key)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			b[i] = '_'
			safe = false
		}
	}
	const maxKey = 64
	if safe && len(key) <= maxKey {
		return key, nil
	}
	if len(b) > maxKey {
		b = b[:maxKey]
	}
	sum := sha256.Sum256([]byte(key))
	return string(b) + "_" + hex.EncodeToString(sum[:6]), nil
}
