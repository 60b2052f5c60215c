package main

import (
	"io"

	"github.com/spf13/cobra"
)

func newSignCmd(getenv func(string) string) *cobra.Command {
	kf := &keyFlag{getenv: getenv}
	cmd := &cobra.Command{
		Use:   "sign --secret-key HEX NAME=VALUE...",
		Short: "Print the signature of callback fields",
		Long: `sign prints the signature Pine Labs would put on the given callback fields:
64 uppercase hex digits.

` + fieldsHelp,
		Example: `  pinelabs sign --secret-key "$KEY" order_id=v1-123 status=AUTHORIZED`,
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := kf.key()
			if err != nil {
				return err
			}
			fs, err := parseFieldArgs(args)
			if err != nil {
				return err
			}
			sig, err := key.Sign(fs)
			if err != nil {
				return pkgBadInput(err)
			}
			io.WriteString(cmd.OutOrStdout(), sig+"\n")
			return nil
		},
	}
	kf.register(cmd)
	return cmd
}
