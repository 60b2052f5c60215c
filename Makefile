# Every target runs from a clean checkout; tools come from the module (go run) or npx.
GO ?= go
BASE ?= HEAD~1

.PHONY: all generate test lint spec-diff bench

all: generate test

generate:
	$(GO) generate ./...

test:
	$(GO) test -race -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Redocly CLI, pinned; the ruleset is in redocly.yaml. Zero errors required.
REDOCLY ?= npx --yes @redocly/cli@2.77.0

lint:
	REDOCLY_TELEMETRY=off $(REDOCLY) lint spec/pinelabs.yaml

# Breaking changes in spec/pinelabs.yaml against BASE (default HEAD~1), minus
# those acknowledged in spec/breaking-changes.yaml. OASDIFF may name an oasdiff
# binary; otherwise the pinned release runs with go run.
spec-diff:
	$(GO) run ./cmd/spec-diff -base '$(BASE)'
