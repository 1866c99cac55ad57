package imaging

import (
	"image"
	"image/draw"
	"math"
)

// weightBits is the fixed-point precision of the filter weights: the
// weights of one output pixel sum to exactly 1 << weightBits, so a flat
// area stays exactly flat.
const weightBits = 14

// taps are the source pixels one output pixel is made of: weights[i]
// applies to source index start+i.
type taps struct {
	start   int
	weights []int64
}

// resize scales src to w×h with a Catmull-Rom filter (the bicubic of most
// image editors: sharp, little ringing), widened when scaling down so that
// every source pixel counts. It filters rows then columns, on
// premultiplied alpha so that transparent pixels do not bleed their hidden
// colour into the edges, with 16 bits a channel between the passes.
//
// The arithmetic is in integers except for computing the weights, whose
// floating-point expressions are written so that no compiler may fuse
// them (see catmullRom): the result is the same bytes on every
// architecture, which content addressing relies on.
func resize(src image.Image, w, h int) *image.NRGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	xs, ys := filterTaps(sw, w), filterTaps(sh, h)

	// Rows: each source row, drawn into premultiplied RGBA (image/draw has
	// fast paths for what the decoders return), becomes w pixels.
	row := image.NewRGBA(image.Rect(0, 0, sw, 1))
	mid := make([]uint16, w*sh*4)
	for y := range sh {
		draw.Draw(row, row.Rect, src, image.Pt(b.Min.X, b.Min.Y+y), draw.Src)
		out := mid[y*w*4 : (y+1)*w*4]
		for x, t := range xs {
			var acc [4]int64
			p := row.Pix[t.start*4:]
			for i, wt := range t.weights {
				q := p[i*4 : i*4+4 : i*4+4]
				acc[0] += wt * int64(q[0])
				acc[1] += wt * int64(q[1])
				acc[2] += wt * int64(q[2])
				acc[3] += wt * int64(q[3])
			}
			// 8 bits to 16: ×257 maps 0xff to 0xffff exactly.
			for c := range acc {
				acc[c] *= 257
			}
			store16(out[x*4:x*4+4], acc)
		}
	}

	// Columns: each output row from the rows of mid its taps name.
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	var px [4]uint16
	for y, t := range ys {
		for x := range w {
			var acc [4]int64
			for i, wt := range t.weights {
				q := mid[((t.start+i)*w+x)*4:][:4]
				acc[0] += wt * int64(q[0])
				acc[1] += wt * int64(q[1])
				acc[2] += wt * int64(q[2])
				acc[3] += wt * int64(q[3])
			}
			store16(px[:], acc)
			unpremultiply(dst.Pix[dst.PixOffset(x, y):][:4], px)
		}
	}
	return dst
}

// store16 rounds fixed-point premultiplied channels to 16 bits, clamped:
// Catmull-Rom's negative lobes overshoot at hard edges, and a colour may
// not exceed its alpha.
func store16(out []uint16, acc [4]int64) {
	var v [4]int64
	for c, a := range acc {
		v[c] = min(max((a+1<<(weightBits-1))>>weightBits, 0), 0xffff)
	}
	for c := range 3 {
		v[c] = min(v[c], v[3])
	}
	for c := range v {
		out[c] = uint16(v[c])
	}
}

// unpremultiply writes a 16-bit premultiplied pixel as 8-bit NRGBA, as
// color.NRGBAModel does.
func unpremultiply(out []uint8, px [4]uint16) {
	a := uint32(px[3])
	switch a {
	case 0:
		out[0], out[1], out[2], out[3] = 0, 0, 0, 0
	case 0xffff:
		out[0], out[1], out[2], out[3] = uint8(px[0]>>8), uint8(px[1]>>8), uint8(px[2]>>8), 0xff
	default:
		for c := range 3 {
			out[c] = uint8(uint32(px[c]) * 0xffff / a >> 8)
		}
		out[3] = uint8(a >> 8)
	}
}

// filterTaps returns, for each of dstN output positions along one axis,
// the taps over srcN source positions. Positions are pixel centres; the
// kernel is stretched by the scale when shrinking, and taps that fall off
// the edge are folded onto the edge pixel.
func filterTaps(srcN, dstN int) []taps {
	scale := float64(srcN) / float64(dstN)
	width := math.Max(scale, 1)
	support := 2 * width
	out := make([]taps, dstN)
	for d := range out {
		center := float64(float64(float64(d)+0.5)*scale) - 0.5
		lo, hi := int(math.Ceil(center-support)), int(math.Floor(center+support))
		start, end := max(lo, 0), min(hi, srcN-1)
		raw := make([]float64, end-start+1)
		var sum float64
		for i := lo; i <= hi; i++ {
			k := catmullRom((float64(i) - center) / width)
			raw[min(max(i, 0), srcN-1)-start] += k
			sum += k
		}
		ws := make([]int64, len(raw))
		var total int64
		big := 0
		for i, k := range raw {
			ws[i] = int64(math.Round(k / sum * (1 << weightBits)))
			total += ws[i]
			if ws[i] > ws[big] {
				big = i
			}
		}
		ws[big] += 1<<weightBits - total // rounding leftovers go to the centre
		out[d] = taps{start: start, weights: ws}
	}
	return out
}

// catmullRom is the Catmull-Rom cubic (B=0, C=½ in Mitchell and
// Netravali's family). Each product is converted explicitly: the Go
// specification lets a compiler fuse x*y+z into one instruction, which
// rounds differently, except across an explicit conversion.
func catmullRom(t float64) float64 {
	t = math.Abs(t)
	t2 := float64(t * t)
	t3 := float64(t2 * t)
	switch {
	case t < 1:
		return float64(1.5*t3) - float64(2.5*t2) + 1
	case t < 2:
		return float64(-0.5*t3) + float64(2.5*t2) - float64(4*t) + 2
	}
	return 0
}
