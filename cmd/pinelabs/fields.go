package main

import (
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pinegen/pinelabs/pkg/signature"
)

// secretEnv lets the key stay out of shell history and process listings.
const secretEnv = "PINELABS_SECRET_KEY"

const fieldsHelp = `Each field is NAME=VALUE, split at the first "=", so a value may itself
contain "=". Values are taken literally: do not URL-encode them. A field
named signature is ignored; payment_status is signed as status.

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
	fs := make(signature.Fields, 0, len(args))
	seen := make(map[string]bool, len(args))
	for i, a := range args {
		name, value, ok := strings.Cut(a, "=")
		switch {
		case !ok:
			return nil, badInput("argument " + strconv.Itoa(i+1) + " is not NAME=VALUE")
		case name == "":
			return nil, badInput("argument " + strconv.Itoa(i+1) + " has an empty name")
		case seen[name]:
			return nil, badInput("field " + strconv.Quote(name) + " given more than once")
		}
		seen[name] = true
		fs = append(fs, signature.Field{Name: name, Value: value})
	}
	return fs, nil
}

// fieldSetError reports the field-set errors the signature package can
// still return (status and payment_status disagreeing) as bad input.
func fieldSetError(err error) error {
	if errors.Is(err, signature.ErrStatusConflict) || errors.Is(err, signature.ErrRepeatedField) ||
		errors.Is(err, signature.ErrEmptyFieldName) || errors.Is(err, signature.ErrInvalidKey) {
		return pkgBadInput(err)
	}
	return nil
}

func pkgBadInput(err error) error {
	return badInput(strings.TrimPrefix(err.Error(), "signature: "))
}
