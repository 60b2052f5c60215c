// Command pinelabs is the pinegen command-line tool for the Pine Labs Online
// API; today it signs and verifies payment callback fields.
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
	// Anything else comes from cobra's own parsing (unknown flag or
	// command, missing flag value): a usage mistake. Its text can quote
	// arguments, and a mistyped command line can put the secret where an
	// argument was expected, so it is cut to one line and scrubbed.
	msg, _, _ := strings.Cut(err.Error(), "\n")
	io.WriteString(stderr, "pinelabs: "+redactSecrets(msg, args, getenv)+"\n")
	return exitBadInput
}

// redactSecrets removes from msg anything given as the secret key, whether
// or not cobra got far enough to parse it.
func redactSecrets(msg string, args []string, getenv func(string) string) string {
	secrets := []string{getenv(secretEnv)}
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--secret-key="); ok {
			secrets = append(secrets, v)
		} else if a == "--secret-key" && i+1 < len(args) {
			secrets = append(secrets, args[i+1])
		}
	}
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return msg
}

// exitError carries an exit code out of a command; msg, if any, goes to
// stderr as one line.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func badInput(msg string) error { return &exitError{code: exitBadInput, msg: msg} }
