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
