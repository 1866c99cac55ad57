package application_test

import (
	"log/slog"
	"net/url"
	"testing"

	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
)

func TestTrustedURL(t *testing.T) {
	t.Parallel()
	svc := application.NewService(application.Config{
		ServerURL:      &url.URL{Scheme: "https", Host: "trusted.com"},
		TrustedOrigins: []string{"https://web.trusted.com/", "http://localhost:5173", "not a url", "ftp://files.trusted.com"},
	}, application.Deps{Logger: slog.New(slog.DiscardHandler)})
	tests := []struct {
		url  string
		want bool
	}{
		// Paths on this site.
		{"/", true},
		{"/dashboard", true},
		{"/dashboard?tab=1#top", true},
		{"/a/b/../c", true},
		{"//evil.com", false},
		{"///evil.com", false},
		{"/\\evil.com", false},
		{"\\\\evil.com", false},
		{"/\t/evil.com", false},
		{"/\n/evil.com", false},
		{"/%0a/evil.com", true}, // escaped: stays a path on this site
		{"dashboard", false},
		{"?next=x", false},
		{"#frag", false},
		{"", false},
		{" /dashboard", false},

		// The server's origin.
		{"https://trusted.com", true},
		{"https://trusted.com/", true},
		{"https://trusted.com/after?x=1", true},
		{"HTTPS://TRUSTED.COM/x", true},
		{"https://trusted.com:443/x", true},
		{"https://trusted.com:0443/x", true},
		{"https://trusted.com:8443/x", false},
		{"http://trusted.com/x", false},
		{"http://trusted.com:443/x", false},
		{"https://trusted.com:abc/", false},
		{"https://trusted.com:99999/", false},

		// Trusted front-end origins.
		{"https://web.trusted.com/reset", true},
		{"http://localhost:5173/reset", true},
		{"http://localhost:5174/reset", false},
		{"http://localhost/reset", false},
		{"ftp://files.trusted.com/", false},

		// Open-redirect tricks.
		{"https://evil.com", false},
		{"https://evil.com@trusted.com/", false},
		{"https://trusted.com@evil.com/", false},
		{"https://trusted.com:pw@evil.com/", false},
		{"https://user@trusted.com/", false},
		{"https://trusted.evil.com/", false},
		{"https://evil.trusted.com/", false},
		{"https://trusted.com.evil.com/", false},
		{"https://trusted.com.", false},
		{"https://evil.com\\@trusted.com/", false},
		{"https://evil.com#@trusted.com", false},
		{"https://evil.com?@trusted.com", false},
		{"https:/trusted.com/x", false},
		{"https:trusted.com/x", false},
		{"https:///trusted.com", false},
		{"javascript:alert(1)", false},
		{"JavaScript://trusted.com/%0aalert(1)", false},
		{"data:text/html,<script>alert(1)</script>", false},
		{"vbscript:msgbox(1)", false},
		{"https://trusted.com\t.evil.com/", false},
		{"https://trusted.com%2f@evil.com/", false},
		{"http://[::1]:5173/", false},
	}
	for _, tt := range tests {
		if got := svc.TrustedURL(tt.url); got != tt.want {
			t.Errorf("TrustedURL(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

func TestTrustedURLWithoutServerURL(t *testing.T) {
	t.Parallel()
	svc := application.NewService(application.Config{}, application.Deps{Logger: slog.New(slog.DiscardHandler)})
	if !svc.TrustedURL("/x") || svc.TrustedURL("https://anything.com/") {
		t.Error("with no origins configured only paths are trusted")
	}
}
