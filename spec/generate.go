// Package spec holds the hand-maintained OpenAPI document of the Pine Labs
// Online API and the go:generate steps that turn it into gen/.
package spec

import _ "embed"

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml pinelabs.yaml
//go:generate go run ../cmd/gen -spec pinelabs.yaml -out ../gen/pinelabs -package pinelabs

// YAML is spec/pinelabs.yaml as checked in.
//
//go:embed pinelabs.yaml
var YAML []byte
