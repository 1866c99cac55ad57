package plansfile

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// locator finds the plan and the field of a place in the file, for
// messages: the strict decoder's errors give a line and a Go type, which
// mean little to whoever edits the file.
type locator struct {
	root *yaml.Node // the document node; Kind 0 for an empty file
}

// place is where a node sits: in plan index (from 1; 0 outside the plans)
// with key, at path within it (or from the top, outside the plans).
type place struct {
	index int
	key   string
	path  string
}

// find returns the place of the first node, in document order, that match
// accepts; isKey tells a mapping's key from a value.
func (l locator) find(match func(n *yaml.Node, isKey bool) bool) (place, bool) {
	var found place
	var visit func(n *yaml.Node, p place) bool
	visit = func(n *yaml.Node, p place) bool {
		if match(n, false) {
			found = p
			return true
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				cp := p
				cp.path = joinPath(p.path, k.Value)
				if match(k, true) {
					found = cp
					return true
				}
				if visit(v, cp) {
					return true
				}
			}
		case yaml.SequenceNode:
			for i, item := range n.Content {
				cp := p
				if p.index == 0 && p.path == "plans" {
					cp = place{index: i + 1, key: scalar(item, "key")}
				} else {
					cp.path = fmt.Sprintf("%s[%d]", p.path, i)
				}
				if visit(item, cp) {
					return true
				}
			}
		}
		return false
	}
	for _, doc := range l.root.Content {
		if visit(doc, place{}) {
			return found, true
		}
	}
	return place{}, false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// scalar returns the value of key in mapping n, when it is a scalar.
func scalar(n *yaml.Node, key string) string {
	if v := value(n, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// lineOf returns the line of the field at path in plan index (from 1), or
// from the top when index is 0; as far as the path exists, so a missing
// field gives the line of the mapping it is missing from.
func (l locator) lineOf(index int, path ...string) int {
	line, _ := l.lookup(index, path...)
	return line
}

// lookup returns the line of the field at path in plan index (from 1, or 0
// for the top), as lineOf does, and its value node when the whole path
// exists.
func (l locator) lookup(index int, path ...string) (int, *yaml.Node) {
	if len(l.root.Content) == 0 {
		return 0, nil
	}
	n := l.root.Content[0]
	if index > 0 {
		plans := value(n, "plans")
		if plans == nil || plans.Kind != yaml.SequenceNode || index > len(plans.Content) {
			return 0, nil
		}
		n = plans.Content[index-1]
	}
	line := n.Line
	for _, key := range path {
		k, v := entry(n, key)
		if k == nil {
			return line, nil
		}
		line, n = k.Line, v
	}
	return line, n
}

// whole reports whether the field at path in plan index, when there, is
// written as an integer: the decoder truncates 1.5 into an int without a
// word.
func (l locator) whole(index int, path ...string) bool {
	_, n := l.lookup(index, path...)
	if n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!int"
}

// text returns the field at path in plan index as written.
func (l locator) text(index int, path ...string) string {
	_, n := l.lookup(index, path...)
	if n == nil {
		return ""
	}
	return n.Value
}

// value returns the value of key in mapping n, or nil.
func value(n *yaml.Node, key string) *yaml.Node {
	_, v := entry(n, key)
	return v
}

// entry returns the key and value nodes of key in mapping n, or nils.
func entry(n *yaml.Node, key string) (k, v *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

var (
	lineMsg     = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownMsg  = regexp.MustCompile(`^field (.*) not found in type (\S+)$`)
	duplicate   = regexp.MustCompile(`^mapping key (".*") already defined at line (\d+)$`)
	wrongType   = regexp.MustCompile("^cannot unmarshal (\\S+)(?: `(.*)`)? into (.+)$")
	docTypes    = []reflect.Type{reflect.TypeFor[fileDoc](), reflect.TypeFor[planDoc](), reflect.TypeFor[priceDoc]()}
	typeMeaning = map[string]string{
		"int":                           "a whole number",
		"int64":                         "a whole number",
		"bool":                          "true or false",
		"string":                        "text",
		"[]string":                      "a list of text",
		"map[string]*int64":             "a mapping of meter names to caps",
		"map[string]plansfile.priceDoc": "a mapping of intervals (month, year) to prices",
		"plansfile.priceDoc":            "a mapping of amount, currency and provider IDs",
		"plansfile.planDoc":             "a mapping of a plan's fields",
		"[]plansfile.planDoc":           "a list of plans",
		"plansfile.fileDoc":             "a mapping with the key plans",
	}
)

// splitLine splits "line 7: problem" into 7 and "problem".
func splitLine(msg string) (int, string) {
	m := lineMsg.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	line, _ := strconv.Atoi(m[1])
	return line, m[2]
}

// decodeError turns the strict decoder's first complaint into an *Error
// naming the plan and the field.
func (l locator) decodeError(file string, err error) *Error {
	te, ok := err.(*yaml.TypeError)
	if !ok || len(te.Errors) == 0 {
		line, msg := splitLine(strings.TrimPrefix(err.Error(), "yaml: "))
		return &Error{File: file, Line: line, Problem: msg}
	}
	line, msg := splitLine(te.Errors[0])
	out := &Error{File: file, Line: line, Problem: msg}
	at := func(match func(n *yaml.Node, isKey bool) bool) {
		if p, ok := l.find(match); ok {
			out.Index, out.Plan, out.Field = p.index, p.key, p.path
		}
	}
	if m := unknownMsg.FindStringSubmatch(msg); m != nil {
		out.Problem = "unknown field"
		for _, t := range docTypes {
			if t.String() == m[2] {
				out.Problem += " (one of " + strings.Join(fieldsOf(t), ", ") + ")"
			}
		}
		at(func(n *yaml.Node, isKey bool) bool { return isKey && n.Line == line && n.Value == m[1] })
	} else if m := duplicate.FindStringSubmatch(msg); m != nil {
		key, _ := strconv.Unquote(m[1])
		out.Problem = "defined twice (first at line " + m[2] + ")"
		at(func(n *yaml.Node, isKey bool) bool { return isKey && n.Line == line && n.Value == key })
	} else if m := wrongType.FindStringSubmatch(msg); m != nil {
		tag, shown := m[1], m[2]
		var found *yaml.Node
		at(func(n *yaml.Node, isKey bool) bool {
			if isKey || n.Line != line || n.ShortTag() != tag || shown != "" && abbreviate(n.Value) != shown {
				return false
			}
			found = n
			return true
		})
		if meaning, ok := typeMeaning[m[3]]; ok {
			out.Problem = "must be " + meaning
			switch {
			case found != nil && found.Kind == yaml.ScalarNode:
				out.Problem = fmt.Sprintf("%q: %s", found.Value, out.Problem) // whole, not abbreviated
			case shown != "":
				out.Problem = fmt.Sprintf("%q: %s", shown, out.Problem)
			}
		}
	}
	return out
}

// abbreviate shortens a value as the decoder's messages do.
func abbreviate(v string) string {
	if len(v) > 10 {
		return v[:7] + "..."
	}
	return v
}

// fieldsOf lists the YAML keys of a decoded type.
func fieldsOf(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		out = append(out, name)
	}
	return out
}
