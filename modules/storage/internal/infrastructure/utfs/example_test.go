package utfs_test

import (
	"fmt"
	"strings"

	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/utfs"
)

// A key the storage makes is its own customId; one too long for
// UploadThing is replaced by its SHA-256.
func ExampleCustomID() {
	fmt.Println(utfs.CustomID("avatars/usr_01abc-0123456789abcdef.png"))
	long := utfs.CustomID("files/org_1/" + strings.Repeat("x", 200) + ".bin")
	fmt.Println(long[:len("sha256-")], len(long))
	// Output:
	// avatars~usr_01abc-0123456789abcdef.png
	// sha256- 71
}
