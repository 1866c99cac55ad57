package imaging_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/image/webp"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain/imaging"
)

// TestNormalizeFormats is the matrix of what is accepted, what it becomes,
// and what is refused with which error.
func TestNormalizeFormats(t *testing.T) {
	t.Parallel()
	halfTransparent := filled(30, 20, func(x, _ int) color.NRGBA {
		if x < 15 {
			return transparent
		}
		return red
	})
	gifPalette := color.Palette{color.NRGBA{}, red, blue, green}
	gifWithHole := encodeGIF(t, &gif.GIF{
		Image: []*image.Paletted{paletted(image.Rect(0, 0, 16, 16), gifPalette, func(x, _ int) uint8 {
			if x < 8 {
				return 0
			}
			return 1
		})},
		Delay: []int{0},
	})
	animated := encodeGIF(t, &gif.GIF{
		Image: []*image.Paletted{
			paletted(image.Rect(0, 0, 10, 10), gifPalette, func(int, int) uint8 { return 1 }),
			paletted(image.Rect(0, 0, 10, 10), gifPalette, func(int, int) uint8 { return 2 }),
		},
		Delay:     []int{10, 10},
		LoopCount: 0,
	})
	smallFrame := encodeGIF(t, &gif.GIF{
		Image:  []*image.Paletted{paletted(image.Rect(5, 5, 15, 15), gifPalette, func(int, int) uint8 { return 3 })},
		Delay:  []int{0},
		Config: image.Config{ColorModel: gifPalette, Width: 20, Height: 20},
	})
	zeroScreenGIF := []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00;")
	webpAlpha := readTestdata(t, "gopher-doc.with-alpha.lossless.webp")
	webpLossy := readTestdata(t, "blue-purple-pink.lossy.webp")
	noisy := encodePNG(t, noise(64, 64))
	photo := encodeJPEG(t, noise(64, 48))
	anim := encodeGIF(t, &gif.GIF{Image: []*image.Paletted{paletted(image.Rect(0, 0, 64, 64), gifPalette, func(x, y int) uint8 { return uint8((x ^ y) % 4) })}, Delay: []int{0}})

	tests := []struct {
		name        string
		in          []byte
		opts        imaging.Options
		wantErr     error
		wantKind    kernel.ErrorKind
		wantType    string
		wantW       int
		wantH       int
		check       func(t *testing.T, m image.Image)
		wantNoWebP  bool // the refusal's detail must not offer WebP
		wantWebPMsg bool // the refusal's detail offers WebP
	}{
		{
			name: "png with alpha stays png, transparency kept", in: encodePNG(t, halfTransparent),
			wantType: "image/png", wantW: 30, wantH: 20,
			check: func(t *testing.T, m image.Image) {
				if c := nrgbaAt(m, 2, 10); c.A != 0 {
					t.Errorf("transparent pixel became %v", c)
				}
				if c := nrgbaAt(m, 25, 10); c != red {
					t.Errorf("red pixel became %v", c)
				}
			},
		},
		{
			name: "jpeg stays jpeg", in: photo,
			wantType: "image/jpeg", wantW: 64, wantH: 48,
		},
		{
			name: "gif becomes png, transparency kept", in: gifWithHole,
			wantType: "image/png", wantW: 16, wantH: 16,
			check: func(t *testing.T, m image.Image) {
				if c := nrgbaAt(m, 2, 2); c.A != 0 {
					t.Errorf("transparent pixel became %v", c)
				}
				if c := nrgbaAt(m, 12, 2); c != red {
					t.Errorf("red pixel became %v", c)
				}
			},
		},
		{
			name: "animated gif becomes its first frame", in: animated,
			wantType: "image/png", wantW: 10, wantH: 10,
			check: func(t *testing.T, m image.Image) {
				if c := nrgbaAt(m, 5, 5); c != red {
					t.Errorf("pixel is %v, want the first frame's red", c)
				}
			},
		},
		{
			name: "gif first frame smaller than its screen is placed on it", in: smallFrame,
			wantType: "image/png", wantW: 20, wantH: 20,
			check: func(t *testing.T, m image.Image) {
				if c := nrgbaAt(m, 1, 1); c.A != 0 {
					t.Errorf("outside the frame is %v, want transparent", c)
				}
				if c := nrgbaAt(m, 10, 10); c != green {
					t.Errorf("inside the frame is %v, want green", c)
				}
			},
		},
		{
			name: "scaled gif", in: anim, opts: imaging.Options{Box: 32},
			wantType: "image/png", wantW: 32, wantH: 32,
		},
		{
			name: "lossless webp with alpha becomes png, pixel for pixel", in: webpAlpha, opts: withWebP(imaging.Options{}),
			wantType: "image/png", wantW: 75, wantH: 100,
			check: func(t *testing.T, m image.Image) {
				want, err := webp.Decode(bytes.NewReader(webpAlpha))
				if err != nil {
					t.Fatal(err)
				}
				var sawTransparent bool
				for y := range 100 {
					for x := range 75 {
						got, w := nrgbaAt(m, x, y), nrgbaAt(want, x, y)
						if got != w {
							t.Fatalf("pixel (%d, %d) is %v, want %v", x, y, got, w)
						}
						sawTransparent = sawTransparent || w.A == 0
					}
				}
				if !sawTransparent {
					t.Fatal("the fixture has no transparent pixel; it tests nothing")
				}
			},
		},
		{
			name: "lossy webp becomes png", in: webpLossy, opts: withWebP(imaging.Options{}),
			wantType: "image/png", wantW: 150, wantH: 100,
		},
		{
			name: "scaled webp", in: webpLossy, opts: withWebP(imaging.Options{Box: 50}),
			wantType: "image/png", wantW: 50, wantH: 33,
		},
		{
			name: "webp without a webp decoder", in: webpLossy,
			wantErr: imaging.ErrUnsupportedType, wantKind: kernel.KindUnsupportedType, wantNoWebP: true,
		},
		{
			name: "svg", in: []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), opts: withWebP(imaging.Options{}),
			wantErr: imaging.ErrUnsupportedType, wantKind: kernel.KindUnsupportedType, wantWebPMsg: true,
		},
		{
			name: "bare svg", in: []byte(`<svg onload="alert(1)"/>`),
			wantErr: imaging.ErrUnsupportedType, wantKind: kernel.KindUnsupportedType,
		},
		{
			name: "html", in: []byte("<!doctype html><script>alert(1)</script>"),
			wantErr: imaging.ErrUnsupportedType, wantKind: kernel.KindUnsupportedType,
		},
		{
			name: "pdf", in: []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
			wantErr: imaging.ErrUnsupportedType, wantKind: kernel.KindUnsupportedType,
		},
		{
			name: "text", in: []byte("just some text"),
			wantErr: imaging.ErrUnsupportedType, wantKind: kernel.KindUnsupportedType,
		},
		{
			name: "empty", in: nil,
			wantErr: imaging.ErrUnsupportedType, wantKind: kernel.KindUnsupportedType,
		},
		{
			name: "riff that is not webp", in: []byte("RIFF\x24\x00\x00\x00WAVEfmt "), opts: withWebP(imaging.Options{}),
			wantErr: imaging.ErrUnsupportedType, wantKind: kernel.KindUnsupportedType,
		},
		{
			name: "bmp", in: append([]byte("BM"), make([]byte, 60)...),
			wantErr: imaging.ErrUnsupportedType, wantKind: kernel.KindUnsupportedType,
		},
		{
			name: "jpeg magic one byte short", in: []byte("\xFF\xD8"),
			wantErr: imaging.ErrUnsupportedType, wantKind: kernel.KindUnsupportedType,
		},
		{
			name: "html behind a png magic number", in: []byte(pngSignature + "<html><script>alert(1)</script></html>"),
			wantErr: imaging.ErrInvalidImage, wantKind: kernel.KindInvalid,
		},
		{
			name: "html behind a webp header", in: []byte("RIFF\x30\x00\x00\x00WEBP<html><script>alert(1)</script></html>"), opts: withWebP(imaging.Options{}),
			wantErr: imaging.ErrInvalidImage, wantKind: kernel.KindInvalid,
		},
		{
			name: "truncated png", in: noisy[:len(noisy)/2],
			wantErr: imaging.ErrInvalidImage, wantKind: kernel.KindInvalid,
		},
		{
			name: "png cut inside its header", in: noisy[:20],
			wantErr: imaging.ErrInvalidImage, wantKind: kernel.KindInvalid,
		},
		{
			name: "truncated jpeg", in: photo[:len(photo)/2],
			wantErr: imaging.ErrInvalidImage, wantKind: kernel.KindInvalid,
		},
		{
			name: "truncated gif", in: anim[:len(anim)/2],
			wantErr: imaging.ErrInvalidImage, wantKind: kernel.KindInvalid,
		},
		{
			name: "truncated webp", in: webpLossy[:len(webpLossy)/2], opts: withWebP(imaging.Options{}),
			wantErr: imaging.ErrInvalidImage, wantKind: kernel.KindInvalid,
		},
		{
			name: "gif declaring 0 × 0 pixels", in: zeroScreenGIF,
			wantErr: imaging.ErrInvalidImage, wantKind: kernel.KindInvalid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := imaging.Normalize(bytes.NewReader(tt.in), tt.opts)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if k := kernel.KindOf(err); k != tt.wantKind {
					t.Errorf("kind = %v, want %v", k, tt.wantKind)
				}
				detail := kernel.AsError(err).Detail
				if tt.wantNoWebP && strings.Contains(detail, "WebP") {
					t.Errorf("detail %q offers WebP, which is not wired in", detail)
				}
				if tt.wantWebPMsg && !strings.Contains(detail, "WebP") {
					t.Errorf("detail %q does not offer WebP, which is wired in", detail)
				}
				return
			}
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			wantExt := map[string]string{"image/png": "png", "image/jpeg": "jpg"}[tt.wantType]
			if out.ContentType != tt.wantType || out.Ext != wantExt {
				t.Errorf("type %q ext %q, want %q %q", out.ContentType, out.Ext, tt.wantType, wantExt)
			}
			if out.Width != tt.wantW || out.Height != tt.wantH {
				t.Errorf("size %d × %d, want %d × %d", out.Width, out.Height, tt.wantW, tt.wantH)
			}
			m := decode(t, out)
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

// TestNormalizeRefusesBombsWithoutDecoding hands Normalize headers that
// declare far more pixels than allowed and carry none. Decoding any of
// them would allocate gigabytes (20,000² RGBA is 1.6 GB) before finding the
// data missing; Normalize must refuse each from its header alone.
//
// Not parallel: it measures the heap, and parallel tests only start once
// the sequential ones are done.
func TestNormalizeRefusesBombsWithoutDecoding(t *testing.T) {
	vp8l := func(w, h uint32) []byte {
		bits := (w - 1) | (h-1)<<14 // no alpha hint, version 0
		chunk := append([]byte{0x2f}, binary.LittleEndian.AppendUint32(nil, bits)...)
		body := append([]byte("WEBPVP8L"), binary.LittleEndian.AppendUint32(nil, uint32(len(chunk)))...)
		body = append(append(body, chunk...), 0) // padded to an even length
		return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
	}
	gifScreen := func(w, h uint16) []byte {
		b := []byte("GIF89a")
		b = binary.LittleEndian.AppendUint16(b, w)
		b = binary.LittleEndian.AppendUint16(b, h)
		return append(b, 0, 0, 0, ';')
	}
	jpegSOF := func(w, h uint16) []byte {
		sof := []byte{8} // 8-bit samples
		sof = binary.BigEndian.AppendUint16(sof, h)
		sof = binary.BigEndian.AppendUint16(sof, w)
		sof = append(sof, 1, 1, 0x11, 0) // one grey component
		// The header stops at the scan, as a real file's would: the
		// decoder reads on to it before it reports the size.
		sos := jpegSegment(0xDA, []byte{1, 1, 0, 0, 63, 0})
		return slices.Concat([]byte{0xFF, 0xD8}, jpegSegment(0xC0, sof), sos, []byte{0xFF, 0xD9})
	}
	tests := []struct {
		name string
		in   []byte
		opts imaging.Options
	}{
		{"png 20000 × 20000", pngBomb(t, 20000, 20000), imaging.Options{}},
		{"png 2^31-1 × 1", pngBomb(t, 1<<31-1, 1), imaging.Options{}},
		{"png 8001 × 1", pngBomb(t, 8001, 1), imaging.Options{}},
		{"png 1 × 8001", pngBomb(t, 1, 8001), imaging.Options{}},
		{"png 101 × 1 over MaxSide 100", pngBomb(t, 101, 1), imaging.Options{MaxSide: 100}},
		{"png 4000 × 4000 over MaxSide 1000", pngBomb(t, 4000, 4000), imaging.Options{MaxSide: 1000}},
		{"gif 20000 × 20000", gifScreen(20000, 20000), imaging.Options{}},
		{"jpeg 20000 × 20000", jpegSOF(20000, 20000), imaging.Options{}},
		{"webp 16384 × 16384", vp8l(16384, 16384), withWebP(imaging.Options{})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _ = imaging.Normalize(bytes.NewReader(tt.in), tt.opts) // warm up lazily built tables
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := imaging.Normalize(bytes.NewReader(tt.in), tt.opts)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, imaging.ErrTooManyPixels) {
				t.Fatalf("err = %v, want ErrTooManyPixels", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
				t.Errorf("refusing allocated %d bytes, want under 1 MiB", got)
			}
		})
	}

	t.Run("the detail names the limit", func(t *testing.T) {
		_, err := imaging.Normalize(bytes.NewReader(pngBomb(t, 101, 1)), imaging.Options{MaxSide: 100})
		if d := kernel.AsError(err).Detail; d != "The image may be at most 100 × 100 pixels." {
			t.Errorf("detail = %q", d)
		}
		_, err = imaging.Normalize(bytes.NewReader(pngBomb(t, 8001, 1)), imaging.Options{})
		if d := kernel.AsError(err).Detail; d != imaging.ErrTooManyPixels.Detail {
			t.Errorf("detail = %q, want the sentinel's %q", d, imaging.ErrTooManyPixels.Detail)
		}
	})
}

// TestNormalizeAtTheSideLimit accepts an image exactly MaxSide wide.
func TestNormalizeAtTheSideLimit(t *testing.T) {
	t.Parallel()
	out, err := imaging.Normalize(bytes.NewReader(encodePNG(t, solid(100, 3, red))), imaging.Options{MaxSide: 100})
	if err != nil {
		t.Fatalf("Normalize: %v", err)
	}
	if out.Width != 100 || out.Height != 3 {
		t.Errorf("size %d × %d, want 100 × 3", out.Width, out.Height)
	}
}

// endless is a body that never ends; it counts what was read from it.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	e.n += int64(len(p))
	return len(p), nil
}

// failing fails after its first bytes, like a client that hangs up.
type failing struct {
	head []byte
	err  error
}

func (f *failing) Read(p []byte) (int, error) {
	if len(f.head) == 0 {
		return 0, f.err
	}
	n := copy(p, f.head)
	f.head = f.head[n:]
	return n, nil
}

func TestNormalizeByteLimit(t *testing.T) {
	t.Parallel()
	in := encodePNG(t, noise(40, 40))
	n := int64(len(in))

	t.Run("exactly MaxBytes is read", func(t *testing.T) {
		t.Parallel()
		if _, err := imaging.Normalize(bytes.NewReader(in), imaging.Options{MaxBytes: n}); err != nil {
			t.Fatalf("Normalize: %v", err)
		}
	})
	t.Run("one byte more is too large", func(t *testing.T) {
		t.Parallel()
		_, err := imaging.Normalize(bytes.NewReader(in), imaging.Options{MaxBytes: n - 1})
		if !errors.Is(err, imaging.ErrTooLarge) || kernel.KindOf(err) != kernel.KindTooLarge {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("trailing garbage counts", func(t *testing.T) {
		t.Parallel()
		_, err := imaging.Normalize(io.MultiReader(bytes.NewReader(in), strings.NewReader("x")), imaging.Options{MaxBytes: n})
		if !errors.Is(err, imaging.ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("a body that never ends is cut off", func(t *testing.T) {
		t.Parallel()
		r := &endless{}
		_, err := imaging.Normalize(r, imaging.Options{MaxBytes: 1 << 10})
		if !errors.Is(err, imaging.ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
		if r.n != 1<<10+1 {
			t.Errorf("read %d bytes, want MaxBytes+1 = %d", r.n, 1<<10+1)
		}
		if d := kernel.AsError(err).Detail; !strings.Contains(d, "1 KiB") {
			t.Errorf("detail %q does not name the limit", d)
		}
	})
	t.Run("the default limit is 10 MiB", func(t *testing.T) {
		t.Parallel()
		r := &endless{}
		_, err := imaging.Normalize(r, imaging.Options{})
		if !errors.Is(err, imaging.ErrTooLarge) || r.n != imaging.DefaultMaxBytes+1 {
			t.Fatalf("err = %v after %d bytes, want ErrTooLarge after %d", err, r.n, imaging.DefaultMaxBytes+1)
		}
	})
	t.Run("a read error is passed on, not blamed on the image", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("connection reset")
		_, err := imaging.Normalize(&failing{head: in[:100], err: boom}, imaging.Options{})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want it to wrap %v", err, boom)
		}
		if k := kernel.KindOf(err); k != kernel.KindInternal {
			t.Errorf("kind = %v, want internal", k)
		}
	})
}

func TestNormalizeOptionsAreValidated(t *testing.T) {
	t.Parallel()
	in := encodePNG(t, solid(4, 4, red))
	for name, opts := range map[string]imaging.Options{
		"negative MaxBytes":  {MaxBytes: -1},
		"negative MaxSide":   {MaxSide: -1},
		"huge MaxSide":       {MaxSide: 1 << 20},
		"negative Box":       {Box: -1},
		"half a WebP codec":  {WebP: imaging.Codec{DecodeFunc: webp.Decode}},
		"other half of WebP": {WebP: imaging.Codec{DecodeConfigFunc: webp.DecodeConfig}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := imaging.Normalize(bytes.NewReader(in), opts)
			if err == nil {
				t.Fatal("Normalize accepted invalid options")
			}
			if k := kernel.KindOf(err); k != kernel.KindInternal {
				t.Errorf("kind = %v: a misconfiguration is not the uploader's fault", k)
			}
		})
	}
}

func TestNormalizeScales(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		w, h, box    int
		wantW, wantH int
	}{
		{"wide", 2000, 1000, 0, 512, 256},
		{"tall", 1000, 2000, 0, 256, 512},
		{"small stays", 100, 50, 0, 100, 50},
		{"box-sized stays", 512, 512, 0, 512, 512},
		{"one over", 513, 513, 0, 512, 512},
		{"a line keeps one pixel", 5000, 3, 0, 512, 1},
		{"rounded", 1000, 333, 0, 512, 170},
		{"custom box", 200, 100, 64, 64, 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := imaging.Normalize(bytes.NewReader(encodePNG(t, solid(tt.w, tt.h, blue))), imaging.Options{Box: tt.box})
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			if out.Width != tt.wantW || out.Height != tt.wantH {
				t.Fatalf("size %d × %d, want %d × %d", out.Width, out.Height, tt.wantW, tt.wantH)
			}
			m := decode(t, out)
			// The weights of each pixel sum exactly to one: a flat image
			// stays exactly flat, edges included.
			for _, p := range []image.Point{{0, 0}, {tt.wantW - 1, tt.wantH - 1}, {tt.wantW / 2, tt.wantH / 2}} {
				if c := nrgbaAt(m, p.X, p.Y); c != blue {
					t.Errorf("pixel %v is %v, want %v", p, c, blue)
				}
			}
		})
	}

	t.Run("scaled content stays in place", func(t *testing.T) {
		t.Parallel()
		out, err := imaging.Normalize(bytes.NewReader(encodePNG(t, quadrants(2000, 1000))), imaging.Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := decode(t, out)
		for _, c := range []struct {
			x, y int
			want color.NRGBA
		}{{64, 64, red}, {448, 64, green}, {64, 192, blue}, {448, 192, white}} {
			if got := nrgbaAt(m, c.x, c.y); got != c.want {
				t.Errorf("pixel (%d, %d) is %v, want %v", c.x, c.y, got, c.want)
			}
		}
	})

	t.Run("transparent pixels do not bleed into edges", func(t *testing.T) {
		t.Parallel()
		// Fully transparent pixels that hide a red colour, beside opaque
		// white: filtering without premultiplied alpha blends the hidden
		// red into the edge and turns it pink; premultiplied, a
		// transparent pixel weighs nothing and the edge stays white.
		hiddenRed := color.NRGBA{0xff, 0, 0, 0}
		in := filled(1000, 1000, func(x, _ int) color.NRGBA {
			if x < 500 {
				return hiddenRed
			}
			return white
		})
		out, err := imaging.Normalize(bytes.NewReader(encodePNG(t, in)), imaging.Options{Box: 100})
		if err != nil {
			t.Fatal(err)
		}
		m := decode(t, out)
		var edge int
		for x := range 100 {
			c := nrgbaAt(m, x, 50)
			if c.A > 0 && c.A < 0xff {
				edge++
				if c.R < 0xf8 || c.G < 0xf8 || c.B < 0xf8 {
					t.Errorf("edge pixel %d is %v, want white", x, c)
				}
			}
		}
		if edge == 0 {
			t.Fatal("no partly transparent pixel at the edge; the test tests nothing")
		}
		if c := nrgbaAt(m, 10, 50); c.A != 0 {
			t.Errorf("transparent area became %v", c)
		}
	})
}

// TestNormalizeOrientation checks every EXIF Orientation against where the
// EXIF specification says the stored 0th row and 0th column go. The source
// is 40 × 20: red top left, green top right, blue bottom left, white
// bottom right.
func TestNormalizeOrientation(t *testing.T) {
	t.Parallel()
	src := quadrants(40, 20)
	// want is the displayed image's top-left, top-right, bottom-left and
	// bottom-right colours.
	tests := []struct {
		o     uint16
		swaps bool
		want  [4]color.NRGBA
	}{
		{1, false, [4]color.NRGBA{red, green, blue, white}},
		{2, false, [4]color.NRGBA{green, red, white, blue}}, // 0th row top, 0th column right
		{3, false, [4]color.NRGBA{white, blue, green, red}}, // 0th row bottom, 0th column right
		{4, false, [4]color.NRGBA{blue, white, red, green}}, // 0th row bottom, 0th column left
		{5, true, [4]color.NRGBA{red, blue, green, white}},  // 0th row left, 0th column top
		{6, true, [4]color.NRGBA{blue, red, white, green}},  // 0th row right, 0th column top
		{7, true, [4]color.NRGBA{white, green, blue, red}},  // 0th row right, 0th column bottom
		{8, true, [4]color.NRGBA{green, white, red, blue}},  // 0th row left, 0th column bottom
		{0, false, [4]color.NRGBA{red, green, blue, white}}, // no Orientation tag
		{9, false, [4]color.NRGBA{red, green, blue, white}}, // not a valid value: ignored
		{0xFFFF, false, [4]color.NRGBA{red, green, blue, white}},
	}
	for _, order := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%v/%d", order, tt.o), func(t *testing.T) {
				t.Parallel()
				out, err := imaging.Normalize(bytes.NewReader(orientedJPEG(t, src, order, tt.o)), imaging.Options{})
				if err != nil {
					t.Fatalf("Normalize: %v", err)
				}
				w, h := 40, 20
				if tt.swaps {
					w, h = 20, 40
				}
				if out.Width != w || out.Height != h {
					t.Fatalf("orientation %d: size %d × %d, want %d × %d", tt.o, out.Width, out.Height, w, h)
				}
				m := decode(t, out)
				corners := [4]image.Point{{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4}}
				for i, p := range corners {
					if c := nrgbaAt(m, p.X, p.Y); !near(c, tt.want[i], 24) {
						t.Errorf("orientation %d: pixel %v is %v, want %v", tt.o, p, c, tt.want[i])
					}
				}
			})
		}
	}

	t.Run("scaled and turned", func(t *testing.T) {
		t.Parallel()
		out, err := imaging.Normalize(bytes.NewReader(orientedJPEG(t, quadrants(2000, 1000), binary.BigEndian, 6)), imaging.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if out.Width != 256 || out.Height != 512 {
			t.Fatalf("size %d × %d, want 256 × 512", out.Width, out.Height)
		}
		if c := nrgbaAt(decode(t, out), 64, 64); !near(c, blue, 24) {
			t.Errorf("top left is %v, want blue (the stored bottom left)", c)
		}
	})

	t.Run("after a JFIF segment and before other tags", func(t *testing.T) {
		t.Parallel()
		order := binary.LittleEndian
		exif := exifSegment(tiff(order, []ifdEntry{
			asciiEntry(tagMake, "Phone"),
			asciiEntry(0x0110, "Model with a long name"),
			shortEntry(order, tagOrientation, 8),
			{tag: 0x011A, typ: typeRational, count: 1, value: order.AppendUint64(nil, 72<<32|1)},
		}, nil))
		jfif := jpegSegment(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
		in := encodeJPEG(t, src)
		in = slices.Concat(in[:2], jfif, exif, in[2:])
		out, err := imaging.Normalize(bytes.NewReader(in), imaging.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if out.Width != 20 || out.Height != 40 {
			t.Fatalf("size %d × %d, want 20 × 40", out.Width, out.Height)
		}
	})

	t.Run("malformed exif is ignored", func(t *testing.T) {
		t.Parallel()
		order := binary.LittleEndian
		good := tiff(order, []ifdEntry{shortEntry(order, tagOrientation, 6)}, nil)
		outOfRange := bytes.Clone(good)
		order.PutUint32(outOfRange[4:], 1<<31) // IFD0 far beyond the segment
		tooManyEntries := tiff(order, []ifdEntry{asciiEntry(tagMake, "Phone")}, nil)
		order.PutUint16(tooManyEntries[8:], 0xFFFF) // entries past the end, none of them the Orientation
		wrongType := tiff(order, []ifdEntry{{tag: tagOrientation, typ: typeLong, count: 1, value: order.AppendUint32(nil, 6)}}, nil)
		for name, seg := range map[string][]byte{
			"ifd out of range":     exifSegment(outOfRange),
			"too many entries":     exifSegment(tooManyEntries),
			"wrong type":           exifSegment(wrongType),
			"no byte order":        exifSegment(append([]byte("XX"), good[2:]...)),
			"not 42":               exifSegment(append([]byte("II\x2b\x00"), good[4:]...)),
			"short tiff":           exifSegment([]byte("II*")),
			"not exif":             jpegSegment(0xE1, append([]byte("Exi\x00\x00\x00"), good...)),
			"exif in a comment":    jpegSegment(0xFE, append([]byte("Exif\x00\x00"), good...)),
			"segment length short": {0xFF, 0xE1, 0x00, 0x01},
		} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				out, err := imaging.Normalize(bytes.NewReader(insertAfterSOI(encodeJPEG(t, src), seg)), imaging.Options{})
				if errors.Is(err, imaging.ErrInvalidImage) {
					return // the segment broke the JPEG itself: refused, fine
				}
				if err != nil {
					t.Fatalf("Normalize: %v", err)
				}
				if out.Width != 40 || out.Height != 20 {
					t.Errorf("size %d × %d, want the stored 40 × 20", out.Width, out.Height)
				}
			})
		}
	})
}

// TestNormalizeDropsJPEGMetadata uploads a phone photo carrying its GPS
// position, XMP, an ICC profile, a comment and an HTML page after its end.
func TestNormalizeDropsJPEGMetadata(t *testing.T) {
	t.Parallel()
	order := binary.BigEndian
	lat := gpsLatitude(order).value
	xmp := jpegSegment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>48,51.49N</exif:GPSLatitude></x:xmpmeta>"))
	icc := jpegSegment(0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), make([]byte, 128)...))
	comment := jpegSegment(0xFE, []byte("shot at home"))
	in := append(insertAfterSOI(orientedJPEG(t, noise(64, 48), order, 1), xmp, icc, comment), "<html><script>alert(1)</script>"...)
	if !bytes.Contains(in, lat) || !bytes.Contains(in, []byte("Exif")) {
		t.Fatal("the fixture carries no GPS position; the test tests nothing")
	}
	for _, box := range []int{0, 32} { // kept at its size, and scaled
		out, err := imaging.Normalize(bytes.NewReader(in), imaging.Options{Box: box})
		if err != nil {
			t.Fatalf("Normalize: %v", err)
		}
		for _, leak := range [][]byte{[]byte("Exif"), lat, []byte("GPS"), []byte("xmpmeta"), []byte("ICC_PROFILE"), []byte("shot at home"), []byte("<html")} {
			if bytes.Contains(out.Bytes, leak) {
				t.Errorf("box %d: the result still holds %q", box, leak)
			}
		}
		// Only what a baseline JPEG needs: quantization and Huffman
		// tables, the frame header and the scan.
		for _, m := range jpegMarkers(t, out.Bytes) {
			if m != 0xDB && m != 0xC4 && m != 0xC0 && m != 0xDA {
				t.Errorf("box %d: the result has a marker 0x%X segment", box, m)
			}
		}
		if !bytes.HasSuffix(out.Bytes, []byte{0xFF, 0xD9}) {
			t.Errorf("box %d: the result does not end at its EOI", box)
		}
		decode(t, out)
	}
}

// TestNormalizeDropsPNGMetadata uploads a PNG with text, EXIF, ICC and
// time chunks and a ZIP archive after its end: a polyglot.
func TestNormalizeDropsPNGMetadata(t *testing.T) {
	t.Parallel()
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x00\x00evil.php<?php system($_GET['c']); ?>PK\x05\x06")
	in := insertAfterIHDR(encodePNG(t, noise(64, 64)),
		pngChunk("tEXt", []byte("Comment\x00secret-text")),
		pngChunk("iTXt", []byte("Author\x00\x00\x00\x00\x00secret-itxt")),
		pngChunk("eXIf", tiff(binary.LittleEndian, nil, gpsIFD(binary.LittleEndian))),
		pngChunk("tIME", []byte{0x07, 0xE8, 1, 2, 3, 4, 5}),
	)
	in = append(in, zip...)
	if types, trailing := pngChunkTypes(t, in); len(types) < 6 || !trailing {
		t.Fatalf("the fixture is not what it should be: %v, trailing %v", types, trailing)
	}
	for _, box := range []int{0, 32} {
		out, err := imaging.Normalize(bytes.NewReader(in), imaging.Options{Box: box})
		if err != nil {
			t.Fatalf("Normalize: %v", err)
		}
		types, trailing := pngChunkTypes(t, out.Bytes)
		for _, typ := range types {
			if typ != "IHDR" && typ != "PLTE" && typ != "tRNS" && typ != "IDAT" && typ != "IEND" {
				t.Errorf("box %d: the result has a %s chunk", box, typ)
			}
		}
		if trailing {
			t.Errorf("box %d: bytes follow the result's IEND", box)
		}
		for _, leak := range []string{"secret", "PK\x03\x04", "<?php"} {
			if bytes.Contains(out.Bytes, []byte(leak)) {
				t.Errorf("box %d: the result still holds %q", box, leak)
			}
		}
		decode(t, out)
	}
}

// TestNormalizeDropsGIFComments uploads a GIF with a comment extension
// and bytes after its trailer.
func TestNormalizeDropsGIFComments(t *testing.T) {
	t.Parallel()
	p := color.Palette{red, blue}
	g := encodeGIF(t, &gif.GIF{Image: []*image.Paletted{paletted(image.Rect(0, 0, 8, 8), p, func(x, _ int) uint8 { return uint8(x % 2) })}, Delay: []int{0}})
	comment := append([]byte{0x21, 0xFE, 14}, "secret-comment"...)
	in := slices.Concat(g[:len(g)-1], comment, []byte{0}, g[len(g)-1:], []byte("<html>after</html>"))
	out, err := imaging.Normalize(bytes.NewReader(in), imaging.Options{})
	if err != nil {
		t.Fatalf("Normalize: %v", err)
	}
	for _, leak := range []string{"secret", "<html"} {
		if bytes.Contains(out.Bytes, []byte(leak)) {
			t.Errorf("the result still holds %q", leak)
		}
	}
	decode(t, out)
}

// TestNormalizeIsDeterministic normalizes each input many times, at
// once: the caller names the result by its sha256.
func TestNormalizeIsDeterministic(t *testing.T) {
	t.Parallel()
	inputs := map[string][]byte{
		"scaled jpeg":     orientedJPEG(t, noise(900, 700), binary.LittleEndian, 6),
		"scaled png":      encodePNG(t, noise(700, 900)),
		"jpeg kept":       encodeJPEG(t, noise(64, 64)),
		"webp with alpha": readTestdata(t, "gopher-doc.with-alpha.lossless.webp"),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			const runs = 4
			sums := make([][sha256.Size]byte, runs)
			var wg sync.WaitGroup
			for i := range runs {
				wg.Go(func() {
					out, err := imaging.Normalize(bytes.NewReader(in), withWebP(imaging.Options{Box: 300}))
					if err != nil {
						t.Errorf("Normalize: %v", err)
						return
					}
					sums[i] = sha256.Sum256(out.Bytes)
				})
			}
			wg.Wait()
			for i := 1; i < runs; i++ {
				if sums[i] != sums[0] {
					t.Fatalf("run %d gave %x, run 0 gave %x", i, sums[i], sums[0])
				}
			}
		})
	}
}
