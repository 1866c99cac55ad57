package domain

import (
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// maxLocaleLength bounds a locale tag; real tags are far shorter.
const maxLocaleLength = 64

// Locale is a BCP 47 language tag in canonical casing ("en", "pt-BR",
// "zh-Hant-TW", "es-419", "de-CH-1901"). The zero Locale is "not set".
//
// Only the parts a user-interface language needs are accepted: a language
// of 2–3 letters, an optional script of 4 letters, an optional region of 2
// letters or 3 digits, and optional distinct variants. Extended language
// subtags, extensions ("-u-ca-…"), private use ("-x-…") and grandfathered
// tags are refused; the subtags are checked for shape, not looked up in the
// IANA registry.
type Locale struct {
	s string
}

// ParseLocale trims s, validates it as above and returns it in canonical
// casing (language lower, Script title, REGION upper, variants lower). Empty
// input gives the zero Locale (unset) and no error. Subtags are separated by
// "-" only. It returns an Invalid error with code "iam.invalid_locale" and a
// field error on "locale".
func ParseLocale(s string) (Locale, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Locale{}, nil
	}
	bad := invalidField("locale", "must be a language tag such as en, pt-BR or zh-Hant-TW")
	if len(s) > maxLocaleLength {
		return Locale{}, bad
	}
	lower, ascii := kernel.LowerASCII(s)
	if !ascii {
		return Locale{}, bad
	}
	parts := strings.Split(lower, "-")
	if !isAlpha(parts[0]) || len(parts[0]) < 2 || len(parts[0]) > 3 {
		return Locale{}, bad
	}
	out := []string{parts[0]}
	i := 1
	if i < len(parts) && len(parts[i]) == 4 && isAlpha(parts[i]) {
		out = append(out, strings.ToUpper(parts[i][:1])+parts[i][1:])
		i++
	}
	if i < len(parts) && (len(parts[i]) == 2 && isAlpha(parts[i]) || len(parts[i]) == 3 && isDigits(parts[i])) {
		out = append(out, strings.ToUpper(parts[i]))
		i++
	}
	seen := map[string]bool{}
	for ; i < len(parts); i++ {
		v := parts[i]
		if !isVariant(v) || seen[v] {
			return Locale{}, bad
		}
		seen[v] = true
		out = append(out, v)
	}
	return Locale{s: strings.Join(out, "-")}, nil
}

// String returns the tag, or "" when unset.
func (l Locale) String() string { return l.s }

// IsZero reports whether the locale is unset.
func (l Locale) IsZero() bool { return l.s == "" }

// Language returns the primary language subtag ("pt" for "pt-BR").
func (l Locale) Language() string {
	lang, _, _ := strings.Cut(l.s, "-")
	return lang
}

// isVariant reports whether s (lower case) is a BCP 47 variant: 5–8
// alphanumerics, or 4 starting with a digit.
func isVariant(s string) bool {
	switch {
	case len(s) >= 5 && len(s) <= 8:
		return isAlnum(s)
	case len(s) == 4:
		return isAlnum(s) && '0' <= s[0] && s[0] <= '9'
	}
	return false
}

func isAlpha(s string) bool { return allBytes(s, func(c byte) bool { return 'a' <= c && c <= 'z' }) }

func isDigits(s string) bool { return allBytes(s, func(c byte) bool { return '0' <= c && c <= '9' }) }

func isAlnum(s string) bool {
	return allBytes(s, func(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' })
}

// allBytes reports whether s is not empty and ok holds for each of its bytes.
func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return s != ""
}
