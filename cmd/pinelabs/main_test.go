package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The tests run the real binary, built once, so exit codes and the split
// between stdout and stderr are checked exactly as a shell sees them.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "pinelabs-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "pinelabs")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	build := exec.Command(goTool, "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building pinelabs:", err)
		return 1
	}
	return m.Run()
}

// Test keys: random, not real merchant secrets. The expected signatures
// come from pkg/signature/testdata/callback-vectors.txt (made with openssl).
const (
	key16   = "276a2bf0d2c0f10db6c1be1a7b461a18"
	key32   = "142a988d36f73a897e223905b301422f814e0dc0592bd4a7b4bf05f98c84fa1a"
	sigDocs = "A2019D1E7FAE08043483D461596C6D1B83205D4F876DD12FAD28C1FE8EDE16E3"
	sigFail = "E425C525A50764477909426B867AC5A155FDEE350A80E8A04256775911E99EAC"
	sigSpec = "BC2BB082A18B42B3026C5F825A8B5772A95E170D9A96DFE8296E6CC41F4EFE5B"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	// A clean environment, so a PINELABS_SECRET_KEY on the developer's
	// machine cannot change the outcome.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running pinelabs: %v", err)
	}
	return result{code, out.String(), errOut.String()}
}

// checkNoSecret fails if any output contains a key given to the command.
func checkNoSecret(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) ||
			strings.Contains(strings.ToLower(r.stdout+r.stderr), strings.ToLower(s)) {
			t.Fatal("output contains the secret key")
		}
	}
}

func oneLine(t *testing.T, s string) {
	t.Helper()
	if strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "\n") {
		t.Fatalf("want exactly one line, got %q", s)
	}
}

func TestSign(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"docs-example", []string{"sign", "--secret-key", key16, "order_id=random_order_id", "status=AUTHORIZED"}, sigDocs},
		{"order-does-not-matter", []string{"sign", "status=AUTHORIZED", "--secret-key=" + key16, "order_id=random_order_id"}, sigDocs},
		{"uppercase-key", []string{"sign", "--secret-key", strings.ToUpper(key16), "order_id=random_order_id", "status=AUTHORIZED"}, sigDocs},
		{"failure", []string{"sign", "--secret-key", key32, "status=FAILED", "order_id=v1-250614-0002-Zq81Lm",
			"error_code=USER_AUTHENTICATION_FAILED", "error_message=Consumer Authentication required"}, sigFail},
		{"values-with-equals", []string{"sign", "--secret-key", key16, "order_id= lead and trail ", "status==x=", "error_message=%zz & %%"}, sigSpec},
		{"signature-field-ignored", []string{"sign", "--secret-key", key16, "order_id=random_order_id", "status=AUTHORIZED", "signature=whatever"}, sigDocs},
		{"payment-status", []string{"sign", "--secret-key", key16, "order_id=random_order_id", "payment_status=AUTHORIZED"}, sigDocs},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, nil, c.args...)
			if r.code != 0 || r.stdout != c.want+"\n" || r.stderr != "" {
				t.Fatalf("got %+v, want %s", r, c.want)
			}
			checkNoSecret(t, r, key16, key32)
		})
	}
}

func TestSignKeyFromEnvironment(t *testing.T) {
	r := runCLI(t, []string{"PINELABS_SECRET_KEY=" + key16}, "sign", "order_id=random_order_id", "status=AUTHORIZED")
	if r.code != 0 || r.stdout != sigDocs+"\n" {
		t.Fatalf("got %+v", r)
	}
	// The flag wins over the environment.
	r = runCLI(t, []string{"PINELABS_SECRET_KEY=zz"}, "sign", "--secret-key", key16, "order_id=random_order_id", "status=AUTHORIZED")
	if r.code != 0 || r.stdout != sigDocs+"\n" {
		t.Fatalf("got %+v", r)
	}
}

func TestVerify(t *testing.T) {
	fields := []string{"order_id=random_order_id", "status=AUTHORIZED"}
	cases := []struct {
		name string
		sig  string
		code int
		out  string
	}{
		{"upper", sigDocs, 0, "valid\n"},
		{"lower", strings.ToLower(sigDocs), 0, "valid\n"},
		{"mismatch", "B" + sigDocs[1:], 1, "invalid: signature does not match the fields\n"},
		{"other-fields", sigFail, 1, "invalid: signature does not match the fields\n"},
		{"short", sigDocs[:63], 1, "invalid: signature is not 64 hex digits\n"},
		{"non-hex", "G" + sigDocs[1:], 1, "invalid: signature is not 64 hex digits\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"verify", "--secret-key", key16, "--signature", c.sig}, fields...)
			r := runCLI(t, nil, args...)
			if r.code != c.code || r.stdout != c.out || r.stderr != "" {
				t.Fatalf("got %+v, want %d %q", r, c.code, c.out)
			}
			oneLine(t, r.stdout)
			checkNoSecret(t, r, key16)
		})
	}
	t.Run("tampered-value", func(t *testing.T) {
		r := runCLI(t, nil, "verify", "--secret-key", key16, "--signature", sigDocs, "order_id=random_order_id", "status=AUTHORIZEd")
		if r.code != 1 {
			t.Fatalf("got %+v", r)
		}
	})
}

func TestBadInput(t *testing.T) {
	// Secrets made of digits that are easy to spot if echoed.
	oddKey := "c0ffeec0ffeec0ffeec0ffeec0ffee1"
	nonHexKey := "c0ffeec0ffeec0ffeec0ffeec0ffeeZZ"
	cases := []struct {
		name    string
		env     []string
		args    []string
		wantErr string
	}{
		{"odd-key", nil, []string{"sign", "--secret-key", oddKey, "order_id=1"}, "odd number of hex digits"},
		{"non-hex-key", nil, []string{"verify", "--secret-key", nonHexKey, "--signature", sigDocs, "order_id=1"}, "non-hex character"},
		{"non-hex-key-env", []string{"PINELABS_SECRET_KEY=" + nonHexKey}, []string{"sign", "order_id=1"}, "non-hex character"},
		{"missing-key", nil, []string{"sign", "order_id=1"}, "--secret-key is required"},
		{"missing-signature", nil, []string{"verify", "--secret-key", key16, "order_id=1"}, "--signature is required"},
		{"empty-signature", nil, []string{"verify", "--secret-key", key16, "--signature", "", "order_id=1"}, "--signature is required"},
		{"flag-without-value", nil, []string{"sign", "order_id=1", "--secret-key"}, "flag needs an argument"},
		{"no-fields", nil, []string{"sign", "--secret-key", key16}, "no fields given"},
		{"no-equals", nil, []string{"sign", "--secret-key", key16, "order_id=1", "status"}, "argument 2 is not NAME=VALUE"},
		{"empty-name", nil, []string{"sign", "--secret-key", key16, "=1"}, "empty name"},
		{"repeated", nil, []string{"verify", "--secret-key", key16, "--signature", sigDocs, "status=A", "order_id=1", "status=A"}, "arguments 1 and 3 both give the same field"},
		{"status-conflict", nil, []string{"sign", "--secret-key", key16, "status=A", "payment_status=B"}, "status and payment_status differ"},
		{"unknown-flag", nil, []string{"sign", "--secret-key", key16, "--sekret", "x", "a=1"}, "unknown flag --sekret"},
		{"unknown-command", nil, []string{"sigh", "--secret-key", key16}, "unknown command"},
		{"secret-as-command", nil, []string{"--secret-key", oddKey}, "unknown flag"},
		{"secret-in-shorthand", nil, []string{"sign", "-s" + oddKey, "a=1", "--secret-key", oddKey}, "unknown shorthand flag"},
		{"key-as-ambiguous-field-name", nil, []string{"sign", "--secret-key", key16, key16 + "=a&zzz=1"}, `ambiguous: value of field "[redacted]"`},
		{"key-as-ambiguous-field-name-env", []string{"PINELABS_SECRET_KEY=" + key16}, []string{"sign", key16 + "=a&zzz=1"}, `ambiguous: value of field "[redacted]"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, c.env, c.args...)
			if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, c.wantErr) || !strings.HasPrefix(r.stderr, "pinelabs: ") {
				t.Fatalf("got %+v, want exit 2 with %q", r, c.wantErr)
			}
			oneLine(t, r.stderr)
			checkNoSecret(t, r, oddKey, nonHexKey, key16)
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"sign", "--help"}, {"verify", "--help"}, {"help", "verify"}} {
		r := runCLI(t, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
			t.Fatalf("%v: got %+v", args, r)
		}
	}
}

// redact hides every spelling of secret in s (any case), so a failing test
// can show what was printed without printing the key itself.
func redact(s, secret string) string { return replaceFold(s, secret, "[KEY]") }

// swapCase turns lowercase hex letters to uppercase and back.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case 'A' <= r && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// TestSecretKeyNeverPrinted makes the usual mistakes of typing a command
// line with the key in it and checks that neither stream shows the key, in
// any case. Each case runs with the key as given and in uppercase.
func TestSecretKeyNeverPrinted(t *testing.T) {
	fields := []string{"order_id=v1-O1", "status=AUTHORIZED"}
	with := func(args ...string) []string { return append(args, fields...) }
	cases := []struct {
		name string
		env  bool // also set PINELABS_SECRET_KEY to the key
		args func(key string) []string
		code int
	}{
		{"flag-and-key-as-one-argument", false, func(k string) []string { return with("sign", "--secret-key "+k) }, 2},
		{"flag-and-key-joined-by-tab", false, func(k string) []string { return with("sign", "--secret-key\t"+k) }, 2},
		{"flag-and-key-joined-by-colon", false, func(k string) []string { return with("sign", "--secret-key:"+k) }, 2},
		{"misspelt-flag-then-key", false, func(k string) []string { return with("sign", "--secret-kye", k) }, 2},
		{"misspelt-flag-equals-key", false, func(k string) []string { return with("sign", "--secretkey="+k) }, 2},
		{"underscore-flag-equals-key", false, func(k string) []string { return with("verify", "--secret_key="+k, "--signature", sigDocs) }, 2},
		{"capitalised-flag-then-key", false, func(k string) []string { return with("sign", "--Secret-Key", k) }, 2},
		{"single-dash-flag-then-key", false, func(k string) []string { return with("sign", "-secret-key", k) }, 2},
		{"single-dash-flag-equals-key", false, func(k string) []string { return with("sign", "-secret-key="+k) }, 2},
		{"shorthand-glued-to-key", false, func(k string) []string { return with("sign", "-s"+k) }, 2},
		{"key-as-flag-name", false, func(k string) []string { return with("sign", "--"+k) }, 2},
		{"key-as-value-of-unknown-flag", false, func(k string) []string { return with("sign", "--key="+k) }, 2},
		{"key-as-stray-argument", false, func(k string) []string { return with("sign", "--secret-key", k, k) }, 2},
		{"key-as-stray-argument-other-case", false, func(k string) []string { return with("sign", "--secret-key", k, swapCase(k)) }, 2},
		{"key-as-stray-argument-env", true, func(k string) []string { return with("sign", k) }, 2},
		{"key-as-stray-argument-after-dashes", true, func(k string) []string { return with("sign", "--", k) }, 2},
		{"key-as-field-name-twice", false, func(k string) []string { return with("sign", "--secret-key", k, k+"=1", k+"=2") }, 2},
		{"key-as-ambiguous-field-name", false, func(k string) []string { return with("sign", "--secret-key", k, k+"=a&zzz=1") }, 2},
		{"key-as-command", false, func(k string) []string { return with(k, "sign") }, 2},
		{"key-as-command-env", true, func(k string) []string { return []string{k} }, 2},
		{"key-after-unknown-command", false, func(k string) []string { return with("sigh", "--secret-key", k) }, 2},
		{"key-as-help-topic", false, func(k string) []string { return []string{"help", k} }, 2},
		{"key-with-trailing-text", false, func(k string) []string { return with("sign", "--secret-key="+k+" extra") }, 2},
		{"flag-needs-value-after-key", false, func(k string) []string { return append(with("verify", "--secret-key="+k), "--signature") }, 2},
		{"key-as-signature", false, func(k string) []string { return with("verify", "--secret-key", k, "--signature", k) }, 1},
		{"key-as-signature-other-case", false, func(k string) []string { return with("verify", "--secret-key", k, "--signature", swapCase(k)) }, 1},
		{"empty-flag-then-key", false, func(k string) []string { return with("sign", "--secret-key=", "--secret-key="+k, "order_id") }, 2},
		{"plural-flag-then-key", false, func(k string) []string { return with("sign", "--secret-keys", k) }, 2},
		{"flag-with-colon-alone-then-key", false, func(k string) []string { return with("sign", "--secret-key:", k) }, 2},
		{"key-between-separators", false, func(k string) []string { return with("sign", "--secret-key=:"+k+": ") }, 2},
		{"valid-sign", false, func(k string) []string { return with("sign", "--secret-key", k) }, 0},
	}
	for _, c := range cases {
		for _, form := range []struct{ name, key string }{{"lower", key32}, {"upper", strings.ToUpper(key32)}} {
			t.Run(c.name+"/"+form.name, func(t *testing.T) {
				var env []string
				if c.env {
					env = []string{"PINELABS_SECRET_KEY=" + form.key}
				}
				r := runCLI(t, env, c.args(form.key)...)
				out := r.stdout + r.stderr
				if strings.Contains(strings.ToLower(out), key32) {
					t.Fatalf("output shows the key: %q", redact(out, key32))
				}
				if r.code != c.code {
					t.Fatalf("exit %d, want %d; output %q", r.code, c.code, redact(out, key32))
				}
				if c.code == 2 && (r.stdout != "" || !strings.HasPrefix(r.stderr, "pinelabs: ")) {
					t.Fatalf("want one message on stderr, got %q", redact(out, key32))
				}
			})
		}
	}
}

// TestUsageMistakesNameTheProblem: the messages that replace cobra's and
// pflag's still say what went wrong, naming the flag or command when it is
// plainly a word.
func TestUsageMistakesNameTheProblem(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown-flag", []string{"sign", "--sekret", "x", "a=1"}, `unknown flag --sekret`},
		{"flag-and-value-as-one-argument", []string{"sign", "--secret-key " + key16, "a=1"}, `"--secret-key VALUE" or "--secret-key=VALUE"`},
		{"flag-and-value-joined-by-colon", []string{"sign", "--secret-key:" + key16, "a=1"}, `"--secret-key VALUE" or "--secret-key=VALUE"`},
		{"unknown-flag-not-a-word", []string{"sign", "--" + key16, "a=1"}, `unknown flag`},
		{"unknown-shorthand", []string{"sign", "-x", "a=1"}, `unknown shorthand flag -x`},
		{"flag-needs-value", []string{"sign", "a=1", "--secret-key"}, `flag needs an argument: --secret-key`},
		{"bad-flag-syntax", []string{"sign", "--=x", "a=1"}, `bad flag syntax`},
		{"unknown-command", []string{"sigh"}, `unknown command "sigh"`},
		{"unknown-command-suggestion", []string{"sigh"}, `did you mean "sign"?`},
		{"unknown-command-not-a-word", []string{key16}, `unknown command;`},
		{"unknown-help-topic", []string{"help", "sigh"}, `unknown help topic`},
		{"repeated-field", []string{"sign", "--secret-key", key16, "a=1", "b=2", "a=3"}, `arguments 1 and 3 both give the same field`},
		{"ambiguous-field", []string{"sign", "--secret-key", key16, "order_id=v1-O1&status=AUTHORIZED"}, `ambiguous: value of field "order_id"`},
		{"ambiguous-field-name-not-shown", []string{"sign", "--secret-key", key16, "Order=v1-O1&status=AUTHORIZED"}, `ambiguous: value of field (name not shown)`},
		{"only-signature", []string{"sign", "--secret-key", key16, "signature=x"}, `no fields to sign`},
		{"invalid-utf8", []string{"sign", "--secret-key", key16, "order_id=\xff"}, `not valid UTF-8: value of field "order_id"`},
		{"invalid-utf8-verify", []string{"verify", "--secret-key", key16, "--signature", sigDocs, "udf_1=\xff"}, `not valid UTF-8: value of field "udf_1"`},
		// Words that only start like the key flag, and separators around
		// it, are not taken for the key and cut out of the message.
		{"flag-with-extra-letter", []string{"sign", "--secret-keys", key16, "a=1"}, `unknown flag --secret-keys`},
		{"empty-key-then-key", []string{"sign", "--secret-key=", "--secret-key=" + key16, "order_id"}, `argument 1 is not NAME=VALUE`},
		{"flag-with-colon-alone", []string{"sign", "--secret-key:", "a=1"}, `unknown flag: an argument starts with "--secret-key" but is not`},
		{"short-key", []string{"sign", "--secret-key", "x", "a=1"}, `odd number of hex digits (1)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, nil, c.args...)
			if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("got exit %d, stderr %q; want exit 2 and %q", r.code, redact(r.stderr, key16), c.want)
			}
			oneLine(t, r.stderr)
			checkNoSecret(t, r, key16)
		})
	}
	t.Run("short-key-in-environment", func(t *testing.T) {
		r := runCLI(t, []string{"PINELABS_SECRET_KEY=e"}, "sign", "a=1")
		if r.code != 2 || !strings.Contains(r.stderr, "odd number of hex digits (1)") {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("help-topic-still-works", func(t *testing.T) {
		r := runCLI(t, nil, "help", "sign")
		if r.code != 0 || !strings.Contains(r.stdout, "sign prints the signature") {
			t.Fatalf("got %+v", r)
		}
	})
}
