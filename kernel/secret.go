package kernel

import (
	"strings"
	"unicode"
)

// Redacted is what is shown, or stored, in place of a value that may hold
// a secret: an audit entry's metadata, a job's arguments in the admin API.
const Redacted = "[REDACTED]"

// secretParts are name fragments that mark a secret wherever they appear
// in a field name, in any case.
var secretParts = []string{
	"password", "passwd", "passphrase", "secret", "token", "hash",
	"credential", "authorization", "cookie",
}

// keyCompounds are single-word spellings of secret keys ("apikey").
var keyCompounds = []string{"apikey", "privatekey", "accesskey", "secretkey", "signingkey", "encryptionkey"}

// IsSecretField reports whether a field (a JSON property, a metadata key)
// named name may hold a secret, so that its value is never shown or
// stored as is. It is the one such predicate: whatever redacts fields uses
// it. A name is secret when, lower-cased, it contains password, passwd,
// passphrase, secret, token, hash, credential, authorization or cookie;
// or when one of its words (split at case changes and at _ - . and
// spaces) is key or keys, or a one-word key name such as apikey; or code
// or codes (a verification, recovery or one-time code); or when one of
// its words is, starts or ends with otp (otp, totp, otpauth). "apiKey",
// "api_key", "privateKey", "x-api-key" and "recoveryCodes" are secret;
// "monkey", "keyboard", "footprint" and "barcode" are not. It errs the
// safe way: "keyId" and "countryCode" count as secret.
func IsSecretField(name string) bool {
	lower := strings.ToLower(name)
	for _, p := range secretParts {
		if strings.Contains(lower, p) {
			return true
		}
	}
	for _, w := range nameWords(name) {
		switch {
		case w == "key" || w == "keys" || w == "code" || w == "codes":
			return true
		case strings.HasPrefix(w, "otp") || strings.HasSuffix(w, "otp"):
			return true
		}
		for _, c := range keyCompounds {
			if w == c || w == c+"s" {
				return true
			}
		}
	}
	return false
}

// nameWords splits a field name into lower-case words: at _ - . and
// spaces, and where camelCase changes case ("privateKeyID" → private,
// key, id).
func nameWords(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || unicode.IsSpace(r):
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0:
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			// "apiKey": lower to upper; "APIKey": the K starts a word
			// because a lower-case letter follows it.
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}
