package webhook

import (
	"testing"

	"github.com/pinegen/pinelabs/internal/leafcheck"
)

// TestStandardLibraryOnly keeps the package a leaf: a merchant's webhook
// endpoint must not pull in the generated client, pkg/signature or any
// third-party module just to check a delivery.
func TestStandardLibraryOnly(t *testing.T) {
	leafcheck.StandardLibraryOnly(t, ".")
}
