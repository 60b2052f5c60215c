package main

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pinegen/pinelabs/internal/conformance"
)

func newConformanceCmd(getenv func(string) string) *cobra.Command {
	kf := &keyFlag{getenv: getenv}
	var o struct {
		baseURL, clientID, clientSecret string
		pointsCard, payLaterMobile      string
		jsonFile                        string
		timeout                         time.Duration
	}
	cmd := &cobra.Command{
		Use:   "conformance --base-url URL --client-id ID --client-secret S --secret-key HEX [--points-card N] [--paylater-mobile M] [--json FILE] [--timeout 5m]",
		Short: "Check a server's answers against the spec, operation by operation",
		Long: `conformance drives every operation of spec/pinelabs.yaml through the SDK
against --base-url, with flows a test account can take, and checks every
response, the signed callback and each order's status changes against the
spec. It creates a customer, two small pre-auth orders (₹2.00, captured and
refunded in two parts; ₹1.00, cancelled) paid with the docs' test card
4012001037141112, which it saves for the customer, pays with again by token
and then deletes. Every reference starts "pinegen-conf-" and the run's ID.
It plays the customer at the challenge only where the server speaks the
challenge protocol; elsewhere the steps that need an authorised order are
listed as skipped.

Progress goes to stderr, one line per operation; the report of findings to
stdout; with --json, the findings as JSON to FILE. On Ctrl-C, and when
--timeout passes, it stops, cancels what it authorised and deletes the card
it saved.

Exit status: 0 when the server agrees with the spec, 1 when there are
findings, 2 when the run could not proceed (bad credentials, a server that
cannot be reached, an operation that failed) or on bad input.`,
		Example: `  pinelabs conformance --base-url https://pluraluat.v2.pinepg.in --client-id ID --client-secret "$SECRET" \
      --secret-key "$KEY" --points-card 4111111111111111 --paylater-mobile 9876543210 --json findings.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return badInput("conformance takes no arguments, only flags")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case o.baseURL == "":
				return badInput("--base-url is required (UAT: https://pluraluat.v2.pinepg.in)")
			case o.clientID == "" || o.clientSecret == "":
				return badInput("--client-id and --client-secret are required")
			case o.timeout <= 0:
				return badInput("--timeout must be positive")
			}
			key, err := kf.key()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
			ctx, cancel := context.WithTimeout(ctx, o.timeout)
			defer cancel()

			res, runErr := conformance.Run(ctx, conformance.Options{
				BaseURL: o.baseURL, ClientID: o.clientID, ClientSecret: o.clientSecret, Key: key,
				PointsCard: o.pointsCard, PayLaterMobile: o.payLaterMobile,
				Progress: cmd.ErrOrStderr(),
			})
			// Whatever the client secret might end up in is scrubbed of it;
			// run scrubs the secret key.
			scrub := func(s string) string {
				if len(o.clientSecret) >= minSecretLen {
					s = replaceFold(s, o.clientSecret, "[redacted]")
				}
				s, _, _ = strings.Cut(s, "\n")
				return s
			}
			if res == nil {
				return &exitError{code: exitBadInput, msg: scrub(runErr.Error())}
			}
			// A run that stopped early has not shown that the server
			// agrees, so it reports only what it found.
			if runErr == nil || len(res.Findings) > 0 {
				if err := conformance.Report(cmd.OutOrStdout(), res.Findings); err != nil {
					return failedRun(scrub("writing the report: " + err.Error()))
				}
			}
			if o.jsonFile != "" {
				if err := writeFindings(o.jsonFile, res.Findings); err != nil {
					return failedRun(scrub("--json: " + err.Error()))
				}
			}
			switch {
			case runErr != nil:
				return failedRun(scrub("the run could not proceed: " + runErr.Error()))
			case len(res.Findings) > 0:
				return &exitError{code: exitInvalid}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.baseURL, "base-url", "", "base URL of the API to check")
	f.StringVar(&o.clientID, "client-id", "", "merchant client ID")
	f.StringVar(&o.clientSecret, "client-secret", "", "merchant client secret")
	kf.register(cmd)
	f.StringVar(&o.pointsCard, "points-card", "", "a card with reward points on the account, for checkPointBalance (skipped without)")
	f.StringVar(&o.payLaterMobile, "paylater-mobile", "", "a mobile registered for Pay Later, for checkBnplEligibility (skipped without)")
	f.StringVar(&o.jsonFile, "json", "", "also write the findings as JSON to this file")
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up (and clean up) after this long")
	return cmd
}

// failedRun is the exit for a run that could not proceed.
func failedRun(msg string) error { return &exitError{code: exitBadInput, msg: msg} }

func writeFindings(name string, findings []conformance.Finding) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := conformance.WriteJSON(f, findings); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
