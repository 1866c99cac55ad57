package storage_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// run runs fn against an app on each dialect under test.
func run(t *testing.T, fn func(t *testing.T, a *testkit.App), opts ...testkit.Option) {
	t.Helper()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) { fn(t, testkit.New(t, dialect, opts...)) })
}

// pngOf is a w × h PNG, its colour set by seed so that two seeds differ.
func pngOf(t testing.TB, w, h int, seed uint8) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{R: seed, G: uint8(x), B: uint8(y), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// jpegOf is a w × h JPEG.
func jpegOf(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x), G: 90, B: uint8(y), A: 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withGPS returns the JPEG with an APP1 Exif segment right after SOI
// whose GPS IFD holds a latitude, as phones write them.
func withGPS(jpg []byte) []byte {
	tiff := []byte{
		'I', 'I', 42, 0, 8, 0, 0, 0, // little-endian TIFF, IFD0 at 8
		1, 0, // one entry
		0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, // GPSInfo IFD pointer → 26
		0, 0, 0, 0, // no next IFD
		// GPS IFD at 26
		1, 0,
		2, 0, 2, 0, 8, 0, 0, 0, 44, 0, 0, 0, // GPSLatitude ASCII(8) at 44 (stands in for the rationals)
		0, 0, 0, 0,
		'4', '8', '.', '8', '5', '8', '4', 0, // 48.8584: the secret place
	}
	seg := append([]byte("Exif\x00\x00"), tiff...)
	n := len(seg) + 2
	app1 := append([]byte{0xFF, 0xE1, byte(n >> 8), byte(n)}, seg...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	return append(out, jpg[2:]...)
}

// bigPNGHeader is a PNG signature and an IHDR of 20,000 × 20,000 pixels
// with a valid CRC and no image data: a decompression bomb's header.
func bigPNGHeader() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := []byte{0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20, 8, 6, 0, 0, 0}
	writeChunk(&b, "IHDR", ihdr)
	writeChunk(&b, "IDAT", []byte{0x78, 0x9c, 0x03, 0x00})
	writeChunk(&b, "IEND", nil)
	return b.Bytes()
}

func writeChunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	n[0], n[1], n[2], n[3] = byte(len(data)>>24), byte(len(data)>>16), byte(len(data)>>8), byte(len(data))
	b.Write(n[:])
	chunk := append([]byte(typ), data...)
	b.Write(chunk)
	c := crc32(chunk)
	b.Write([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
}

func crc32(p []byte) uint32 {
	c := ^uint32(0)
	for _, x := range p {
		c ^= uint32(x)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xedb88320
			} else {
				c >>= 1
			}
		}
	}
	return ^c
}

// multipartBody is a multipart form with body as its field "file".
func multipartBody(t testing.TB, field, name string, body []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fw, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(body)
	_ = w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// putRaw uploads body raw with the content type ctype.
func putRaw(c *testkit.Client, path string, body []byte, ctype string) *testkit.Response {
	return c.Do(http.MethodPut, path, body, "Content-Type", ctype)
}

// imageOf decodes an upload's answer: {"image": url} or {"logo": url}.
func urlOf(t testing.TB, r *testkit.Response, field string) string {
	t.Helper()
	var out map[string]*string
	r.RequireStatus(t, http.StatusOK).JSON(t, &out)
	if out[field] == nil {
		t.Fatalf("%s is null: %s", field, r.Body)
	}
	return *out[field]
}

// fetch GETs an absolute URL the app handed out.
func fetch(t testing.TB, rawURL string) (int, []byte, http.Header) {
	t.Helper()
	res, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header
}

// sessionImage is the user's image as get-session shows it.
func sessionImage(t testing.TB, c *testkit.Client) *string {
	t.Helper()
	var s struct {
		User struct {
			Image *string `json:"image"`
		} `json:"user"`
	}
	c.Get("/api/auth/get-session").RequireStatus(t, http.StatusOK).JSON(t, &s)
	return s.User.Image
}

// organization creates an organization of c's user and makes it active.
func organization(t *testing.T, c *testkit.Client, slug string) kernel.OrganizationID {
	t.Helper()
	var o struct {
		ID string `json:"id"`
	}
	c.Post("/api/organizations", map[string]any{"name": slug, "slug": slug}).RequireStatus(t, http.StatusCreated).JSON(t, &o)
	c.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).RequireStatus(t, http.StatusOK)
	return kernel.MustParseID[kernel.OrganizationKind](o.ID)
}

// objects lists storage's records as key → state.
func objects(t testing.TB, a *testkit.App) map[string]string {
	t.Helper()
	rows, err := a.DB().Q(context.Background()).Query(context.Background(), `SELECT key, state FROM storage_objects`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, s string
		if err := rows.Scan(&k, &s); err != nil {
			t.Fatal(err)
		}
		out[k] = s
	}
	return out
}

// keyOf is the key in an /uploads/ URL.
func keyOf(url string) string {
	_, k, _ := strings.Cut(url, "/uploads/")
	return k
}

func mustOrg(t testing.TB, s string) kernel.OrganizationID {
	t.Helper()
	id, err := kernel.ParseID[kernel.OrganizationKind](s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
