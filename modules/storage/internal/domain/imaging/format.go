package imaging

import (
	"bytes"
	"image/gif"
	"image/jpeg"
	"image/png"

	"github.com/groundworkhq/groundwork/kernel"
)

// format is an accepted input type and how it is decoded and re-encoded.
type format struct {
	name  string
	codec Codec
	// jpegOut says the result is a JPEG; every other format becomes a PNG
	// so that transparency survives.
	jpegOut bool
}

var (
	pngFormat  = format{name: "png", codec: Codec{DecodeConfigFunc: png.DecodeConfig, DecodeFunc: png.Decode}}
	jpegFormat = format{name: "jpeg", codec: Codec{DecodeConfigFunc: jpeg.DecodeConfig, DecodeFunc: jpeg.Decode}, jpegOut: true}
	// gif.Decode stops after the first frame: an animated GIF costs one
	// frame's pixels, and the result is that frame.
	gifFormat = format{name: "gif", codec: Codec{DecodeConfigFunc: gif.DecodeConfig, DecodeFunc: gif.Decode}}
)

// errNoWebP is ErrUnsupportedType when no WebP decoder is wired in: its
// detail must not invite an upload that would be refused.
var errNoWebP = kernel.UnsupportedType(ErrUnsupportedType.Code, "The file must be a PNG, JPEG or GIF image.")

// sniff returns the format the data's magic number names. It looks at the
// bytes only, and picks the decoder itself rather than letting the image
// package's registry guess, so a format registered by some other import
// can never be reached from an upload.
func sniff(data []byte, webp Codec) (format, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return pngFormat, nil
	case bytes.HasPrefix(data, []byte("\xFF\xD8\xFF")):
		return jpegFormat, nil
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return gifFormat, nil
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		if !webp.configured() {
			return format{}, errNoWebP
		}
		return format{name: "webp", codec: webp}, nil
	}
	if webp.configured() {
		return format{}, ErrUnsupportedType
	}
	return format{}, errNoWebP
}
