package domain

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"

	"github.com/groundworkhq/groundwork/kernel"
)

// Redacted replaces the value of a metadata field that may hold a secret.
const Redacted = "[REDACTED]"

// CanonicalMetadata returns m as the JSON object stored with an entry: every
// field whose name suggests a secret (IsSecretKey), at any depth, has its
// value replaced by Redacted; keys are sorted, numbers kept as written and
// HTML characters unescaped, so the same metadata always encodes to the
// same text. Any JSON-encodable values are accepted (structs are encoded
// by their JSON field names, and redacted by those). Nil or empty metadata
// is "{}". It returns a kernel Invalid error (CodeInvalidEntry) when m
// cannot be encoded.
func CanonicalMetadata(m map[string]any) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	invalid := func(err error) error {
		return kernel.Invalid(CodeInvalidEntry, "The audit entry's metadata cannot be encoded as JSON.",
			kernel.FieldError{Field: "metadata", Code: "invalid", Message: err.Error()}).WithCause(err)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return "", invalid(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", invalid(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(redact(v)); err != nil {
		return "", invalid(err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// redact walks a decoded JSON value and replaces secret fields' values.
func redact(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if IsSecretKey(k) {
				t[k] = Redacted
			} else {
				t[k] = redact(val)
			}
		}
	case []any:
		for i, val := range t {
			t[i] = redact(val)
		}
	}
	return v
}

// secretParts are name fragments that mark a secret wherever they appear
// in a field name, in any case.
var secretParts = []string{
	"password", "passwd", "passphrase", "secret", "token", "hash",
	"credential", "authorization", "cookie",
}

// keyCompounds are single-word spellings of secret keys ("apikey").
var keyCompounds = []string{"apikey", "privatekey", "accesskey", "secretkey", "signingkey", "encryptionkey"}

// IsSecretKey reports whether a metadata field named name may hold a
// secret: its lower-cased name contains password, passwd, passphrase,
// secret, token, hash, credential, authorization or cookie; or one of its
// words (split at case changes and at _ - . and spaces) is key or keys, or
// is a one-word key name such as apikey; or one of its words is, starts or
// ends with otp (otp, totp, otpauth). "apiKey", "api_key", "privateKey"
// and "x-api-key" are secret; "monkey", "keyboard" and "footprint" are not.
func IsSecretKey(name string) bool {
	lower := strings.ToLower(name)
	for _, p := range secretParts {
		if strings.Contains(lower, p) {
			return true
		}
	}
	for _, w := range words(name) {
		switch {
		case w == "key" || w == "keys":
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

// words splits a field name into lower-case words: at _ - . and spaces, and
// where camelCase changes case ("privateKeyID" → private, key, id).
func words(name string) []string {
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
