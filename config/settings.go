package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Settings reads a product module's own environment variables with Load's
// rules: values are trimmed, unset and empty both mean the default, and the
// first bad value is kept as an *Error naming the variable (a secret's value
// redacted), for Err to return — so a module reads every setting, then
// checks once:
//
//	s := config.NewSettings(d.Env) // app.Deps.Env: the environment the configuration came from
//	limit := s.Int("HELPDESK_LIST_LIMIT", 100, 1, 1000)
//	if err := s.Err(); err != nil {
//		return nil, err
//	}
//
// A getter after the first error returns its default.
type Settings struct {
	lookup func(key string) (string, bool)
	err    error
}

// NewSettings returns a reader over lookup (os.LookupEnv, or app.Deps.Env);
// a nil lookup is an empty environment, where every setting is its default.
func NewSettings(lookup func(key string) (string, bool)) *Settings {
	return &Settings{lookup: lookup}
}

// Err returns the first bad value read, or nil.
func (s *Settings) Err() error { return s.err }

// String returns the variable as text without control characters, or def.
func (s *Settings) String(name, def string) string {
	return read(s, name, def, false, parseText)
}

// Secret returns the variable as one word without spaces (a credential:
// its value never appears in an error), or "" when it is unset.
func (s *Settings) Secret(name string) string {
	return read(s, name, "", true, func(v string) (string, error) { return v, checkToken(v) })
}

// Int returns the variable as an integer between lo and hi, or def.
func (s *Settings) Int(name string, def, lo, hi int) int {
	return read(s, name, def, false, parseInt(lo, hi))
}

// Bool returns the variable as a boolean (true, false, 1, 0, t, f), or def.
func (s *Settings) Bool(name string, def bool) bool {
	return read(s, name, def, false, parseBool)
}

// Duration returns the variable as a positive Go duration (90s, 1h30m), or
// def.
func (s *Settings) Duration(name string, def time.Duration) time.Duration {
	return read(s, name, def, false, parseDuration)
}

// read returns name's value parsed, or def when it is unset or empty or an
// earlier setting was bad; a bad value becomes s's error.
func read[T any](s *Settings, name string, def T, secret bool, parse func(string) (T, error)) T {
	if s.err != nil || s.lookup == nil {
		return def
	}
	v, _ := s.lookup(name)
	if v = strings.TrimSpace(v); v == "" {
		return def
	}
	out, err := parse(v)
	if err != nil {
		shown := v
		if secret {
			shown = redacted
		}
		s.err = &Error{Variable: name, Value: shown, Allowed: err.Error()}
		return def
	}
	return out
}

// The parsers Load's variables and a module's Settings share; each error
// says what is allowed.

// parseText accepts any text without control characters, which have no
// place in a name, a password or a mail header.
func parseText(v string) (string, error) {
	if strings.ContainsFunc(v, unicode.IsControl) {
		return "", errors.New("must not contain control characters")
	}
	return v, nil
}

func parseInt(lo, hi int) func(string) (int, error) {
	return func(v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("must be an integer between %d and %d", lo, hi)
		}
		return n, nil
	}
}

func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errors.New("must be true or false (or 1, 0, t, f)")
	}
	return b, nil
}

func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("must be a positive Go duration such as 30s or 1m30s")
	}
	return d, nil
}
