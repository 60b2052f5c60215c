package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/pinegen/pinelabs/pkg/signature"
)

func newVerifyCmd(getenv func(string) string) *cobra.Command {
	kf := &keyFlag{getenv: getenv}
	var sig string
	cmd := &cobra.Command{
		Use:   "verify --secret-key HEX --signature SIG NAME=VALUE...",
		Short: "Check a callback's signature",
		Long: `verify checks SIG (64 hex digits, either case) against the callback fields.

It prints "valid" and exits 0, or prints "invalid: REASON" and exits 1; a
signature that is not 64 hex digits counts as invalid. Mistakes in the
command itself (missing flag, bad key, an argument that is not NAME=VALUE, a
repeated field, a field set that cannot be signed) exit 2 with a message on
stderr.

` + fieldsHelp,
		Example: `  pinelabs verify --secret-key "$KEY" --signature 4F2A... order_id=v1-123 status=AUTHORIZED`,
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := kf.key()
			if err != nil {
				return err
			}
			if sig == "" {
				return badInput("--signature is required")
			}
			fs, err := parseFieldArgs(args)
			if err != nil {
				return err
			}
			err = key.Verify(fs, sig)
			out := cmd.OutOrStdout()
			switch {
			case err == nil:
				io.WriteString(out, "valid\n")
				return nil
			case errors.Is(err, signature.ErrMalformedSignature):
				io.WriteString(out, "invalid: signature is not 64 hex digits\n")
			case errors.Is(err, signature.ErrSignatureMismatch):
				io.WriteString(out, "invalid: signature does not match the fields\n")
			default:
				return pkgBadInput(err)
			}
			return &exitError{code: exitInvalid}
		},
	}
	kf.register(cmd)
	cmd.Flags().StringVar(&sig, "signature", "", "signature to check, 64 hex digits")
	return cmd
}
