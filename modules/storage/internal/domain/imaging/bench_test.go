package imaging_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/groundworkhq/groundwork/modules/storage/internal/domain/imaging"
)

// BenchmarkNormalizePhoto normalizes a 12-megapixel phone photo, the
// common heavy upload.
func BenchmarkNormalizePhoto(b *testing.B) {
	in := orientedJPEG(b, noise(4000, 3000), binary.LittleEndian, 6)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := imaging.Normalize(bytes.NewReader(in), imaging.Options{MaxBytes: 64 << 20}); err != nil {
			b.Fatal(err)
		}
	}
}
