package imaging_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"testing"

	"github.com/groundworkhq/groundwork/modules/storage/internal/domain/imaging"
)

// FuzzNormalize feeds Normalize arbitrary bytes: it must never panic,
// refuse with one of its four errors, and otherwise return an image that
// decodes and fits the box. The seeds run with every go test.
func FuzzNormalize(f *testing.F) {
	f.Add(encodePNG(f, noise(20, 10)))
	f.Add(orientedJPEG(f, quadrants(16, 8), binary.BigEndian, 6))
	f.Add(orientedJPEG(f, quadrants(16, 8), binary.LittleEndian, 3))
	f.Add(encodeGIF(f, &gif.GIF{Image: []*image.Paletted{paletted(image.Rect(0, 0, 4, 4), color.Palette{red, blue}, func(x, _ int) uint8 { return uint8(x % 2) })}, Delay: []int{0}}))
	f.Add(readTestdata(f, "blue-purple-pink.lossy.webp"))
	f.Add(pngBomb(f, 20000, 20000))
	f.Add([]byte("<svg/>"))
	opts := withWebP(imaging.Options{MaxBytes: 1 << 20, MaxSide: 1024, Box: 64})
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := imaging.Normalize(bytes.NewReader(in), opts)
		if err != nil {
			for _, want := range []error{imaging.ErrUnsupportedType, imaging.ErrInvalidImage, imaging.ErrTooManyPixels, imaging.ErrTooLarge} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("unexpected error: %v", err)
		}
		if out.Width > 64 || out.Height > 64 {
			t.Fatalf("result %d × %d does not fit the box", out.Width, out.Height)
		}
		decode(t, out)
	})
}
