package storage_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/groundworkhq/groundwork/testkit"
)

// An avatar uploaded raw is resized, re-encoded and content-addressed;
// the session shows it; it is served with the immutable cache header; a
// new one replaces it and the old object is deleted by the job; removing
// it clears the image and deletes the object.
func TestAvatar_uploadReplaceRemove(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc := a.SignUp(t, testkit.NewEmail("ava"), "Ava", true)
		url := urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 2000, 1000, 1), "image/png"), "image")
		key := keyOf(url)
		if !strings.HasPrefix(url, a.URL+"/uploads/avatars/"+acc.ID.String()+"-") || !strings.HasSuffix(url, ".png") || len(key) != len("avatars/"+acc.ID.String()+"-0123456789abcdef.png") {
			t.Fatalf("url = %q", url)
		}
		if img := sessionImage(t, acc.Client); img == nil || *img != url {
			t.Fatalf("get-session image = %v", img)
		}
		status, body, h := fetch(t, url)
		if status != http.StatusOK || h.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Type") != "image/png" {
			t.Fatalf("GET %s = %d %v", url, status, h)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
		if err != nil || format != "png" || cfg.Width != 512 || cfg.Height != 256 {
			t.Fatalf("served image: %v %s %dx%d", err, format, cfg.Width, cfg.Height)
		}

		// The same bytes again: the same key, nothing to delete.
		if again := urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 2000, 1000, 1), "application/octet-stream"), "image"); again != url {
			t.Fatalf("same bytes, another URL: %q", again)
		}
		// Multipart, another image: it replaces the first, whose object goes.
		form, ctype := multipartBody(t, "file", "me.jpg", jpegOf(t, 300, 400))
		next := urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", form, ctype), "image")
		if next == url || !strings.HasSuffix(next, ".jpg") {
			t.Fatalf("second url = %q", next)
		}
		testkit.Eventually(t, "the replaced avatar deleted", func() bool {
			status, _, _ := fetch(t, url)
			_, recorded := objects(t, a)[key]
			return status == http.StatusNotFound && !recorded
		})
		if st, _, h := fetch(t, next); st != http.StatusOK || h.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("GET the new avatar = %d %v", st, h)
		}

		var out map[string]*string
		acc.Do(http.MethodDelete, "/api/users/me/avatar", nil).RequireStatus(t, http.StatusOK).JSON(t, &out)
		if v, ok := out["image"]; !ok || v != nil {
			t.Fatalf("DELETE = %v", out)
		}
		if img := sessionImage(t, acc.Client); img != nil {
			t.Fatalf("image after removal = %q", *img)
		}
		testkit.Eventually(t, "the removed avatar deleted", func() bool {
			st, _, _ := fetch(t, next)
			return st == http.StatusNotFound && len(objects(t, a)) == 0
		})
		// Removing again is fine.
		acc.Do(http.MethodDelete, "/api/users/me/avatar", nil).RequireStatus(t, http.StatusOK)
	})
}

// Bad uploads are refused with their codes, and the image stays as it was.
func TestAvatar_badInput(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc := a.SignUp(t, testkit.NewEmail("bad"), "Bad", true)
		good := urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 64, 64, 7), "image/png"), "image")
		full := pngOf(t, 64, 64, 8)
		for _, tt := range []struct {
			name   string
			body   []byte
			ctype  string
			status int
			code   string
		}{
			{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "image/svg+xml", http.StatusUnsupportedMediaType, "storage.unsupported_type"},
			{"pdf named png", []byte("%PDF-1.7\n..."), "image/png", http.StatusUnsupportedMediaType, "storage.unsupported_type"},
			{"empty", nil, "image/png", http.StatusUnsupportedMediaType, "storage.unsupported_type"},
			{"html with a png magic number", append([]byte("\x89PNG\r\n\x1a\n"), []byte("<html><script>alert(1)</script></html>")...), "image/png", http.StatusUnprocessableEntity, "storage.invalid_image"},
			{"truncated png", full[:len(full)/2], "image/png", http.StatusUnprocessableEntity, "storage.invalid_image"},
			{"20000 x 20000", bigPNGHeader(), "image/png", http.StatusUnprocessableEntity, "storage.image_too_large"},
			{"multipart without file", mustForm(t, "other"), "", http.StatusUnprocessableEntity, "storage.no_file"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				body, ctype := tt.body, tt.ctype
				if ctype == "" {
					body, ctype = mustFormWithType(t, "other")
				}
				acc.Do(http.MethodPut, "/api/users/me/avatar", body, "Content-Type", ctype).RequireProblem(t, tt.status, tt.code)
			})
		}
		if img := sessionImage(t, acc.Client); img == nil || *img != good {
			t.Fatalf("image changed to %v", img)
		}
		// Signed out: 401.
		a.Client().Do(http.MethodPut, "/api/users/me/avatar", pngOf(t, 8, 8, 1), "Content-Type", "image/png").RequireStatus(t, http.StatusUnauthorized)
	})
}

func mustForm(t *testing.T, field string) []byte {
	b, _ := multipartBody(t, field, "x.png", []byte("x"))
	return b
}

func mustFormWithType(t *testing.T, field string) ([]byte, string) {
	return multipartBody(t, field, "x.png", []byte("x"))
}

// Over UPLOAD_MAX_BYTES is 413, whether the length is declared, the body
// streamed chunked, or the file inside a multipart form.
func TestAvatar_tooLarge(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc := a.SignUp(t, testkit.NewEmail("big"), "Big", true)
		big := append(pngOf(t, 32, 32, 1), bytes.Repeat([]byte{0}, 5000)...)
		base := strings.TrimSuffix(a.URL, "/")
		send := func(body io.Reader, length int64, ctype string) (*http.Response, string) {
			req, _ := http.NewRequest(http.MethodPut, base+"/api/users/me/avatar", body)
			req.ContentLength = length
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Origin", base)
			for _, c := range acc.Jar().Cookies(req.URL) {
				req.AddCookie(c)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, string(b)
		}
		for name, r := range map[string]func() (*http.Response, string){
			"declared": func() (*http.Response, string) { return send(bytes.NewReader(big), int64(len(big)), "image/png") },
			"chunked":  func() (*http.Response, string) { return send(io.MultiReader(bytes.NewReader(big)), -1, "image/png") },
			"multipart": func() (*http.Response, string) {
				f, ct := multipartBody(t, "file", "a.png", big)
				return send(bytes.NewReader(f), int64(len(f)), ct)
			},
			"huge chunked": func() (*http.Response, string) {
				return send(io.MultiReader(bytes.NewReader(big), io.LimitReader(zeros{}, 10<<20)), -1, "image/png")
			},
		} {
			res, body := r()
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: %d %s", name, res.StatusCode, body)
			}
		}
		if img := sessionImage(t, acc.Client); img != nil {
			t.Fatalf("image set to %q", *img)
		}
	}, testkit.WithEnv("UPLOAD_MAX_BYTES", "4096"))
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A JPEG carrying GPS EXIF is stored without it.
func TestAvatar_stripsEXIF(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc := a.SignUp(t, testkit.NewEmail("gps"), "Gus", true)
		in := withGPS(jpegOf(t, 120, 80))
		if _, err := jpeg.Decode(bytes.NewReader(in)); err != nil {
			t.Fatalf("the fixture is not a JPEG: %v", err)
		}
		url := urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", in, "image/jpeg"), "image")
		_, body, _ := fetch(t, url)
		if bytes.Contains(body, []byte("Exif")) || bytes.Contains(body, []byte("48.8584")) {
			t.Fatal("the stored avatar keeps its EXIF")
		}
		if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
			t.Fatalf("stored avatar: %v", err)
		}
	})
}

// Two concurrent uploads by one user end with one image, the other's
// object deleted: no orphan once the jobs ran.
func TestAvatar_concurrentUploads(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc := a.SignUp(t, testkit.NewEmail("race"), "Rae", true)
		var wg sync.WaitGroup
		urls := make([]string, 4)
		for i := range urls {
			wg.Go(func() {
				urls[i] = urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 40, 40, uint8(10+i)), "image/png"), "image")
			})
		}
		wg.Wait()
		img := sessionImage(t, acc.Client)
		if img == nil {
			t.Fatal("no image")
		}
		testkit.Eventually(t, "one avatar left", func() bool {
			objs := objects(t, a)
			return len(objs) == 1 && objs[keyOf(*img)] == "live"
		})
		dir := filepath.Join(a.Config.Database.DataDir, "uploads", "avatars")
		entries, _ := os.ReadDir(dir)
		var files []string
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), ".") {
				files = append(files, e.Name())
			}
		}
		if len(files) != 1 || "avatars/"+files[0] != keyOf(*img) {
			t.Fatalf("files on disk = %v, image %s", files, *img)
		}
		for _, u := range urls {
			if st, _, _ := fetch(t, u); (u == *img) != (st == http.StatusOK) {
				t.Errorf("GET %s = %d", u, st)
			}
		}
	})
}

// Uploads are rate limited per user: 429 with Retry-After.
func TestAvatar_rateLimited(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc := a.SignUp(t, testkit.NewEmail("many"), "Manny", true)
		other := a.SignUp(t, testkit.NewEmail("few"), "Fay", true)
		img := pngOf(t, 8, 8, 3)
		var last *testkit.Response
		for range 25 {
			if last = putRaw(acc.Client, "/api/users/me/avatar", img, "image/png"); last.StatusCode == http.StatusTooManyRequests {
				break
			}
		}
		last.RequireProblem(t, http.StatusTooManyRequests, "storage.too_many_uploads")
		if s, err := strconv.Atoi(last.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Fatalf("Retry-After = %q", last.Header.Get("Retry-After"))
		}
		putRaw(other.Client, "/api/users/me/avatar", img, "image/png").RequireStatus(t, http.StatusOK)
	})
}

// Deleting the account deletes its avatar.
func TestAvatar_accountDeletion(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc := a.SignUp(t, testkit.NewEmail("gone"), "Gone", true)
		url := urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 16, 16, 5), "image/png"), "image")
		acc.Post("/api/auth/delete-user", map[string]any{"password": testkit.Password}).RequireStatus(t, http.StatusOK)
		testkit.Eventually(t, "the avatar deleted", func() bool {
			st, _, _ := fetch(t, url)
			return st == http.StatusNotFound && len(objects(t, a)) == 0
		})
	})
}

// With STORAGE_PROVIDER=null every upload is 503 storage.unavailable and
// nothing changes.
func TestAvatar_nullProvider(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc := a.SignUp(t, testkit.NewEmail("null"), "Nil", true)
		putRaw(acc.Client, "/api/users/me/avatar", pngOf(t, 8, 8, 1), "image/png").RequireProblem(t, http.StatusServiceUnavailable, "storage.unavailable")
		if img := sessionImage(t, acc.Client); img != nil {
			t.Fatalf("image = %q", *img)
		}
		if a.Storage().Provider() != "null" {
			t.Fatalf("provider = %s", a.Storage().Provider())
		}
	}, testkit.WithEnv("STORAGE_PROVIDER", "null"))
}

// A WebP avatar is decoded and stored as a PNG (transparency kept).
func TestAvatar_webp(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc := a.SignUp(t, testkit.NewEmail("webp"), "Wes", true)
		in, err := os.ReadFile(filepath.Join("internal", "domain", "imaging", "testdata", "gopher-doc.with-alpha.lossless.webp"))
		if err != nil {
			t.Fatal(err)
		}
		url := urlOf(t, putRaw(acc.Client, "/api/users/me/avatar", in, "image/webp"), "image")
		if !strings.HasSuffix(url, ".png") {
			t.Fatalf("url = %q", url)
		}
		_, body, h := fetch(t, url)
		if _, format, err := image.DecodeConfig(bytes.NewReader(body)); err != nil || format != "png" || h.Get("Content-Type") != "image/png" {
			t.Fatalf("stored: %v %s %s", err, format, h.Get("Content-Type"))
		}
	})
}
