package testimports

import (
	"github.com/pinegen/pinelabs/pkg/signature"
	"github.com/spf13/cobra"
)

var _ signature.Key
var _ cobra.Command
