package mailtmpl

import (
	"slices"
	"strings"
)

// fallbackLocale is the locale every template must have and every
// resolution ends on.
const fallbackLocale = "en"

// canonicalLocale returns s as a canonical BCP 47-style tag ("pt_br" →
// "pt-BR", "zh_hant_tw" → "zh-Hant-TW"), or false when s is not one. A
// POSIX suffix (".UTF-8", "@euro") is dropped, so "pt_BR.UTF-8" works.
func canonicalLocale(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return "", false
	}
	parts := strings.Split(strings.ReplaceAll(s, "_", "-"), "-")
	for i, p := range parts {
		if p == "" || len(p) > 8 || !isAlnum(p) {
			return "", false
		}
		switch {
		case i == 0:
			if len(p) < 2 || len(p) > 3 || !isAlpha(p) {
				return "", false
			}
			parts[i] = strings.ToLower(p)
		case len(p) == 4 && isAlpha(p): // script
			parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		case len(p) == 2 && isAlpha(p), len(p) == 3 && isDigit(p): // region
			parts[i] = strings.ToUpper(p)
		default:
			parts[i] = strings.ToLower(p)
		}
	}
	return strings.Join(parts, "-"), true
}

// resolveLocale picks the locale of available (canonical, sorted, holding
// "en") to use for requested: the exact tag, then the tag with trailing
// subtags dropped ("es-MX" → "es"), then any locale of the same language
// ("pt-PT" → "pt-BR"), then "en". An empty or invalid request gets "en".
func resolveLocale(requested string, available []string) string {
	if tag, ok := canonicalLocale(requested); ok {
		subtags := strings.Split(tag, "-")
		for n := len(subtags); n >= 1; n-- {
			if c := strings.Join(subtags[:n], "-"); slices.Contains(available, c) {
				return c
			}
		}
		for _, a := range available {
			if language(a) == subtags[0] {
				return a
			}
		}
	}
	return fallbackLocale
}

// language returns the language subtag of a canonical tag.
func language(tag string) string {
	lang, _, _ := strings.Cut(tag, "-")
	return lang
}

func isAlnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func isAlpha(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func isDigit(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
