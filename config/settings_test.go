package config_test

import (
	"errors"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/config"
)

func TestSettings(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"X_INT": " 7 ", "X_BOOL": "t", "X_DUR": "90s", "X_TEXT": "Support desk", "X_KEY": "sk_abc",
		"X_EMPTY": "  ",
	}
	s := config.NewSettings(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if got := s.Int("X_INT", 1, 1, 10); got != 7 {
		t.Errorf("Int = %d", got)
	}
	if got := s.Bool("X_BOOL", false); !got {
		t.Error("Bool = false")
	}
	if got := s.Duration("X_DUR", time.Second); got != 90*time.Second {
		t.Errorf("Duration = %s", got)
	}
	if got := s.String("X_TEXT", ""); got != "Support desk" {
		t.Errorf("String = %q", got)
	}
	if got := s.Secret("X_KEY"); got != "sk_abc" {
		t.Errorf("Secret = %q", got)
	}
	if got := s.Int("X_EMPTY", 3, 1, 10); got != 3 {
		t.Errorf("empty Int = %d, want the default", got)
	}
	if got := s.String("X_UNSET", "def"); got != "def" {
		t.Errorf("unset String = %q, want the default", got)
	}
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}

	tests := []struct {
		name, value, want string
		read              func(*config.Settings)
	}{
		{"int out of range", "11", `X="11": must be an integer between 1 and 10`, func(s *config.Settings) { s.Int("X", 1, 1, 10) }},
		{"bool", "yes", `X="yes": must be true or false (or 1, 0, t, f)`, func(s *config.Settings) { s.Bool("X", false) }},
		{"negative duration", "-1s", `X="-1s": must be a positive Go duration such as 30s or 1m30s`, func(s *config.Settings) { s.Duration("X", time.Second) }},
		{"control character", "a\x00b", `X="a\x00b": must not contain control characters`, func(s *config.Settings) { s.String("X", "") }},
		{"secret with a space", "sk live", `X="<redacted>": must not contain spaces or control characters`, func(s *config.Settings) { s.Secret("X") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := config.NewSettings(func(k string) (string, bool) {
				return map[string]string{"X": tt.value, "Y": "5"}[k], k == "X" || k == "Y"
			})
			tt.read(s)
			// After the first error every getter answers its default.
			if got := s.Int("Y", 2, 1, 10); got != 2 {
				t.Errorf("Int after an error = %d, want the default", got)
			}
			var ce *config.Error
			if err := s.Err(); !errors.As(err, &ce) || err.Error() != tt.want || ce.Variable != "X" {
				t.Errorf("Err = %v, want %s", err, tt.want)
			}
		})
	}

	if got := config.NewSettings(nil).Int("X", 4, 1, 10); got != 4 {
		t.Errorf("nil lookup Int = %d, want the default", got)
	}
}
