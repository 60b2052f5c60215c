package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pinegen/pinelabs/internal/specdiff"
)

// These tests run the command in scratch git repositories with a real
// oasdiff. The command is this test binary: with runMainEnv set, TestMain
// runs main instead of the tests.
const runMainEnv = "SPEC_DIFF_TEST_RUN_MAIN"

var oasdiff struct {
	once sync.Once
	dir  string // temporary; removed by TestMain
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	if oasdiff.dir != "" {
		os.RemoveAll(oasdiff.dir)
	}
	os.Exit(code)
}

// oasdiffBinary is $OASDIFF, or else the pinned release built once for all
// tests.
func oasdiffBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds oasdiff and runs git; skipped with -short")
	}
	oasdiff.once.Do(func() {
		if bin := os.Getenv("OASDIFF"); bin != "" {
			oasdiff.bin, oasdiff.err = filepath.Abs(bin)
			return
		}
		oasdiff.dir, oasdiff.err = os.MkdirTemp("", "spec-diff-oasdiff-")
		if oasdiff.err != nil {
			return
		}
		// go install of module@version builds oasdiff from its own module,
		// leaving this module's requirements alone.
		cmd := exec.Command("go", "install", specdiff.OasdiffModule)
		cmd.Env = append(os.Environ(), "GOBIN="+oasdiff.dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			oasdiff.err = errors.New("go install oasdiff: " + err.Error() + "\n" + string(out))
			return
		}
		oasdiff.bin = filepath.Join(oasdiff.dir, "oasdiff")
	})
	if oasdiff.err != nil {
		t.Fatal(oasdiff.err)
	}
	return oasdiff.bin
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{
		"-c", "user.name=spec-diff test", "-c", "user.email=spec-diff@pinegen.test",
		"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main",
	}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// newRepo commits the fixture as spec/pinelabs.yaml in a scratch repository,
// then writes spec as the working copy and acks, unless "", as
// spec/breaking-changes.yaml.
func newRepo(t *testing.T, fixture, spec []byte, acks string) string {
	t.Helper()
	repo := t.TempDir()
	specPath := filepath.Join(repo, "spec", "pinelabs.yaml")
	if err := os.MkdirAll(filepath.Dir(specPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(specPath, fixture, 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "init", "-q")
	git(t, repo, "add", "spec/pinelabs.yaml")
	git(t, repo, "commit", "-q", "-m", "spec")
	if err := os.WriteFile(specPath, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	if acks != "" {
		if err := os.WriteFile(filepath.Join(repo, "spec", "breaking-changes.yaml"), []byte(acks), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return repo
}

// specDiff runs the command in repo against HEAD with OASDIFF set to
// oasdiffBin and returns its combined output and exit status.
// specDiff runs the command in repo with OASDIFF pointing at a wrapper of
// oasdiffBin that counts its runs, and returns the output, the exit status
// and how many times oasdiff ran.
func specDiff(t *testing.T, repo, oasdiffBin string) (out string, exit, oasdiffRuns int) {
	t.Helper()
	dir := t.TempDir()
	count := filepath.Join(dir, "runs")
	if strings.ContainsRune(count+oasdiffBin, '\'') {
		t.Skip("paths with a single quote do not fit the wrapper script")
	}
	wrapper := filepath.Join(dir, "oasdiff")
	script := "#!/bin/sh\nprintf 'run\\n' >> '" + count + "'\nexec '" + oasdiffBin + "' \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-base", "HEAD")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), runMainEnv+"=1", "OASDIFF="+wrapper)
	raw, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		exit = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running spec-diff: %v", err)
	}
	runs, err := os.ReadFile(count)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(raw), exit, strings.Count(string(runs), "run\n")
}

func readFixture(t *testing.T) []byte {
	t.Helper()
	fixture, err := os.ReadFile(filepath.Join("testdata", "pinelabs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return fixture
}

// edit replaces one exact occurrence of old in the fixture.
func edit(t *testing.T, spec []byte, old, new string) []byte {
	t.Helper()
	if n := bytes.Count(spec, []byte(old)); n != 1 {
		t.Fatalf("fixture has %d occurrences of %q, want 1", n, old)
	}
	return bytes.Replace(spec, []byte(old), []byte(new), 1)
}

// Lines of the fixture the tests edit.
const (
	cancelOp = "  /orders/{order_id}/cancel:\n    put:\n      operationId: cancelOrder\n" +
		"      summary: Cancel an order\n      tags: [orders]\n      parameters:\n" +
		"        - $ref: '#/components/parameters/OrderId'\n      responses:\n" +
		"        '200':\n          description: The cancelled order.\n          content:\n" +
		"            application/json:\n              schema:\n                $ref: '#/components/schemas/Order'\n" +
		"        '404':\n          description: There is no order with that id.\n"
	createRequired = "required: [merchant_order_reference, order_amount]"
	methodsEnum    = "enum: [CARD, UPI, NETBANKING, WALLET]"
	notesField     = "        notes:\n          type: string\n"
)

func TestSpecDiff(t *testing.T) {
	bin := oasdiffBinary(t)
	fixture := readFixture(t)
	removedCancel := edit(t, fixture, cancelOp, "")
	narrowedEnum := edit(t, fixture, methodsEnum, "enum: [CARD, UPI, NETBANKING]")
	both := edit(t, removedCancel, methodsEnum, "enum: [CARD, UPI, NETBANKING]")
	ackCancel := "acknowledged:\n  - method: PUT\n    path: /orders/{order_id}/cancel\n" +
		"    change: api-path-removed-without-deprecation\n    reason: Cancellation moved to the order update call.\n"

	cases := []struct {
		name string
		spec []byte   // the working copy
		acks string   // spec/breaking-changes.yaml; "" means no file
		exit int      // 0 pass, 1 unacknowledged breaking change, 2 error
		want []string // in the output
	}{
		{
			name: "unchanged",
			spec: fixture,
			exit: 0,
			want: []string{"No changes to report", "spec-diff: OK"},
		},
		{
			name: "operation removed",
			spec: removedCancel,
			exit: 1,
			want: []string{"api-path-removed-without-deprecation", "PUT /orders/{order_id}/cancel", "api path removed without deprecation", "spec-diff: FAIL"},
		},
		{
			name: "optional request field made required",
			spec: edit(t, fixture, createRequired, "required: [merchant_order_reference, order_amount, notes]"),
			exit: 1,
			want: []string{"request-property-became-required", "POST /orders", "the request property `notes` became required"},
		},
		{
			name: "request enum narrowed",
			spec: narrowedEnum,
			exit: 1,
			want: []string{"request-property-enum-value-removed", "POST /orders", "removed the enum value `WALLET`"},
		},
		{
			name: "optional request field added",
			spec: edit(t, fixture, notesField, notesField+"        customer_email:\n          type: string\n          format: email\n"),
			exit: 0,
			want: []string{"customer_email", "spec-diff: OK"},
		},
		{
			name: "acknowledged by id with a reason",
			spec: removedCancel,
			acks: "acknowledged:\n  - method: PUT\n    path: /orders/{order_id}/cancel\n" +
				"    change: api-path-removed-without-deprecation\n    reason: Cancellation moved to the order update call.\n",
			exit: 0,
			want: []string{"api-path-removed-without-deprecation", "reason: Cancellation moved to the order update call.", "spec-diff: OK"},
		},
		{
			name: "acknowledged by text with a reason",
			spec: narrowedEnum,
			acks: "acknowledged:\n  - method: POST\n    path: /orders\n" +
				"    change: removed the enum value `WALLET` of the request property `allowed_payment_methods/items/`\n" +
				"    reason: Pine Labs never accepted WALLET here.\n",
			exit: 0,
			want: []string{"request-property-enum-value-removed", "reason: Pine Labs never accepted WALLET here.", "spec-diff: OK"},
		},
		{
			name: "acknowledged without a reason",
			spec: removedCancel,
			acks: "acknowledged:\n  - method: PUT\n    path: /orders/{order_id}/cancel\n" +
				"    change: api-path-removed-without-deprecation\n",
			exit: 2,
			want: []string{"breaking-changes.yaml", "reason is missing", "PUT /orders/{order_id}/cancel"},
		},
		{
			name: "acknowledged and unacknowledged breaking changes",
			spec: both,
			acks: ackCancel,
			exit: 1,
			want: []string{
				"3 changes: 2 error, 0 warning, 1 info", "api-version-not-bumped",
				"reason: Cancellation moved to the order update call.",
				"POST /orders removed the enum value `WALLET`", "spec-diff: FAIL, 1 breaking change(s)",
			},
		},
		{
			name: "acknowledgement for another operation",
			spec: removedCancel,
			acks: "acknowledged:\n  - method: GET\n    path: /orders/{order_id}\n" +
				"    change: api-path-removed-without-deprecation\n    reason: Wrong operation.\n",
			exit: 1,
			want: []string{"api-path-removed-without-deprecation", "PUT /orders/{order_id}/cancel", "match no breaking change", "spec-diff: FAIL"},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, code, runs := specDiff(t, newRepo(t, fixture, tc.spec, tc.acks), bin)
			checkRun(t, out, code, tc.exit, tc.want)
			// One comparison runs oasdiff once; a bad acknowledgement file
			// stops the run before oasdiff or after its one run.
			if runs != 1 && !(tc.exit == 2 && runs == 0) {
				t.Errorf("oasdiff ran %d times, want 1", runs)
			}
			if t.Failed() {
				t.Logf("spec-diff output:\n%s", out)
			}
		})
	}
}

// checkRun compares a spec-diff run's exit status and output with what a case expects.
func checkRun(t *testing.T, out string, code, exit int, want []string) {
	t.Helper()
	if code != exit {
		t.Errorf("spec-diff exited with %d, want %d", code, exit)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output does not contain %q", w)
		}
	}
}
