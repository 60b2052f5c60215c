// Package spec holds the hand-maintained OpenAPI document of the Pine Labs
// Online API and the go:generate steps that turn it into gen/.
package spec

import (
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml pinelabs.yaml
//go:generate go run ../cmd/gen -spec pinelabs.yaml -config oapi-codegen.yaml -out ../gen/pinelabs -package pinelabs

// YAML is spec/pinelabs.yaml as checked in.
//
//go:embed pinelabs.yaml
var YAML []byte

// Load parses YAML into a fresh document, for tools that check requests and
// responses against the spec (the generated package deliberately does not
// embed it, so programs using the models do not link an OpenAPI library).
func Load() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(YAML)
	if err != nil {
		return nil, fmt.Errorf("spec/pinelabs.yaml: %w", err)
	}
	return doc, nil
}
