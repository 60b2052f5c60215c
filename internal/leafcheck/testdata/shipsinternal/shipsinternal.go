package shipsinternal

import "github.com/pinegen/pinelabs/internal/sigvectors"

var _ = sigvectors.ReadWebhooks
