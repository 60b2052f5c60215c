package signature

import (
	"testing"

	"github.com/pinegen/pinelabs/internal/leafcheck"
)

// TestStandardLibraryOnly keeps the package a leaf: merchants vendor it into
// services that must not pull in the generated client or any third-party
// module just to check a signature.
func TestStandardLibraryOnly(t *testing.T) {
	leafcheck.StandardLibraryOnly(t, ".")
}
