package db

import (
	"fmt"
	"strings"
)

// Filter builds the WHERE clause of a list query from the conditions a
// request asks for, numbering its arguments $1, $2 … as both dialects take
// them. The zero Filter is empty.
type Filter struct {
	conds []string
	args  []any
}

// Arg adds v as the next argument and returns its placeholder ("$3").
func (f *Filter) Arg(v any) string {
	f.args = append(f.args, v)
	return fmt.Sprintf("$%d", len(f.args))
}

// Where adds a condition; conditions are joined with AND.
func (f *Filter) Where(cond string) { f.conds = append(f.conds, cond) }

// Clause returns " WHERE c1 AND c2 …", or "" without conditions.
func (f *Filter) Clause() string {
	if len(f.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.conds, " AND ")
}

// Args returns the arguments in placeholder order.
func (f *Filter) Args() []any { return f.args }

// LikeFold returns the condition that one of columns matches
// pattern(value), ignoring case — "(lower(c) LIKE $n ESCAPE '\' OR …)" —
// and, when value has capitals, that one matches it as typed, since
// SQLite's lower() folds only ASCII: there "Ângela" still finds "Ângela",
// though "ângela" does not. pattern is LikeContains, LikePrefix or
// LikeSuffix; columns are spliced into the SQL: pass constants.
func (f *Filter) LikeFold(pattern func(string) string, value string, columns ...string) string {
	lower := strings.ToLower(value)
	conds := make([]string, 0, 2*len(columns))
	p := f.Arg(pattern(lower))
	for _, c := range columns {
		conds = append(conds, `lower(`+c+`) LIKE `+p+` ESCAPE '\'`)
	}
	if lower != value {
		p = f.Arg(pattern(value))
		for _, c := range columns {
			conds = append(conds, c+` LIKE `+p+` ESCAPE '\'`)
		}
	}
	return `(` + strings.Join(conds, ` OR `) + `)`
}

// LikeContains, LikePrefix and LikeSuffix are LIKE patterns, for
// "… LIKE $n ESCAPE '\'" on both dialects, that match s anywhere, at the
// start and at the end: %, _ and \ in s match themselves.
func LikeContains(s string) string { return "%" + likeEscape(s) + "%" }

// LikePrefix: see LikeContains.
func LikePrefix(s string) string { return likeEscape(s) + "%" }

// LikeSuffix: see LikeContains.
func LikeSuffix(s string) string { return "%" + likeEscape(s) }

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func likeEscape(s string) string { return likeEscaper.Replace(s) }
