package imaging_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/image/webp"

	"github.com/groundworkhq/groundwork/modules/storage/internal/domain/imaging"
)

// The inputs are built here with the standard library, byte by byte where
// the standard library will not write them (metadata, bombs, polyglots).
// Only the WebP files come from testdata: Go has no WebP encoder (see
// testdata/README).

var (
	red         = color.NRGBA{0xff, 0, 0, 0xff}
	green       = color.NRGBA{0, 0xff, 0, 0xff}
	blue        = color.NRGBA{0, 0, 0xff, 0xff}
	white       = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	transparent = color.NRGBA{}
)

// withWebP are options with the WebP decoder wired in, as the application
// does.
func withWebP(o imaging.Options) imaging.Options {
	o.WebP = imaging.Codec{DecodeConfigFunc: webp.DecodeConfig, DecodeFunc: webp.Decode}
	return o
}

// filled returns a w×h image whose pixel at (x, y) is at(x, y).
func filled(w, h int, at func(x, y int) color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, at(x, y))
		}
	}
	return m
}

func solid(w, h int, c color.NRGBA) *image.NRGBA {
	return filled(w, h, func(int, int) color.NRGBA { return c })
}

// quadrants is red at the top left, green at the top right, blue at the
// bottom left and white at the bottom right.
func quadrants(w, h int) *image.NRGBA {
	return filled(w, h, func(x, y int) color.NRGBA {
		switch {
		case y < h/2 && x < w/2:
			return red
		case y < h/2:
			return green
		case x < w/2:
			return blue
		}
		return white
	})
}

// noise is an image that compresses badly, so that cutting its file in two
// cuts its pixel data.
func noise(w, h int) *image.NRGBA {
	seed := uint32(1)
	return filled(w, h, func(int, int) color.NRGBA {
		seed = seed*1664525 + 1013904223
		return color.NRGBA{uint8(seed >> 24), uint8(seed >> 16), uint8(seed >> 8), 0xff}
	})
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatalf("encode png: %v", err)
	}
	return buf.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatalf("encode jpeg: %v", err)
	}
	return buf.Bytes()
}

func encodeGIF(t testing.TB, g *gif.GIF) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatalf("encode gif: %v", err)
	}
	return buf.Bytes()
}

// paletted returns a w×h frame of palette index i over bounds r.
func paletted(r image.Rectangle, p color.Palette, at func(x, y int) uint8) *image.Paletted {
	m := image.NewPaletted(r, p)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			m.SetColorIndex(x, y, at(x, y))
		}
	}
	return m
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pngChunk returns a PNG chunk with its length and CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngSignature is the PNG magic number; a PNG's IHDR chunk follows it and
// takes 25 bytes.
const pngSignature = "\x89PNG\r\n\x1a\n"

// pngBomb is a PNG that declares w×h RGBA pixels and holds a few bytes
// of them: a valid IHDR, a tiny IDAT and an IEND, the cheapest
// decompression bomb there is. The decoder allocates the whole image when
// it reaches the IDAT.
func pngBomb(t testing.TB, w, h uint32) []byte {
	t.Helper()
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8 bits, RGBA, deflate, no filter, no interlace
	var idat bytes.Buffer
	z := zlib.NewWriter(&idat)
	if _, err := z.Write(make([]byte, 64)); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return slices.Concat([]byte(pngSignature), pngChunk("IHDR", ihdr), pngChunk("IDAT", idat.Bytes()), pngChunk("IEND", nil))
}

// insertAfterIHDR returns p with chunks inserted after its IHDR chunk.
func insertAfterIHDR(p []byte, chunks ...[]byte) []byte {
	const at = len(pngSignature) + 25
	return slices.Concat(p[:at:at], slices.Concat(chunks...), p[at:])
}

// pngChunkTypes lists the chunk types of a PNG, and reports whether any
// byte follows IEND.
func pngChunkTypes(t testing.TB, p []byte) (types []string, trailing bool) {
	t.Helper()
	if !bytes.HasPrefix(p, []byte(pngSignature)) {
		t.Fatalf("not a PNG: % x", p[:min(len(p), 8)])
	}
	for i := len(pngSignature); i < len(p); {
		if i+8 > len(p) {
			t.Fatalf("PNG cut inside a chunk header at %d", i)
		}
		n := int(binary.BigEndian.Uint32(p[i:]))
		typ := string(p[i+4 : i+8])
		types = append(types, typ)
		i += 12 + n
		if typ == "IEND" {
			return types, i < len(p)
		}
	}
	t.Fatal("PNG without IEND")
	return nil, false
}

// jpegSegment returns a JPEG marker segment with its length.
func jpegSegment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker}
	s = binary.BigEndian.AppendUint16(s, uint16(len(payload)+2))
	return append(s, payload...)
}

// insertAfterSOI returns j with segments inserted right after its SOI.
func insertAfterSOI(j []byte, segments ...[]byte) []byte {
	return slices.Concat(j[:2:2], slices.Concat(segments...), j[2:])
}

// jpegMarkers lists the markers of a JPEG up to its first scan.
func jpegMarkers(t testing.TB, j []byte) []byte {
	t.Helper()
	if len(j) < 2 || j[0] != 0xFF || j[1] != 0xD8 {
		t.Fatalf("not a JPEG: % x", j[:min(len(j), 2)])
	}
	var markers []byte
	for i := 2; ; {
		if i+4 > len(j) || j[i] != 0xFF {
			t.Fatalf("JPEG without a scan, at %d", i)
		}
		m := j[i+1]
		markers = append(markers, m)
		if m == 0xDA {
			return markers
		}
		i += 2 + int(binary.BigEndian.Uint16(j[i+2:]))
	}
}

// byteOrder reads and appends: binary.LittleEndian and binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// ifdEntry is one TIFF directory entry; a value longer than four bytes is
// placed after the directories and the entry points to it.
type ifdEntry struct {
	tag, typ uint16
	count    uint32
	value    []byte
}

// TIFF types and EXIF tags the fixtures use.
const (
	typeASCII    = 2
	typeShort    = 3
	typeLong     = 4
	typeRational = 5

	tagMake        = 0x010F
	tagOrientation = 0x0112
	tagGPSInfo     = 0x8825
)

func shortEntry(order byteOrder, tag, v uint16) ifdEntry {
	return ifdEntry{tag: tag, typ: typeShort, count: 1, value: order.AppendUint16(nil, v)}
}

func asciiEntry(tag uint16, s string) ifdEntry {
	return ifdEntry{tag: tag, typ: typeASCII, count: uint32(len(s) + 1), value: append([]byte(s), 0)}
}

func rationalsEntry(order byteOrder, tag uint16, v ...uint32) ifdEntry {
	var b []byte
	for _, x := range v {
		b = order.AppendUint32(b, x)
	}
	return ifdEntry{tag: tag, typ: typeRational, count: uint32(len(v) / 2), value: b}
}

// tiff returns a TIFF structure holding IFD0 and, when gps is not nil, a
// GPS IFD that IFD0 points to with a GPSInfo entry.
func tiff(order byteOrder, ifd0, gps []ifdEntry) []byte {
	ifdSize := func(n int) int { return 2 + 12*n + 4 }
	n0 := len(ifd0)
	if gps != nil {
		n0++
	}
	gpsAt := 8 + ifdSize(n0)
	dataAt := gpsAt
	if gps != nil {
		dataAt += ifdSize(len(gps))
		ifd0 = append(slices.Clone(ifd0), ifdEntry{tag: tagGPSInfo, typ: typeLong, count: 1, value: order.AppendUint32(nil, uint32(gpsAt))})
	}
	var data []byte
	dir := func(entries []ifdEntry) []byte {
		entries = slices.Clone(entries)
		slices.SortFunc(entries, func(a, b ifdEntry) int { return int(a.tag) - int(b.tag) })
		d := order.AppendUint16(nil, uint16(len(entries)))
		for _, e := range entries {
			d = order.AppendUint16(d, e.tag)
			d = order.AppendUint16(d, e.typ)
			d = order.AppendUint32(d, e.count)
			if len(e.value) <= 4 {
				d = append(d, e.value...)
				d = append(d, make([]byte, 4-len(e.value))...)
				continue
			}
			d = order.AppendUint32(d, uint32(dataAt+len(data)))
			data = append(data, e.value...)
		}
		return order.AppendUint32(d, 0) // no next IFD
	}
	out := []byte("II")
	if order == byteOrder(binary.BigEndian) {
		out = []byte("MM")
	}
	out = order.AppendUint16(out, 42)
	out = order.AppendUint32(out, 8)
	out = append(out, dir(ifd0)...)
	if gps != nil {
		out = append(out, dir(gps)...)
	}
	return append(out, data...)
}

// exifSegment is an APP1 Exif segment holding t.
func exifSegment(t []byte) []byte {
	return jpegSegment(0xE1, append([]byte("Exif\x00\x00"), t...))
}

// gpsLatitude is the GPSLatitude of the fixtures (48° 51' 29.59" N, the
// Eiffel tower): its bytes must not survive normalization.
func gpsLatitude(order byteOrder) ifdEntry {
	return rationalsEntry(order, 2, 48, 1, 51, 1, 2959, 100)
}

// gpsIFD is a GPS IFD with a position in it.
func gpsIFD(order byteOrder) []ifdEntry {
	return []ifdEntry{
		asciiEntry(1, "N"),
		gpsLatitude(order),
		asciiEntry(3, "E"),
		rationalsEntry(order, 4, 2, 1, 17, 1, 4000, 100),
	}
}

// orientedJPEG is a JPEG of m carrying an EXIF Orientation o (none when 0).
func orientedJPEG(t testing.TB, m image.Image, order byteOrder, o uint16) []byte {
	t.Helper()
	ifd0 := []ifdEntry{asciiEntry(tagMake, "Phone")}
	if o != 0 {
		ifd0 = append(ifd0, shortEntry(order, tagOrientation, o))
	}
	return insertAfterSOI(encodeJPEG(t, m), exifSegment(tiff(order, ifd0, gpsIFD(order))))
}

// decode decodes a normalized image with the decoder its content type
// names, failing the test if it does not decode or its size is not the
// one Normalize reported.
func decode(t testing.TB, out imaging.Image) image.Image {
	t.Helper()
	var (
		m   image.Image
		err error
	)
	switch out.ContentType {
	case "image/png":
		m, err = png.Decode(bytes.NewReader(out.Bytes))
	case "image/jpeg":
		m, err = jpeg.Decode(bytes.NewReader(out.Bytes))
	default:
		t.Fatalf("content type %q", out.ContentType)
	}
	if err != nil {
		t.Fatalf("decode the result: %v", err)
	}
	if b := m.Bounds(); b != image.Rect(0, 0, out.Width, out.Height) {
		t.Fatalf("result bounds %v, Normalize said %d × %d", b, out.Width, out.Height)
	}
	return m
}

func nrgbaAt(m image.Image, x, y int) color.NRGBA {
	return color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
}

// near reports whether c is within tol of want on every channel.
func near(c, want color.NRGBA, tol int) bool {
	d := func(a, b uint8) bool { return max(int(a)-int(b), int(b)-int(a)) <= tol }
	return d(c.R, want.R) && d(c.G, want.G) && d(c.B, want.B) && d(c.A, want.A)
}
