package leaf

import (
	"testing"

	"github.com/pinegen/pinelabs/internal/sigvectors"
)

var _ = sigvectors.ReadWebhooks
var _ testing.TB
