package imaging_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"golang.org/x/image/webp"

	"github.com/groundworkhq/groundwork/modules/storage/internal/domain/imaging"
)

// The application wires the WebP decoder in, since this package may not
// import it, and stores the result under its sha256.
func ExampleNormalize() {
	var upload bytes.Buffer
	_ = png.Encode(&upload, image.NewNRGBA(image.Rect(0, 0, 2000, 1000)))

	out, err := imaging.Normalize(&upload, imaging.Options{
		MaxBytes: 5 << 20,
		WebP:     imaging.Codec{DecodeConfigFunc: webp.DecodeConfig, DecodeFunc: webp.Decode},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.ContentType, out.Ext, out.Width, out.Height)
	// Output: image/png png 512 256
}
