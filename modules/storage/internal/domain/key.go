// Package domain holds storage's rules: the content-addressed keys objects
// are stored under and what a key may be.
package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// Kind is what an object is for.
type Kind string

// The kinds of objects.
const (
	KindAvatar Kind = "avatar"
	KindLogo   Kind = "logo"
	KindFile   Kind = "file"
)

// MaxKeyLength bounds a key.
const MaxKeyLength = 512

// Sum16 is the first 16 hexadecimal digits of the SHA-256 of b: what
// content-addresses a key.
func Sum16(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:8])
}

// AvatarKey is avatars/{userId}-{sha256:16}.{ext}.
func AvatarKey(user kernel.UserID, body []byte, ext string) string {
	return "avatars/" + user.String() + "-" + Sum16(body) + "." + ext
}

// LogoKey is logos/{orgId}-{sha256:16}.{ext}.
func LogoKey(org kernel.OrganizationID, body []byte, ext string) string {
	return "logos/" + org.String() + "-" + Sum16(body) + "." + ext
}

// FileKey is files/{orgId}/{sha256:16}.{ext} for a product's file, or
// without the extension when ext is "".
func FileKey(org kernel.OrganizationID, body []byte, ext string) string {
	k := "files/" + org.String() + "/" + Sum16(body)
	if ext != "" {
		k += "." + ext
	}
	return k
}

// Ext is the extension of a file name as a key takes it: the letters and
// digits after the last dot, lower-cased, 1 to 10 of them; "" otherwise.
func Ext(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	ext := strings.ToLower(name[i+1:])
	if len(ext) == 0 || len(ext) > 10 {
		return ""
	}
	for _, r := range ext {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return ""
		}
	}
	return ext
}

// ValidKey reports whether k is a key the storage could have made: 1 to
// MaxKeyLength bytes of lower-case letters, digits, '-', '_', '.' and '/',
// in segments separated by single slashes, none empty, none starting with
// a dot (so no "..", no hidden files), not starting or ending with a
// slash. The local provider refuses any other path before touching the
// disk.
func ValidKey(k string) bool {
	if k == "" || len(k) > MaxKeyLength {
		return false
	}
	for _, seg := range strings.Split(k, "/") {
		if seg == "" || seg[0] == '.' {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' && c != '.' {
				return false
			}
		}
	}
	return true
}
