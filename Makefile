# Every target runs from a clean checkout; tools come from the module (go run) or npx.
GO ?= go
BASE ?= HEAD~1

.PHONY: all demo generate test lint spec-diff bench loadtest sandbox

all: generate test

# The Pay by Points flow end to end against a sandbox started in-process;
# FLOW=card or FLOW=bnpl for the others.
FLOW ?= points

demo:
	$(GO) run ./cmd/pinelabs demo --flow $(FLOW)

# A sandbox on ADDR with throwaway credentials, its dashboard at /; Ctrl-C
# stops it. STORE=file.db keeps its state across restarts.
ADDR ?= 127.0.0.1:8080
SANDBOX_KEY ?= 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

sandbox:
	$(GO) run ./cmd/pinelabs sandbox --addr $(ADDR) --client-id sandbox --client-secret sandbox-secret \
		--secret-key $(SANDBOX_KEY) $(if $(STORE),--store $(STORE))

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

# wrk against the sandbox (in memory, then with --store) and Prism's mock of
# the spec, one after another on loopback; prints requests/s, p99 and the
# sandbox/Prism ratios. Not part of test: it takes a minute or more.
# LOADTEST_FLAGS go to cmd/loadtest (go run ./cmd/loadtest -h lists them).
PRISM ?= npx --yes @stoplight/prism-cli@5.14.2

loadtest:
	command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
	$(GO) run ./cmd/loadtest -prism '$(PRISM)' $(LOADTEST_FLAGS)
