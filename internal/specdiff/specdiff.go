package specdiff

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// OasdiffModule is the oasdiff release spec-diff runs when OASDIFF is unset.
// It runs from its own module (go run module@version), so it never changes
// the versions the main module builds with.
const OasdiffModule = "github.com/oasdiff/oasdiff@v1.30.0"

// Defaults for Options.
const (
	DefaultSpec = "spec/pinelabs.yaml"
	DefaultAcks = "spec/breaking-changes.yaml"
)

// ErrBreaking is returned when the diff has breaking changes that are not
// acknowledged.
var ErrBreaking = errors.New("breaking changes that are not acknowledged")

// Options configure Run.
type Options struct {
	// Base is the git revision whose spec is the old side of the diff.
	Base string
	// Spec and Acks are paths relative to the top of the work tree;
	// "" means DefaultSpec and DefaultAcks.
	Spec, Acks string
}

// oasdiffCommand is the command that runs oasdiff: the binary named by the
// OASDIFF environment variable, or else go run of OasdiffModule.
func oasdiffCommand() []string {
	if bin := os.Getenv("OASDIFF"); bin != "" {
		// oasdiff runs in a scratch directory, so pin a relative path here.
		if strings.ContainsRune(bin, filepath.Separator) && !filepath.IsAbs(bin) {
			if abs, err := filepath.Abs(bin); err == nil {
				bin = abs
			}
		}
		return []string{bin}
	}
	return []string{"go", "run", OasdiffModule}
}

// Run diffs the spec at opts.Base against the working tree's spec and prints
// the changelog, the acknowledged breaking changes with their reasons and the
// unacknowledged ones to standard output. It returns ErrBreaking when a
// breaking change of level ERR is not acknowledged; any other error means the
// comparison could not be made.
func Run(ctx context.Context, opts Options) error {
	if opts.Spec == "" {
		opts.Spec = DefaultSpec
	}
	if opts.Acks == "" {
		opts.Acks = DefaultAcks
	}
	if opts.Base == "" {
		return errors.New("no base revision given")
	}
	out := os.Stdout
	g := gitRunner{ctx: ctx}

	top, err := g.output("rev-parse", "--show-toplevel")
	if err != nil {
		return fmt.Errorf("not inside a git work tree: %w", err)
	}
	root := strings.TrimSpace(string(top))
	g.dir = root
	specRel := filepath.ToSlash(path.Clean(opts.Spec))

	// Check the acknowledgements first: a bad file is an error whatever the diff.
	var acks []Ack
	switch data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(opts.Acks))); {
	case errors.Is(err, os.ErrNotExist):
		// No file, no acknowledgements.
	case err != nil:
		return err
	default:
		if acks, err = ParseAcks(data); err != nil {
			return fmt.Errorf("%s: %w", opts.Acks, err)
		}
	}

	commit, err := g.output("rev-parse", "--verify", "--quiet", opts.Base+"^{commit}")
	if err != nil {
		return fmt.Errorf("%q is not a commit in this repository", opts.Base)
	}
	rev := strings.TrimSpace(string(commit))
	if _, err := g.output("cat-file", "-e", rev+":"+specRel); err != nil {
		return fmt.Errorf("%s does not exist at %s", specRel, opts.Base)
	}
	workingSpec := filepath.Join(root, filepath.FromSlash(specRel))
	if _, err := os.Stat(workingSpec); err != nil {
		return fmt.Errorf("the working tree has no %s: %w", specRel, err)
	}

	// oasdiff runs in a scratch directory holding the spec's directory as it
	// was at the base revision (so relative $refs resolve as they did then)
	// and a link to the working tree's, which keeps its output short:
	// "base/pinelabs.yaml" and "working/pinelabs.yaml".
	scratch, err := os.MkdirTemp("", "spec-diff-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	specDir, specFile := path.Split(specRel)
	if err := g.extract(rev, strings.TrimSuffix(specDir, "/"), specRel, filepath.Join(scratch, "base")); err != nil {
		return fmt.Errorf("extracting %s at %s: %w", specRel, opts.Base, err)
	}
	if err := os.Symlink(filepath.Join(root, filepath.FromSlash(specDir)), filepath.Join(scratch, "working")); err != nil {
		return err
	}
	oldSpec, newSpec := "base/"+specFile, "working/"+specFile

	short := rev
	if len(short) > 12 {
		short = short[:12]
	}
	fmt.Fprintf(out, "spec-diff: %s at %s (%s, shown as %s) -> working tree (shown as %s)\n\n", specRel, opts.Base, short, oldSpec, newSpec)

	// One oasdiff run gives every change with its level; the changelog, the
	// acknowledged and the unacknowledged breaking changes all come from it.
	changes, err := oasdiffChangelog(ctx, scratch, oldSpec, newSpec)
	if err != nil {
		return err
	}
	acked, unacked, unused := Reconcile(changes, acks)

	fmt.Fprintf(out, "--- changelog (oasdiff changelog)\n")
	writeChangelog(out, changes)

	fmt.Fprintf(out, "\n--- acknowledged breaking changes (%s)\n", opts.Acks)
	if len(acked) == 0 {
		fmt.Fprintf(out, "none in this diff\n")
	}
	for _, c := range acked {
		fmt.Fprintf(out, "%s\n", c)
		for _, a := range acks {
			if a.Matches(c) {
				fmt.Fprintf(out, "    reason: %s\n", a.Reason)
			}
		}
	}
	if len(unused) > 0 {
		fmt.Fprintf(out, "note: %d acknowledgement(s) match no breaking change in this diff (kept for history, or stale):\n", len(unused))
		for _, a := range unused {
			fmt.Fprintf(out, "    %s\n", a)
		}
	}

	fmt.Fprintf(out, "\n--- breaking changes not acknowledged (level error)\n")
	if len(unacked) == 0 {
		fmt.Fprintf(out, "none\n")
		fmt.Fprintf(out, "\nspec-diff: OK, no unacknowledged breaking changes against %s\n", opts.Base)
		return nil
	}
	for _, c := range unacked {
		fmt.Fprintf(out, "%s\n", c)
	}
	fmt.Fprintf(out, "\nspec-diff: FAIL, %d breaking change(s) against %s are not acknowledged.\n", len(unacked), opts.Base)
	fmt.Fprintf(out, "If a break is intended, add it under acknowledged: in %s with a reason:\n", opts.Acks)
	fmt.Fprintf(out, "acknowledged:\n")
	for _, c := range unacked {
		fmt.Fprint(out, c.Stub())
	}
	return ErrBreaking
}

// oasdiffChangelog runs oasdiff changelog once, in dir, and returns its
// changes of every level.
func oasdiffChangelog(ctx context.Context, dir, oldSpec, newSpec string) ([]Change, error) {
	argv := append(oasdiffCommand(), "changelog", oldSpec, newSpec, "--format", "json")
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	report, err := cmd.Output()
	if err != nil {
		// go run turns every failure into exit status 1, so the status says
		// nothing more than that the specs could not be compared.
		return nil, fmt.Errorf("running oasdiff changelog: %w", err)
	}
	var changes []Change
	if err := json.Unmarshal(report, &changes); err != nil {
		return nil, fmt.Errorf("reading oasdiff's JSON changelog: %w", err)
	}
	return changes, nil
}

type gitRunner struct {
	ctx context.Context
	dir string // "" is the current directory
}

func (g gitRunner) command(args ...string) *exec.Cmd {
	cmd := exec.CommandContext(g.ctx, "git", args...)
	cmd.Dir = g.dir
	return cmd
}

func (g gitRunner) output(args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := g.command(args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// extract writes the files under dir at rev into dest, keeping their layout
// below dir. When dir is the top of the repository only the spec is written.
func (g gitRunner) extract(rev, dir, spec, dest string) error {
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	if dir == "" || dir == "." {
		data, err := g.output("show", rev+":"+spec)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dest, path.Base(spec)), data, 0o644)
	}
	var stderr bytes.Buffer
	cmd := g.command("archive", "--format=tar", rev, "--", dir)
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	readErr := untar(pipe, dir+"/", dest)
	_, _ = io.Copy(io.Discard, pipe)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return readErr
}

// untar writes the regular files of a tar stream whose names start with
// prefix into dest, without the prefix.
func untar(r io.Reader, prefix, dest string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name, ok := strings.CutPrefix(h.Name, prefix)
		if !ok || !filepath.IsLocal(filepath.FromSlash(name)) {
			continue
		}
		target := filepath.Join(dest, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}
