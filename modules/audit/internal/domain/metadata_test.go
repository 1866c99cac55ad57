package domain_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

func TestCanonicalMetadataRedactsAtAnyDepth(t *testing.T) {
	t.Parallel()
	type credentials struct {
		User     string `json:"user"`
		Password string `json:"password"`
	}
	got, err := domain.CanonicalMetadata(map[string]any{
		"role":     "admin",
		"password": "hunter2",
		"apiKey":   "sk_live_123",
		"nested": map[string]any{
			"token":  "tok_abc",
			"monkey": "kept",
			"deeper": []any{map[string]any{"client_secret": "s3cr3t", "n": 1}},
		},
		"login":              credentials{User: "ana", Password: "hunter3"},
		"strings":            map[string]string{"privateKey": "-----BEGIN"},
		"password_hash_list": []string{"x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "hunter3", "sk_live_123", "tok_abc", "s3cr3t", "BEGIN", `"x"`} {
		if strings.Contains(got, secret) {
			t.Errorf("metadata %s keeps the secret %q", got, secret)
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(got), &m); err != nil {
		t.Fatalf("metadata %s is not JSON: %v", got, err)
	}
	nested := m["nested"].(map[string]any)
	deeper := nested["deeper"].([]any)[0].(map[string]any)
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"role", m["role"], "admin"},
		{"password", m["password"], domain.Redacted},
		{"apiKey", m["apiKey"], domain.Redacted},
		{"password_hash_list", m["password_hash_list"], domain.Redacted},
		{"nested.token", nested["token"], domain.Redacted},
		{"nested.monkey", nested["monkey"], "kept"},
		{"nested.deeper[0].client_secret", deeper["client_secret"], domain.Redacted},
		{"nested.deeper[0].n", deeper["n"], 1.0},
		{"login.user", m["login"].(map[string]any)["user"], "ana"},
		{"login.password", m["login"].(map[string]any)["password"], domain.Redacted},
		{"strings.privateKey", m["strings"].(map[string]any)["privateKey"], domain.Redacted},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestCanonicalMetadataIsCanonical(t *testing.T) {
	t.Parallel()
	a, err := domain.CanonicalMetadata(map[string]any{"b": 1, "a": "<x&y>", "big": json.Number("12345678901234567890"), "f": 0.1})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"a":"<x&y>","b":1,"big":12345678901234567890,"f":0.1}`
	if a != want {
		t.Errorf("CanonicalMetadata = %s, want %s", a, want)
	}
	for _, empty := range []map[string]any{nil, {}} {
		if got, err := domain.CanonicalMetadata(empty); got != "{}" || err != nil {
			t.Errorf("CanonicalMetadata(%v) = %q, %v; want {}", empty, got, err)
		}
	}
}

func TestCanonicalMetadataRefusesWhatIsNotJSON(t *testing.T) {
	t.Parallel()
	for name, m := range map[string]map[string]any{
		"NaN":     {"x": math.NaN()},
		"channel": {"x": make(chan int)},
	} {
		_, err := domain.CanonicalMetadata(m)
		if kernel.CodeOf(err) != domain.CodeInvalidEntry || kernel.KindOf(err) != kernel.KindInvalid {
			t.Errorf("%s: err = %v, want Invalid %s", name, err, domain.CodeInvalidEntry)
		}
	}
}
