package main

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pinegen/pinelabs/pkg/signature"
)

// secretEnv lets the key stay out of shell history and process listings.
const secretEnv = "PINELABS_SECRET_KEY"

const fieldsHelp = `Each field is NAME=VALUE, split at the first "=", so a value may itself
contain "=". Values are taken literally: do not URL-encode them. A field
named signature is ignored; payment_status is signed as status. Field sets
whose signed string could be read another way are refused: a name with "&"
or "=", or a value holding "&NAME=" where NAME sorts after its own field.

The secret key is the merchant's hex secret, from --secret-key or else the
` + secretEnv + ` environment variable.`

// keyFlag is the --secret-key flag shared by sign and verify.
type keyFlag struct {
	hex    string
	getenv func(string) string
}

func (k *keyFlag) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&k.hex, "secret-key", "", "merchant secret key, in hex (default $"+secretEnv+")")
}

func (k *keyFlag) key() (signature.Key, error) {
	h := k.hex
	if h == "" {
		h = k.getenv(secretEnv)
	}
	if h == "" {
		return signature.Key{}, badInput("--secret-key is required (or set " + secretEnv + ")")
	}
	key, err := signature.ParseKey(h)
	if err != nil {
		// ParseKey's text names the problem and never the key itself.
		return signature.Key{}, pkgBadInput(err)
	}
	return key, nil
}

// parseFieldArgs turns NAME=VALUE arguments into fields. A repeated name is
// refused here, before signing, so the message can say which argument.
func parseFieldArgs(args []string) (signature.Fields, error) {
	if len(args) == 0 {
		return nil, badInput("no fields given; pass NAME=VALUE arguments")
	}
	// Arguments are named by position, never by content: a mistyped
	// command line can put the secret key where a field was expected.
	fs := make(signature.Fields, 0, len(args))
	seen := make(map[string]int, len(args))
	for i, a := range args {
		name, value, ok := strings.Cut(a, "=")
		n := strconv.Itoa(i + 1)
		switch {
		case !ok:
			return nil, badInput("argument " + n + " is not NAME=VALUE")
		case name == "":
			return nil, badInput("argument " + n + " has an empty name")
		case seen[name] > 0:
			return nil, badInput("arguments " + strconv.Itoa(seen[name]) + " and " + n + " both give the same field")
		}
		seen[name] = i + 1
		fs = append(fs, signature.Field{Name: name, Value: value})
	}
	return fs, nil
}

// pkgBadInput reports an error of the signature package as bad input. Its
// text names no key, signature or value, and a field name only when it is
// plainly one, so it is printed as it stands.
func pkgBadInput(err error) error {
	return badInput(strings.TrimPrefix(err.Error(), "signature: "))
}
