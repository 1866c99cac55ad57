package jobs

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// RedactArgs returns a job's encoded arguments as JSON fit to show an
// admin: job arguments that hold secrets or links with tokens are never
// shown. At any depth, the value of every field named like a secret
// (kernel.IsSecretField: token, password, apiKey, code, …) is replaced by
// kernel.Redacted, and so is every string that is or holds a link
// (IsLink) — a whole rendered email body included, since its links carry
// the tokens of password resets, verifications and invitations. Numbers
// are kept as written. Arguments that are not JSON are replaced whole.
func RedactArgs(encoded []byte) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(encoded))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return redactedJSON
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(redactValue(v)); err != nil {
		return redactedJSON
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// redactedJSON is kernel.Redacted as a JSON string.
var redactedJSON = json.RawMessage(`"` + kernel.Redacted + `"`)

// redactValue walks a decoded JSON value, replacing secret fields' values
// and link strings.
func redactValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if kernel.IsSecretField(k) {
				t[k] = kernel.Redacted
			} else {
				t[k] = redactValue(val)
			}
		}
	case []any:
		for i, val := range t {
			t[i] = redactValue(val)
		}
	case string:
		if IsLink(t) {
			return kernel.Redacted
		}
	}
	return v
}

// IsLink reports whether s is, or holds, a link that may carry a token, by
// the simplest rule that misses none: s contains "://" (an absolute URL of
// any scheme, anywhere in s: https links, otpauth:// secrets, database URLs
// with passwords), starts with "/" (a root-relative link or path, such as
// /invitations/{token} or /api/auth/reset-password/{token}), or contains
// "token=" in any case (a query string on its own). It errs the safe way:
// a link without a token, or a file path, counts too.
func IsLink(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "/") ||
		strings.Contains(strings.ToLower(s), "token=")
}

// absoluteURL matches an absolute URL inside free text.
var absoluteURL = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>]+`)

// redactErrorMessage hides what follows the host of every absolute URL in
// an error message a worker returned (a failed request's URL may carry a
// token in its path or query), and any user:password before it, so that
// the message still says which service failed:
// "Post https://api.example.com/v1/x?token=…" becomes
// "Post https://api.example.com/[REDACTED]".
func redactErrorMessage(msg string) string {
	return absoluteURL.ReplaceAllStringFunc(msg, func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return kernel.Redacted
		}
		out := u.Scheme + "://" + u.Host
		if u.User != nil || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
			out += "/" + kernel.Redacted
		}
		return out
	})
}
