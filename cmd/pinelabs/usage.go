package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Mistakes in the command line. cobra and pflag quote the argument they
// could not use, and a mistyped command line puts the secret key in exactly
// that place: "--secret-key KEY" as one argument, "-sKEY", the key where a
// command was expected. So their messages are replaced with ones built
// from names this program defines, or from what was typed only when it is
// plainly a word (see isWord).

// flagError is the FlagErrorFunc of every command.
func flagError(cmd *cobra.Command, err error) error {
	var (
		notExist *pflag.NotExistError
		noValue  *pflag.ValueRequiredError
		badValue *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
	)
	// At the root a word before the bad flag is the first mistake: it
	// was meant as a command ("sigh --secret-key KEY").
	if !cmd.HasParent() && len(cmd.Flags().Args()) > 0 {
		return runRoot(cmd, cmd.Flags().Args())
	}
	switch {
	case errors.As(err, &notExist):
		return badInput(unknownFlag(cmd, notExist))
	case errors.As(err, &noValue):
		return badInput("flag needs an argument: --" + noValue.GetFlag().Name)
	case errors.As(err, &badValue):
		return badInput("invalid value for --" + badValue.GetFlag().Name)
	case errors.As(err, &syntax):
		return badInput(`bad flag syntax: an argument starting with "-" has no flag name`)
	}
	return badInput("cannot read the flags; see " + cmd.CommandPath() + " --help")
}

func unknownFlag(cmd *cobra.Command, e *pflag.NotExistError) string {
	name := e.GetSpecifiedName()
	if e.GetSpecifiedShortnames() != "" {
		// name is the one letter that is not a shorthand; what follows it
		// in the argument may be a value.
		if isWord(name) {
			return "unknown shorthand flag -" + name + "; long flags take two dashes"
		}
		return "unknown shorthand flag; long flags take two dashes"
	}
	if isWord(name) {
		return "unknown flag --" + name
	}
	// A known flag run into its value, as in "--secret-key:KEY" or
	// "--secret-key KEY" quoted as one argument.
	known := ""
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if len(name) > len(f.Name) && strings.HasPrefix(name, f.Name) {
			known = f.Name
		}
	})
	if known != "" {
		return `unknown flag: an argument starts with "--` + known + `" but is not "--` + known +
			` VALUE" or "--` + known + `=VALUE"`
	}
	return `unknown flag: an argument starting with "--" is not a flag of ` + cmd.CommandPath()
}

// runRoot stands in for cobra's check of the command name, whose message
// quotes whatever was typed in its place.
func runRoot(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	msg := "unknown command"
	if isWord(args[0]) {
		msg += ` "` + args[0] + `"`
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += ` (did you mean "` + s[0] + `"?)`
		}
	}
	return badInput(msg + `; run "` + cmd.Name() + ` help" for the list`)
}

// newHelpCmd replaces cobra's help command, which prints an unknown topic
// as typed.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(cmd *cobra.Command, args []string) error {
			root := cmd.Root()
			target, rest, err := root.Find(args)
			if err != nil || target == root && len(rest) > 0 {
				return badInput(`unknown help topic; run "` + root.Name() + ` help" for the list`)
			}
			target.InitDefaultHelpFlag()
			return target.Help()
		},
	}
}

// isWord reports whether s is safe to repeat in a message: a few letters
// and hyphens, like a command or flag name. A hex key has digits, and one
// without any would be too long to pass.
func isWord(s string) bool {
	if s == "" || len(s) > 24 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}
