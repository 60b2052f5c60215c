package specdiff

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestParseAcks(t *testing.T) {
	good := `
# comment
acknowledged:
  - method: put
    path: /orders/{order_id}/cancel
    change: api-path-removed-without-deprecation
    reason: The endpoint was never live.
  - section: components
    change: removed the schema 'Legacy'
    reason: Unused.
`
	acks, err := ParseAcks([]byte(good))
	if err != nil {
		t.Fatalf("ParseAcks: %v", err)
	}
	if len(acks) != 2 || acks[0].Method != "PUT" || acks[0].Line != 4 || acks[1].Section != "components" {
		t.Fatalf("ParseAcks = %+v", acks)
	}

	for _, empty := range []string{"", "# nothing yet\n", "acknowledged: []\n", "acknowledged:\n"} {
		if acks, err := ParseAcks([]byte(empty)); err != nil || len(acks) != 0 {
			t.Errorf("ParseAcks(%q) = %v, %v; want no entries", empty, acks, err)
		}
	}

	bad := map[string]string{
		"no reason": `acknowledged:
  - {method: POST, path: /orders, change: request-property-became-required}`,
		"blank reason": `acknowledged:
  - {method: POST, path: /orders, change: request-property-became-required, reason: "  "}`,
		"misspelt reason": `acknowledged:
  - {method: POST, path: /orders, change: request-property-became-required, reasn: typo}`,
		"no change":        `acknowledged: [{method: POST, path: /orders, reason: r}]`,
		"no method":        `acknowledged: [{path: /orders, change: x, reason: r}]`,
		"relative path":    `acknowledged: [{method: POST, path: orders, change: x, reason: r}]`,
		"bad section":      `acknowledged: [{section: paths, change: x, reason: r}]`,
		"section and path": `acknowledged: [{section: components, method: GET, path: /x, change: x, reason: r}]`,
		"unknown top key":  `acknowledged: []` + "\nignored: []",
		"not a list":       `acknowledged: {method: GET}`,
		"not yaml":         "acknowledged: [",
	}
	for name, text := range bad {
		if _, err := ParseAcks([]byte(text)); err == nil {
			t.Errorf("%s: ParseAcks accepted %q", name, text)
		} else if name == "no reason" && !strings.Contains(err.Error(), "reason") {
			t.Errorf("%s: error %q does not mention the reason", name, err)
		}
	}
}

func TestReconcile(t *testing.T) {
	removed := Change{ID: "api-path-removed-without-deprecation", Text: "api path removed without deprecation",
		Level: LevelErr, Operation: "PUT", Path: "/orders/{order_id}/cancel", Section: "paths"}
	enumA := Change{ID: "request-property-enum-value-removed", Text: "removed the enum value `A` of the request property `kind`",
		Level: LevelErr, Operation: "POST", Path: "/orders", Section: "paths"}
	enumB := enumA
	enumB.Text = "removed the enum value `B` of the request property `kind`"
	warn := Change{ID: "response-property-became-optional", Text: "w", Level: LevelWarn, Operation: "GET", Path: "/orders", Section: "paths"}
	schema := Change{ID: "api-schema-removed", Text: "removed the schema `Old`", Level: LevelErr, Section: "components"}
	changes := []Change{removed, enumA, enumB, warn, schema}

	acks := []Ack{
		{Method: "PUT", Path: "/orders/{order_id}/cancel", Change: "api-path-removed-without-deprecation", Reason: "r"},
		// By text, with different case and spacing: covers enumA only.
		{Method: "POST", Path: "/orders", Change: "Removed the enum value `A`   of the request property `kind`", Reason: "r"},
		{Section: "components", Change: "api-schema-removed", Reason: "r"},
		{Method: "GET", Path: "/nothing", Change: "api-path-removed-without-deprecation", Reason: "r"},
	}
	acked, unacked, unused := Reconcile(changes, acks)
	if len(acked) != 3 || acked[0] != removed || acked[1] != enumA || acked[2] != schema {
		t.Errorf("acked = %v", acked)
	}
	if len(unacked) != 1 || unacked[0] != enumB {
		t.Errorf("unacked = %v; want only the second enum value", unacked)
	}
	if len(unused) != 1 || unused[0].Path != "/nothing" {
		t.Errorf("unused = %v", unused)
	}

	// The ignore lines follow oasdiff's rules: method and path then text, or
	// the section keyword then text.
	want := "PUT /orders/{order_id}/cancel api path removed without deprecation\n" +
		"POST /orders removed the enum value `A` of the request property `kind`\n" +
		"components removed the schema `Old`\n"
	if got := string(IgnoreFile(acked)); got != want {
		t.Errorf("IgnoreFile =\n%s\nwant\n%s", got, want)
	}

	// A stub printed for a failure parses back, once given a reason.
	stub := strings.Replace(enumB.Stub(), `reason: ""`, "reason: because", 1)
	back, err := ParseAcks([]byte("acknowledged:\n" + stub))
	if err != nil || len(back) != 1 || !back[0].Matches(enumB) {
		t.Errorf("stub %q parsed to %v, %v", stub, back, err)
	}
	if _, err := ParseAcks([]byte("acknowledged:\n" + enumB.Stub())); err == nil {
		t.Errorf("a stub without a reason was accepted")
	}
}

// The end-to-end test runs the spec-diff command in a scratch git repository
// with a real oasdiff, built once for all cases.

var tools struct {
	once              sync.Once
	dir               string
	specDiff, oasdiff string
	err               error
}

func buildTools(t *testing.T) (specDiff, oasdiff string) {
	t.Helper()
	tools.once.Do(func() {
		tools.dir, tools.err = os.MkdirTemp("", "specdiff-tools-")
		if tools.err != nil {
			return
		}
		tools.specDiff = filepath.Join(tools.dir, "spec-diff")
		out, err := exec.Command("go", "build", "-o", tools.specDiff, "github.com/pinegen/pinelabs/scripts/spec-diff").CombinedOutput()
		if err != nil {
			tools.err = errors.New("go build spec-diff: " + err.Error() + "\n" + string(out))
			return
		}
		if bin := os.Getenv("OASDIFF"); bin != "" {
			tools.oasdiff = bin
			return
		}
		// go install of module@version builds oasdiff from its own module,
		// leaving this module's requirements alone.
		cmd := exec.Command("go", "install", OasdiffModule)
		cmd.Env = append(os.Environ(), "GOBIN="+tools.dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			tools.err = errors.New("go install oasdiff: " + err.Error() + "\n" + string(out))
			return
		}
		tools.oasdiff = filepath.Join(tools.dir, "oasdiff")
	})
	if tools.err != nil {
		t.Fatal(tools.err)
	}
	return tools.specDiff, tools.oasdiff
}

func TestMain(m *testing.M) {
	code := m.Run()
	if tools.dir != "" {
		os.RemoveAll(tools.dir)
	}
	os.Exit(code)
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

// edit replaces one exact occurrence of old in the fixture.
func edit(t *testing.T, spec []byte, old, new string) []byte {
	t.Helper()
	if n := bytes.Count(spec, []byte(old)); n != 1 {
		t.Fatalf("fixture has %d occurrences of %q, want 1", n, old)
	}
	return bytes.Replace(spec, []byte(old), []byte(new), 1)
}

func TestSpecDiffCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds oasdiff and runs git; skipped with -short")
	}
	for _, tool := range []string{"git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	specDiff, oasdiff := buildTools(t)
	fixture, err := os.ReadFile(filepath.Join("testdata", "pinelabs.yaml"))
	if err != nil {
		t.Fatal(err)
	}

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
	removeCancel := func(s []byte) []byte { return edit(t, s, cancelOp, "") }

	cases := []struct {
		name   string
		change func([]byte) []byte
		acks   string   // spec/breaking-changes.yaml; "" means no file
		exit   int      // 0 pass, 1 unacknowledged breaking change, 2 error
		want   []string // in the output
	}{
		{
			name:   "unchanged",
			change: func(s []byte) []byte { return s },
			exit:   0,
			want:   []string{"No changes detected", "spec-diff: OK"},
		},
		{
			name:   "operation removed",
			change: removeCancel,
			exit:   1,
			want:   []string{"api-path-removed-without-deprecation", "PUT /orders/{order_id}/cancel", "api path removed without deprecation", "spec-diff: FAIL"},
		},
		{
			name: "optional request field made required",
			change: func(s []byte) []byte {
				return edit(t, s, createRequired, "required: [merchant_order_reference, order_amount, notes]")
			},
			exit: 1,
			want: []string{"request-property-became-required", "POST /orders", "the request property `notes` became required"},
		},
		{
			name:   "request enum narrowed",
			change: func(s []byte) []byte { return edit(t, s, methodsEnum, "enum: [CARD, UPI, NETBANKING]") },
			exit:   1,
			want:   []string{"request-property-enum-value-removed", "POST /orders", "removed the enum value `WALLET`"},
		},
		{
			name: "optional request field added",
			change: func(s []byte) []byte {
				return edit(t, s, notesField, notesField+"        customer_email:\n          type: string\n          format: email\n")
			},
			exit: 0,
			want: []string{"customer_email", "spec-diff: OK"},
		},
		{
			name:   "acknowledged by id with a reason",
			change: removeCancel,
			acks: "acknowledged:\n  - method: PUT\n    path: /orders/{order_id}/cancel\n" +
				"    change: api-path-removed-without-deprecation\n    reason: Cancellation moved to the order update call.\n",
			exit: 0,
			want: []string{"api-path-removed-without-deprecation", "reason: Cancellation moved to the order update call.", "spec-diff: OK"},
		},
		{
			name:   "acknowledged by text with a reason",
			change: func(s []byte) []byte { return edit(t, s, methodsEnum, "enum: [CARD, UPI, NETBANKING]") },
			acks: "acknowledged:\n  - method: POST\n    path: /orders\n" +
				"    change: removed the enum value `WALLET` of the request property `allowed_payment_methods/items/`\n" +
				"    reason: Pine Labs never accepted WALLET here.\n",
			exit: 0,
			want: []string{"request-property-enum-value-removed", "reason: Pine Labs never accepted WALLET here.", "spec-diff: OK"},
		},
		{
			name:   "acknowledged without a reason",
			change: removeCancel,
			acks: "acknowledged:\n  - method: PUT\n    path: /orders/{order_id}/cancel\n" +
				"    change: api-path-removed-without-deprecation\n",
			exit: 2,
			want: []string{"breaking-changes.yaml", "reason is missing", "PUT /orders/{order_id}/cancel"},
		},
		{
			name:   "acknowledgement for another operation",
			change: removeCancel,
			acks: "acknowledged:\n  - method: GET\n    path: /orders/{order_id}\n" +
				"    change: api-path-removed-without-deprecation\n    reason: Wrong operation.\n",
			exit: 1,
			want: []string{"api-path-removed-without-deprecation", "PUT /orders/{order_id}/cancel", "match no breaking change", "spec-diff: FAIL"},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
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

			if err := os.WriteFile(specPath, tc.change(fixture), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.acks != "" {
				if err := os.WriteFile(filepath.Join(repo, "spec", "breaking-changes.yaml"), []byte(tc.acks), 0o644); err != nil {
					t.Fatal(err)
				}
			}

			cmd := exec.Command(specDiff, "-base", "HEAD")
			cmd.Dir = repo
			cmd.Env = append(os.Environ(), "OASDIFF="+oasdiff)
			out, err := cmd.CombinedOutput()
			code := 0
			if err != nil {
				var exit *exec.ExitError
				if !errors.As(err, &exit) {
					t.Fatalf("running spec-diff: %v", err)
				}
				code = exit.ExitCode()
			}
			if code != tc.exit {
				t.Errorf("spec-diff exited with %d, want %d", code, tc.exit)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output does not contain %q", w)
				}
			}
			if t.Failed() {
				t.Logf("spec-diff output:\n%s", out)
			}
		})
	}
}
