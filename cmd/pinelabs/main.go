// Command pinelabs is the pinegen command-line tool for the Pine Labs Online
// API: it runs payment flows end to end (demo), serves a stateful sandbox of
// the API (sandbox), and signs and verifies callback fields.
package main

import (
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// Exit codes. verify needs three outcomes so scripts can tell a bad
// signature from a mistake in how the command was called.
const (
	exitOK       = 0
	exitInvalid  = 1
	exitBadInput = 2
)

// run is main without the process: the arguments, output streams and
// environment are passed in.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	root := newRootCmd(getenv)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	if ee, ok := err.(*exitError); ok {
		if ee.msg != "" {
			io.WriteString(stderr, "pinelabs: "+redactSecrets(ee.msg, args, getenv)+"\n")
		}
		return ee.code
	}
	// Anything else is a command's own error; cobra's usage errors have
	// all been turned into exitErrors (see usage.go). It is cut to one
	// line and scrubbed all the same.
	msg, _, _ := strings.Cut(err.Error(), "\n")
	io.WriteString(stderr, "pinelabs: "+redactSecrets(msg, args, getenv)+"\n")
	return exitBadInput
}

// redactSecrets removes from msg, in any letter case, anything given as the
// secret key, whether or not cobra got far enough to parse it. The
// messages are built not to contain the key in the first place; this is
// the second line of defence.
//
// A candidate (the environment variable, or what follows "--secret-key")
// is taken for the key once the separators a mistyped flag leaves around
// it ("=KEY", ":KEY", " KEY") are trimmed off, and only if what is left is
// long enough to be a key: redacting a stray "=" or "s" would cut pieces
// out of the message, such as the "=" of "NAME=VALUE".
func redactSecrets(msg string, args []string, getenv func(string) string) string {
	candidates := []string{getenv(secretEnv)}
	for i, a := range args {
		rest, ok := strings.CutPrefix(a, "--secret-key")
		switch {
		case !ok:
		case rest == "" && i+1 < len(args):
			candidates = append(candidates, args[i+1])
		default:
			candidates = append(candidates, rest)
		}
	}
	for _, c := range candidates {
		if s := strings.Trim(c, " \t=:"); len(s) >= minSecretLen {
			msg = replaceFold(msg, s, "[redacted]")
		}
	}
	return msg
}

// minSecretLen is the shortest text redactSecrets takes for a key. Merchant
// keys run to dozens of hex digits; a shorter candidate is a typo, and
// ParseKey's message about it is more use whole.
const minSecretLen = 8

// replaceFold is strings.ReplaceAll with old matched in any letter case.
func replaceFold(s, old, repl string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if len(s)-i >= len(old) && strings.EqualFold(s[i:i+len(old)], old) {
			b.WriteString(repl)
			i += len(old)
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// exitError carries an exit code out of a command; msg, if any, goes to
// stderr as one line.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func badInput(msg string) error { return &exitError{code: exitBadInput, msg: msg} }
