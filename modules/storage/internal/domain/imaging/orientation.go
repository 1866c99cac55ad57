package imaging

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/draw"
)

// JPEG markers that jpegOrientation walks past or stops at.
const (
	markerSOI  = 0xD8
	markerEOI  = 0xD9
	markerSOS  = 0xDA
	markerAPP1 = 0xE1
	markerTEM  = 0x01
	markerRST0 = 0xD0
	markerRST7 = 0xD7
)

// tagOrientation is the TIFF tag of the EXIF Orientation; typeShort is
// the TIFF type it must have.
const (
	tagOrientation = 0x0112
	typeShort      = 3
)

// jpegOrientation returns the EXIF Orientation (1 to 8) of a JPEG, or 1
// when it has none or its EXIF cannot be read: a malformed EXIF never
// refuses an image that decodes. Only the first Exif APP1 segment before
// the first scan counts, and only the Orientation of IFD0 (the main
// image's), which is where the EXIF specification puts it.
func jpegOrientation(data []byte) int {
	if len(data) < 2 || data[0] != 0xFF || data[1] != markerSOI {
		return 1
	}
	p := 2
	for {
		if p+2 > len(data) || data[p] != 0xFF {
			return 1
		}
		marker := data[p+1]
		if marker == 0xFF { // a fill byte before the marker
			p++
			continue
		}
		p += 2
		switch {
		case marker == markerSOI, marker == markerTEM, marker >= markerRST0 && marker <= markerRST7:
			continue // no length, no payload
		case marker == markerSOS, marker == markerEOI:
			return 1 // metadata comes before the image data
		}
		if p+2 > len(data) {
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[p:]))
		if n < 2 || p+n > len(data) {
			return 1
		}
		if seg := data[p+2 : p+n]; marker == markerAPP1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return exifOrientation(seg[6:])
		}
		p += n
	}
}

// exifOrientation reads tag 0x0112 from IFD0 of a TIFF structure (the
// payload of an Exif APP1 segment after "Exif\0\0"), or returns 1.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 1
	}
	if order.Uint16(tiff[2:]) != 42 {
		return 1
	}
	// Offsets are uint32; compare in uint64 so that none wraps around.
	size := uint64(len(tiff))
	ifd := uint64(order.Uint32(tiff[4:]))
	if ifd+2 > size {
		return 1
	}
	count := uint64(order.Uint16(tiff[ifd:]))
	for i := range count {
		e := ifd + 2 + 12*i
		if e+12 > size {
			return 1
		}
		if order.Uint16(tiff[e:]) != tagOrientation {
			continue
		}
		if order.Uint16(tiff[e+2:]) != typeShort || order.Uint32(tiff[e+4:]) != 1 {
			return 1
		}
		// A single SHORT sits in the first two bytes of the value field.
		if v := order.Uint16(tiff[e+8:]); v >= 1 && v <= 8 {
			return int(v)
		}
		return 1
	}
	return 1
}

// orient returns img transformed so that it displays upright given its
// EXIF Orientation o; 1 and unknown values leave it as it is. The EXIF
// specification defines each value by where the stored 0th row and 0th
// column go: 6, for instance, puts the 0th row on the right and the 0th
// column at the top, which is a quarter turn clockwise.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	src := toNRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if o >= 5 { // the four that swap rows and columns
		dw, dh = h, w
	}
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	for dy := range dh {
		for dx := range dw {
			var sx, sy int
			switch o {
			case 2: // mirrored left to right
				sx, sy = w-1-dx, dy
			case 3: // turned half way
				sx, sy = w-1-dx, h-1-dy
			case 4: // mirrored top to bottom
				sx, sy = dx, h-1-dy
			case 5: // transposed: mirrored along the main diagonal
				sx, sy = dy, dx
			case 6: // turned a quarter clockwise
				sx, sy = dy, h-1-dx
			case 7: // transversed: mirrored along the other diagonal
				sx, sy = w-1-dy, h-1-dx
			case 8: // turned a quarter counterclockwise
				sx, sy = w-1-dy, dx
			}
			s := src.PixOffset(src.Rect.Min.X+sx, src.Rect.Min.Y+sy)
			copy(dst.Pix[dst.PixOffset(dx, dy):][:4], src.Pix[s:s+4])
		}
	}
	return dst
}

// toNRGBA returns img as an *image.NRGBA, converting it if need be.
func toNRGBA(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok {
		return n
	}
	n := image.NewNRGBA(img.Bounds())
	draw.Draw(n, n.Rect, img, n.Rect.Min, draw.Src)
	return n
}
