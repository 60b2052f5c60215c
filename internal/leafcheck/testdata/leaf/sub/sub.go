// A subdirectory is another package and is not checked with its parent.
package sub

import "github.com/spf13/cobra"

var _ cobra.Command
