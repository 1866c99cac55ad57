package kernel

import (
	"unicode"
	"unicode/utf8"
)

// Zero-width joiners that scripts and emoji need (Persian and Indic
// shaping, 👩‍💻): allowed between two visible characters.
const (
	zeroWidthJoiner    = '\u200d'
	zeroWidthNonJoiner = '\u200c'
)

// HasUnsafeText reports whether s has a rune with no place in a line of
// text a person typed and others will read (a name shown in lists and
// emails): a control character (C0, C1, DEL), a format character (Unicode
// Cf: bidi overrides and isolates, zero-width spaces, the soft hyphen, the
// byte-order mark), or a line or paragraph separator. Such runes let one
// name pose as another or reorder the text around it. The one exception is
// a zero-width joiner or non-joiner between two visible characters, which
// emoji sequences and several scripts need.
func HasUnsafeText(s string) bool {
	prev := rune(-1)
	for i, r := range s {
		if r == zeroWidthJoiner || r == zeroWidthNonJoiner {
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if !visible(prev) || !visible(next) {
				return true
			}
		} else if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return true
		}
		prev = r
	}
	return false
}

func visible(r rune) bool {
	return r >= 0 && r != utf8.RuneError && !unicode.IsSpace(r) && !unicode.IsControl(r) &&
		!unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// PageLimit is the page size a list takes from a requested limit: def for
// none (zero or less), never more than max.
func PageLimit(limit, def, max int) int {
	if limit <= 0 {
		return def
	}
	return min(limit, max)
}
