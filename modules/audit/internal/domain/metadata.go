package domain

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// Redacted replaces the value of a metadata field that may hold a secret.
const Redacted = kernel.Redacted

// CanonicalMetadata returns m as the JSON object stored with an entry:
// every field whose name suggests a secret (kernel.IsSecretField), at any
// depth, has its value replaced by Redacted; keys are sorted, numbers kept
// as written and HTML characters unescaped, so the same metadata always
// encodes to the same text. Any JSON-encodable values are accepted
// (structs are encoded by their JSON field names, and redacted by those).
// Nil or empty metadata is "{}". It returns a kernel Invalid error
// (CodeInvalidEntry) when m cannot be encoded.
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
			if kernel.IsSecretField(k) {
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
