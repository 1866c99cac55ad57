package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	"github.com/groundworkhq/groundwork/kernel"
)

// The defaults of Options and the quality of a JPEG result.
const (
	// DefaultMaxBytes is Options.MaxBytes when it is zero: 10 MiB.
	DefaultMaxBytes = 10 << 20
	// DefaultMaxSide is Options.MaxSide when it is zero.
	DefaultMaxSide = 8000
	// DefaultBox is Options.Box when it is zero.
	DefaultBox = 512
	// JPEGQuality is the quality a JPEG result is encoded at.
	JPEGQuality = 85
)

// maxMaxSide bounds Options.MaxSide so that MaxSide² cannot overflow and a
// misconfiguration cannot let through images of tens of gigabytes.
const maxMaxSide = 1 << 15

// The errors Normalize returns for a bad upload. Compare with errors.Is:
// an error made with another limit in its detail (tooLarge, tooManyPixels)
// still matches, as *kernel.Error matches by code and kind.
var (
	// ErrUnsupportedType is returned when the bytes are not a PNG, JPEG,
	// WebP or GIF image, whatever the upload's name or declared type (415).
	ErrUnsupportedType = kernel.UnsupportedType("storage.unsupported_type", "The file must be a PNG, JPEG, WebP or GIF image.")
	// ErrInvalidImage is returned when the bytes start like a supported
	// image but do not decode: truncated, corrupt, or something else behind
	// a borrowed magic number (422).
	ErrInvalidImage = kernel.Invalid("storage.invalid_image", "The image is truncated or corrupt.")
	// ErrTooManyPixels is returned when the image's header declares a
	// width or height above Options.MaxSide (422). Nothing is decoded.
	ErrTooManyPixels = kernel.Invalid("storage.image_too_large", "The image may be at most 8000 × 8000 pixels.")
	// ErrTooLarge is returned when the upload has more than
	// Options.MaxBytes bytes (413).
	ErrTooLarge = kernel.TooLarge("storage.too_large", "The file is larger than allowed.")
)

// tooLarge is ErrTooLarge with the limit in its detail.
func tooLarge(maxBytes int64) *kernel.Error {
	return kernel.TooLarge(ErrTooLarge.Code, fmt.Sprintf("The file is larger than allowed: at most %s.", formatBytes(maxBytes)))
}

// tooManyPixels is ErrTooManyPixels with the limit in its detail.
func tooManyPixels(maxSide int) *kernel.Error {
	if maxSide == DefaultMaxSide {
		return ErrTooManyPixels
	}
	return kernel.Invalid(ErrTooManyPixels.Code, fmt.Sprintf("The image may be at most %d × %d pixels.", maxSide, maxSide))
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Codec decodes one image format. Both functions have the signatures of
// the standard library's image/png, image/jpeg and image/gif.
type Codec struct {
	// DecodeConfigFunc reads the dimensions from the image's header
	// without decoding its pixels.
	DecodeConfigFunc func(io.Reader) (image.Config, error)
	// DecodeFunc decodes the whole image.
	DecodeFunc func(io.Reader) (image.Image, error)
}

func (c Codec) configured() bool { return c.DecodeConfigFunc != nil && c.DecodeFunc != nil }

// Options are Normalize's limits. The zero value is usable: every zero
// field takes its default, and WebP uploads are then refused.
type Options struct {
	// MaxBytes is the most bytes read from the reader; an upload with more
	// is refused with ErrTooLarge. Zero means DefaultMaxBytes (10 MiB).
	MaxBytes int64
	// MaxSide is the largest width or height an image may declare; a
	// larger one is refused with ErrTooManyPixels before any pixel is
	// decoded. Zero means DefaultMaxSide (8000); at most 32768.
	MaxSide int
	// Box is the side of the square the result fits in, the aspect ratio
	// kept; a smaller image is not enlarged. Zero means DefaultBox (512).
	Box int
	// WebP decodes WebP images, which the standard library cannot: wire
	// golang.org/x/image/webp's DecodeConfig and Decode here (a domain
	// package may not import it). Left zero, WebP uploads are refused
	// with ErrUnsupportedType, whose detail then does not offer WebP.
	WebP Codec
}

func (o Options) withDefaults() Options {
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxSide == 0 {
		o.MaxSide = DefaultMaxSide
	}
	if o.Box == 0 {
		o.Box = DefaultBox
	}
	return o
}

// validate reports a misconfiguration; it is the caller's bug, not the
// uploader's, so its errors are not kernel errors (500 at the edge).
func (o Options) validate() error {
	switch {
	case o.MaxBytes < 0:
		return fmt.Errorf("imaging: MaxBytes is %d, want at least 0", o.MaxBytes)
	case o.MaxSide < 0 || o.MaxSide > maxMaxSide:
		return fmt.Errorf("imaging: MaxSide is %d, want 0 to %d", o.MaxSide, maxMaxSide)
	case o.Box < 0:
		return fmt.Errorf("imaging: Box is %d, want at least 0", o.Box)
	case (o.WebP.DecodeConfigFunc == nil) != (o.WebP.DecodeFunc == nil):
		return errors.New("imaging: WebP needs both DecodeConfigFunc and DecodeFunc, or neither")
	}
	return nil
}

// Image is a normalized image, ready to be stored and served.
type Image struct {
	// Bytes is the re-encoded image: no metadata, nothing after its end.
	Bytes []byte
	// ContentType is "image/jpeg" or "image/png".
	ContentType string
	// Ext is the file extension that goes with ContentType, without a
	// dot: "jpg" or "png".
	Ext string
	// Width and Height are the result's, after scaling and orientation.
	Width, Height int
}

// Normalize reads an uploaded image from r and returns it scaled down to
// fit opts.Box × opts.Box and re-encoded without any metadata: a JPEG as a
// JPEG (EXIF orientation applied), a PNG, GIF (its first frame) or WebP as
// a PNG.
//
// It returns ErrTooLarge when r holds more than opts.MaxBytes bytes (it
// reads at most one more), ErrUnsupportedType when the bytes are not one of
// those formats, ErrTooManyPixels when the header declares a side above
// opts.MaxSide (checked before decoding, so a decompression bomb costs
// nothing), ErrInvalidImage when the image does not decode, an error
// wrapping r's when reading fails, and a plain error for invalid opts.
func Normalize(r io.Reader, opts Options) (Image, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return Image{}, err
	}
	data, err := readAtMost(r, opts.MaxBytes)
	if err != nil {
		return Image{}, err
	}
	f, err := sniff(data, opts.WebP)
	if err != nil {
		return Image{}, err
	}
	cfg, err := f.codec.DecodeConfigFunc(bytes.NewReader(data))
	if err != nil {
		return Image{}, ErrInvalidImage.WithCause(fmt.Errorf("read %s header: %w", f.name, err))
	}
	if err := checkDimensions(cfg, opts.MaxSide); err != nil {
		return Image{}, err
	}
	img, err := f.codec.DecodeFunc(bytes.NewReader(data))
	if err != nil {
		return Image{}, ErrInvalidImage.WithCause(fmt.Errorf("decode %s: %w", f.name, err))
	}
	if img.Bounds().Empty() {
		return Image{}, ErrInvalidImage.WithCause(fmt.Errorf("decode %s: no pixels", f.name))
	}
	img = onCanvas(img, cfg.Width, cfg.Height)
	if w, h := fit(cfg.Width, cfg.Height, opts.Box); w != cfg.Width || h != cfg.Height {
		img = resize(img, w, h)
	}
	if f.name == "jpeg" {
		// Scaling first is cheaper and gives the same result: the box is
		// square, so it fits the rotated image as well as the stored one.
		img = orient(img, jpegOrientation(data))
	}
	return encode(img, f.jpegOut)
}

// readAtMost reads r to its end, or to one byte past maxBytes: a declared
// length is never trusted, and a reader that never ends is cut off.
func readAtMost(r io.Reader, maxBytes int64) ([]byte, error) {
	limit := maxBytes
	if limit < math.MaxInt64 {
		limit++
	}
	data, err := io.ReadAll(io.LimitReader(r, limit))
	if int64(len(data)) > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	return data, nil
}

// checkDimensions refuses a header's dimensions before anything is
// allocated for the pixels.
func checkDimensions(cfg image.Config, maxSide int) error {
	w, h := cfg.Width, cfg.Height
	if w <= 0 || h <= 0 {
		return ErrInvalidImage.WithCause(fmt.Errorf("header declares %d × %d pixels", w, h))
	}
	// Each side is at most maxMaxSide, so the product cannot overflow.
	if w > maxSide || h > maxSide || w*h > maxSide*maxSide {
		return tooManyPixels(maxSide)
	}
	return nil
}

// onCanvas returns img as a w×h image at the origin. A GIF's first frame
// may cover only part of its logical screen; the rest is transparent.
func onCanvas(img image.Image, w, h int) image.Image {
	want := image.Rect(0, 0, w, h)
	if img.Bounds() == want {
		return img
	}
	c := image.NewNRGBA(want)
	draw.Draw(c, img.Bounds(), img, img.Bounds().Min, draw.Src)
	return c
}

// fit returns the size of a w×h image scaled down to fit box×box, the
// aspect ratio kept and rounded, never below one pixel nor above w×h.
func fit(w, h, box int) (int, int) {
	if w <= box && h <= box {
		return w, h
	}
	if w >= h {
		return box, max(1, (h*box+w/2)/w)
	}
	return max(1, (w*box+h/2)/h), box
}

// encode writes img as a JPEG or a PNG. Neither encoder of the standard
// library writes metadata, which is what drops it.
func encode(img image.Image, asJPEG bool) (Image, error) {
	var buf bytes.Buffer
	out := Image{ContentType: "image/png", Ext: "png"}
	var err error
	if asJPEG {
		out = Image{ContentType: "image/jpeg", Ext: "jpg"}
		if n, ok := img.(*image.NRGBA); ok && n.Opaque() {
			// Opaque, NRGBA and RGBA are the same bytes, and the encoder
			// has a fast path for RGBA only (the other reads every pixel
			// through an allocating At).
			img = &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect}
		}
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: JPEGQuality})
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		// The encoders fail only on a writer's error or an image too
		// large for the format, neither of which can happen here.
		return Image{}, fmt.Errorf("encode %s: %w", out.Ext, err)
	}
	b := img.Bounds()
	out.Bytes, out.Width, out.Height = buf.Bytes(), b.Dx(), b.Dy()
	return out, nil
}
