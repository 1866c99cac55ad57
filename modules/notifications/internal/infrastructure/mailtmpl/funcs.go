package mailtmpl

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"reflect"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
)

// unsafeURL replaces a link that is not http or https. It is the marker
// html/template itself uses for a value it filtered out, so a neutralized
// link looks the same whichever layer caught it.
const unsafeURL = "#ZgotmplZ"

// buttonData is what the "button" and "link" components render.
type buttonData struct {
	URL       string
	Label     string
	Color     string
	TextColor string
	Fallback  string
}

// textFuncs returns the funcs of subject and text templates in locale.
func (r *Registry) textFuncs(locale string) texttemplate.FuncMap {
	cat := catalogFor(locale)
	return texttemplate.FuncMap{
		"url": r.absURL,
		"datetime": func(v any) (string, error) {
			t, err := toTime(v)
			if err != nil {
				return "", err
			}
			return cat.datetime(t), nil
		},
		"plural": func(n any, one, other string) (string, error) {
			f, err := toFloat(n)
			if err != nil {
				return "", err
			}
			if cat.one(f) {
				return one, nil
			}
			return other, nil
		},
		"msg": func(key string, args ...any) (string, error) {
			format, ok := cat.messages[key]
			if !ok {
				return "", fmt.Errorf("msg: no message %q", key)
			}
			return fmt.Sprintf(format, args...), nil
		},
	}
}

// htmlFuncs returns the funcs of HTML bodies and the layout in locale: the
// text funcs plus button and link.
//
// button and link return template.HTML, but never data marked safe: the
// markup is the output of the html/template components, which escaped the
// URL and label contextually (and filtered the URL) on the way.
func (r *Registry) htmlFuncs(locale string) htmltemplate.FuncMap {
	funcs := htmltemplate.FuncMap(r.textFuncs(locale))
	fallback := catalogFor(locale).messages["buttonFallback"]
	component := func(name string, target any, label string) (htmltemplate.HTML, error) {
		u, err := r.absURL(target)
		if err != nil {
			return "", err
		}
		if label == "" {
			label = u
		}
		var b strings.Builder
		err = r.components.ExecuteTemplate(&b, name, buttonData{
			URL: u, Label: label, Color: r.brand.Color, TextColor: r.textColor, Fallback: fallback,
		})
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		return htmltemplate.HTML(b.String()), nil
	}
	funcs["button"] = func(target any, label string) (htmltemplate.HTML, error) {
		return component("button", target, label)
	}
	funcs["link"] = func(target any, label string) (htmltemplate.HTML, error) {
		return component("link", target, label)
	}
	return funcs
}

// absURL returns v (a string or a fmt.Stringer such as *url.URL) as an
// absolute URL, resolving a relative one against Brand.ServerURL. Anything
// that is not http or https afterwards (javascript:, data:, mailto:, an
// unparsable string) becomes unsafeURL. An empty URL is an error: it is a
// bug in the data, and resolving it to the server URL would hide it.
func (r *Registry) absURL(v any) (string, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case fmt.Stringer:
		s = x.String()
	default:
		return "", fmt.Errorf("url: %T is not a URL", v)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("url: empty URL")
	}
	u, err := r.base.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return unsafeURL, nil
	}
	return u.String(), nil
}

// toTime accepts a time.Time, a *time.Time or an RFC 3339 string (what a
// time becomes after a JSON round trip through the job queue) and returns
// it in UTC. A zero time is an error rather than "January 1, 1".
func toTime(v any) (time.Time, error) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x != nil {
			t = *x
		}
	case string:
		p, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(x))
		if err != nil {
			return time.Time{}, fmt.Errorf("datetime: %q is not an RFC 3339 time", x)
		}
		t = p
	default:
		return time.Time{}, fmt.Errorf("datetime: %T is not a time", v)
	}
	if t.IsZero() {
		return time.Time{}, errors.New("datetime: zero time")
	}
	return t.UTC(), nil
}

// toFloat accepts any integer or float, and numeric strings (json.Number
// included), since JSON decoding turns every number into a float64.
func toFloat(v any) (float64, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		f, err := strconv.ParseFloat(strings.TrimSpace(rv.String()), 64)
		if err != nil {
			return 0, fmt.Errorf("plural: %q is not a number", rv.String())
		}
		return f, nil
	}
	return 0, fmt.Errorf("plural: %T is not a number", v)
}
