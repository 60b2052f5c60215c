package leaf_test

import "github.com/pinegen/pinelabs/internal/leafcheck/testdata/leaf"

var _ = leaf.Unused
