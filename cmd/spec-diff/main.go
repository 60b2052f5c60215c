// Command spec-diff compares spec/pinelabs.yaml in the working tree with its
// version at a git revision and fails on breaking changes that are not
// acknowledged in spec/breaking-changes.yaml.
//
//	go run ./cmd/spec-diff [-base REV] [-spec PATH] [-acks PATH]
//	make spec-diff BASE=REV
//
// It runs oasdiff once and prints its changelog, the acknowledged breaking
// changes with their reasons, and the breaking changes nobody acknowledged.
// Set OASDIFF to an oasdiff binary to skip go run of the pinned release.
//
// Exit status: 0 when every breaking change is acknowledged, 1 when some are
// not, 2 when the comparison could not be made (bad arguments, unknown
// revision, an invalid acknowledgement file, oasdiff failing to load a spec).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/pinegen/pinelabs/internal/specdiff"
)

func main() {
	fs := flag.NewFlagSet("spec-diff", flag.ContinueOnError)
	base := fs.String("base", "HEAD~1", "git revision whose spec is the old side of the diff")
	spec := fs.String("spec", specdiff.DefaultSpec, "spec path relative to the top of the work tree")
	acks := fs.String("acks", specdiff.DefaultAcks, "acknowledgement file relative to the top of the work tree")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: spec-diff [-base REV] [-spec PATH] [-acks PATH]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fs.Usage()
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err := specdiff.Run(ctx, specdiff.Options{Base: *base, Spec: *spec, Acks: *acks})
	switch {
	case err == nil:
	case errors.Is(err, specdiff.ErrBreaking):
		os.Exit(1)
	default:
		fmt.Fprintf(os.Stderr, "spec-diff: %v\n", err)
		os.Exit(2)
	}
}
