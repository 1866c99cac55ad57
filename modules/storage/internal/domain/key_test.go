package domain_test

import (
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain"
)

func TestKeys(t *testing.T) {
	user := kernel.NewID[kernel.UserKind]()
	org := kernel.NewID[kernel.OrganizationKind]()
	body := []byte("an image")
	sum := domain.Sum16(body)
	if len(sum) != 16 || strings.Trim(sum, "0123456789abcdef") != "" {
		t.Fatalf("Sum16 = %q", sum)
	}
	for _, k := range []string{
		domain.AvatarKey(user, body, "png"), domain.LogoKey(org, body, "jpg"),
		domain.FileKey(org, body, "pdf"), domain.FileKey(org, body, ""),
	} {
		if !domain.ValidKey(k) {
			t.Errorf("%q is not valid", k)
		}
	}
	if k := domain.AvatarKey(user, body, "png"); k != "avatars/"+user.String()+"-"+sum+".png" {
		t.Errorf("AvatarKey = %q", k)
	}
	if domain.AvatarKey(user, []byte("another"), "png") == domain.AvatarKey(user, body, "png") {
		t.Error("different bytes, same key")
	}
}

func TestValidKey(t *testing.T) {
	for _, k := range []string{
		"", "/avatars/a.png", "avatars/a.png/", "avatars//a.png", "../etc/passwd", "avatars/../../x",
		"avatars/..", "avatars/.hidden", ".meta", "Avatars/a.png", "avatars/a b.png", "avatars\\a.png",
		"avatars/a.png\x00", "avatars/%2e%2e/x", "avatars/é.png", strings.Repeat("a", domain.MaxKeyLength+1),
	} {
		if domain.ValidKey(k) {
			t.Errorf("%q is valid", k)
		}
	}
	for _, k := range []string{"a", "avatars/usr_01abc-0123456789abcdef.png", "files/org_1/x.tar.gz"} {
		if !domain.ValidKey(k) {
			t.Errorf("%q is not valid", k)
		}
	}
}

func TestExt(t *testing.T) {
	for name, want := range map[string]string{
		"report.PDF": "pdf", "a.tar.gz": "gz", "noext": "", "trailing.": "", "x.averyveryverylongext": "",
		"evil.p/hp": "", "évil.pñg": "", ".env": "env",
	} {
		if got := domain.Ext(name); got != want {
			t.Errorf("Ext(%q) = %q, want %q", name, got, want)
		}
	}
}
