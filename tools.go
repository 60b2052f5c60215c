//go:build tools

// Package tools pins the code generators that go generate runs with go run,
// so every machine builds the same output from the same spec.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
)
