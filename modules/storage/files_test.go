package storage_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage"
	"github.com/groundworkhq/groundwork/testkit"
)

// A product's files through the public API: private by default (a signed
// URL serves them until it expires, a tampered one is refused), public on
// request, isolated per organization, deleted with DeleteFile and with
// their organization.
func TestFiles(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		ctx := t.Context()
		s := a.Storage()
		owner := a.SignUp(t, testkit.NewEmail("files"), "Fi", true)
		org := organization(t, owner.Client, "files-org")
		other := kernel.NewID[kernel.OrganizationKind]()

		f, err := s.PutFile(ctx, org, storage.NewFile{Name: "Q3 Report.PDF", Body: strings.NewReader("%PDF-1.7 quarterly")})
		if err != nil {
			t.Fatal(err)
		}
		if !f.Private || f.ContentType != "application/pdf" || f.Size != 18 || !strings.HasPrefix(f.Key, "files/"+org.String()+"/") || !strings.HasSuffix(f.Key, ".pdf") {
			t.Fatalf("file = %+v", f)
		}
		if again, err := s.PutFile(ctx, org, storage.NewFile{Name: "copy.pdf", Body: strings.NewReader("%PDF-1.7 quarterly")}); err != nil || again.Key != f.Key {
			t.Fatalf("same bytes = %+v, %v", again, err)
		}
		rc, info, err := s.OpenFile(ctx, org, f.Key)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "%PDF-1.7 quarterly" || info.Key != f.Key {
			t.Fatalf("OpenFile = %q %+v", b, info)
		}
		// Another organization sees nothing.
		if _, _, err := s.OpenFile(ctx, other, f.Key); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("another organization's OpenFile = %v", err)
		}
		if err := s.DeleteFile(ctx, other, f.Key); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("another organization's DeleteFile = %v", err)
		}
		if _, err := s.FileURL(ctx, org, f.Key); !errors.Is(err, storage.ErrPrivateFile) {
			t.Fatalf("FileURL of a private file = %v", err)
		}
		// Private: only signed.
		if st, _, _ := fetch(t, a.URL+"/uploads/"+f.Key); st != http.StatusNotFound {
			t.Fatalf("unsigned GET = %d", st)
		}
		signed, err := s.SignedFileURL(ctx, org, f.Key, a.Clock.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if st, body, h := fetch(t, signed); st != http.StatusOK || string(body) != "%PDF-1.7 quarterly" || h.Get("Content-Type") != "application/pdf" {
			t.Fatalf("signed GET = %d %q %v", st, body, h)
		}
		u, _ := url.Parse(signed)
		q := u.Query()
		q.Set("signature", "AAAA"+q.Get("signature")[4:])
		u.RawQuery = q.Encode()
		if st, _, _ := fetch(t, u.String()); st != http.StatusNotFound {
			t.Fatalf("tampered GET = %d", st)
		}
		for _, exp := range []time.Time{a.Clock.Now().Add(-time.Minute), a.Clock.Now().Add(8 * 24 * time.Hour)} {
			if _, err := s.SignedFileURL(ctx, org, f.Key, exp); !errors.Is(err, storage.ErrInvalidExpiry) {
				t.Fatalf("SignedFileURL(%v) = %v", exp, err)
			}
		}
		if _, err := s.SignedFileURL(ctx, other, f.Key, a.Clock.Now().Add(time.Minute)); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("another organization's SignedFileURL = %v", err)
		}

		// Public on request.
		pub, err := s.PutFile(ctx, org, storage.NewFile{Name: "logo-kit.zip", ContentType: "application/zip", Body: bytes.NewReader([]byte("PK\x03\x04 zip")), Public: true})
		if err != nil {
			t.Fatal(err)
		}
		pubURL, err := s.FileURL(ctx, org, pub.Key)
		if err != nil {
			t.Fatal(err)
		}
		if st, _, h := fetch(t, pubURL); st != http.StatusOK || h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Fatalf("public GET = %d %v", st, h)
		}

		// Bad input.
		for _, in := range []storage.NewFile{
			{Name: "", Body: strings.NewReader("x")},
			{Name: "bad\nname.txt", Body: strings.NewReader("x")},
			{Name: "x.txt", ContentType: "not a type", Body: strings.NewReader("x")},
		} {
			if _, err := s.PutFile(ctx, org, in); kernel.KindOf(err) != kernel.KindInvalid {
				t.Errorf("PutFile(%q, %q) = %v", in.Name, in.ContentType, err)
			}
		}
		if _, err := s.PutFile(ctx, org, storage.NewFile{Name: "big.bin", Body: strings.NewReader("12345678901"), MaxBytes: 10}); !errors.Is(err, storage.ErrTooLarge) {
			t.Errorf("over MaxBytes = %v", err)
		}

		// DeleteFile: gone at once, its bytes after the job.
		if err := s.DeleteFile(ctx, org, f.Key); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FileInfo(ctx, org, f.Key); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("FileInfo after delete = %v", err)
		}
		testkit.Eventually(t, "the deleted file's bytes gone", func() bool { st, _, _ := fetch(t, signed); return st == http.StatusNotFound })

		// The organization's deletion deletes its files.
		owner.Do(http.MethodDelete, "/api/organizations/"+org.String(), map[string]any{"confirm": "files-org"}).RequireStatus(t, http.StatusNoContent)
		testkit.Eventually(t, "the organization's files deleted", func() bool {
			st, _, _ := fetch(t, pubURL)
			return st == http.StatusNotFound && len(objects(t, a)) == 0
		})
	})
}
