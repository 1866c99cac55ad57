package kernel_test

import (
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
)

func TestWebURLProblem(t *testing.T) {
	long := "https://cdn.example.com/" + strings.Repeat("a", kernel.MaxWebURLLength-len("https://cdn.example.com/"))
	for s, want := range map[string]string{
		"https://cdn.example.com/a.png": "",
		"http://localhost:8080/x":       "",
		long:                            "",
		long + "a":                      "must be at most 2048 characters",
		"javascript:alert(1)":           "must be an absolute http or https URL",
		"data:image/png;base64,AAAA":    "must be an absolute http or https URL",
		"/relative.png":                 "must be an absolute http or https URL",
		"https://":                      "must be an absolute http or https URL",
		"https://a b.com/":              "must be an absolute http or https URL",
		"https://x.com/\n":              "must be an absolute http or https URL",
		"ftp://x.com/a":                 "must be an absolute http or https URL",
		"https://u:p@x.com/":            "must not contain a user name or password",
		"https://x.com/\xff":            "must be an absolute http or https URL",
	} {
		if got := kernel.WebURLProblem(s); got != want {
			t.Errorf("WebURLProblem(%q) = %q, want %q", s, got, want)
		}
	}
}
