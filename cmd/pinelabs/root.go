package main

import "github.com/spf13/cobra"

// newRootCmd assembles the command tree. Each subcommand lives in its own
// file and is added here, so demo and sandbox can join without touching
// the others.
func newRootCmd(getenv func(string) string) *cobra.Command {
	root := &cobra.Command{
		Use:   "pinelabs",
		Short: "Tools for the Pine Labs Online (Plural) payment API",
		Long: `pinelabs works with the Pine Labs Online (Plural) payment API.

demo runs a payment flow (points, card or bnpl) end to end, against a server
or a sandbox it starts itself, acting as the customer at the challenge page
and verifying the signed callback.

sandbox serves a stateful simulator of the API, with test cards, challenge
pages, signed callbacks and webhooks, and a dashboard.

sign and verify compute and check the HMAC-SHA256 signature Pine Labs puts
on the fields it sends to a merchant's callback_url.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// With Args set, cobra leaves an unknown command name to runRoot
		// instead of quoting it in an error of its own.
		Args:                       cobra.ArbitraryArgs,
		RunE:                       runRoot,
		SuggestionsMinimumDistance: 2,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(flagError)
	root.SetHelpCommand(newHelpCmd())
	root.AddCommand(
		newSignCmd(getenv),
		newVerifyCmd(getenv),
		newDemoCmd(getenv),
		newSandboxCmd(getenv),
		newConformanceCmd(getenv),
	)
	return root
}
