package utfs

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MaxCustomIDLength is the longest customId the adapter gives UploadThing.
// UploadThing's docs state no limit; 128 is what third-party clients of its
// API enforce, so longer keys are hashed rather than risk a refusal.
const MaxCustomIDLength = 128

// hashedPrefix starts every derived customId.
const hashedPrefix = "sha256-"

// CustomID is the customId an object stored under key gets at UploadThing,
// which Delete, Open, URL and SignedURL then address it by: one path
// segment of its file URL (https://{appId}.ufs.sh/f/{customId}), so it
// holds no slash. It is key with each '/' written '~' when key is at most
// MaxCustomIDLength bytes of characters that need no escaping in a URL
// path (letters, digits, '-', '.', '_' and '/': every key the storage
// makes), holds no '~' and does not start with "sha256-"; otherwise it is
// "sha256-" and the hexadecimal SHA-256 of key (71 characters). Both forms
// are deterministic, and no key's written form can be another key's, so
// distinct keys never share a customId.
func CustomID(key string) string {
	if len(key) > 0 && len(key) <= MaxCustomIDLength && !strings.HasPrefix(key, hashedPrefix) &&
		!strings.Contains(key, "~") && pathSafe(key) {
		return strings.ReplaceAll(key, "/", "~")
	}
	sum := sha256.Sum256([]byte(key))
	return hashedPrefix + hex.EncodeToString(sum[:])
}

// pathSafe reports whether s holds only URL-unreserved characters and
// slashes, so that it stands in a URL path as it is.
func pathSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '/':
		default:
			return false
		}
	}
	return true
}
