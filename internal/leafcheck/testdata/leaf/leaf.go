package leaf

import "strings"

// Unused is here for the external test to refer to.
var Unused = strings.ToUpper
