package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pinegen/pinelabs/pkg/sandbox"
	"github.com/pinegen/pinelabs/pkg/sandbox/sqlitestore"
)

func newSandboxCmd(getenv func(string) string) *cobra.Command {
	kf := &keyFlag{getenv: getenv}
	var o sandboxOptions
	cmd := &cobra.Command{
		Use:   "sandbox --addr HOST:PORT --client-id ID --client-secret S --secret-key HEX [--store FILE]",
		Short: "Serve a stateful simulator of the API",
		Long: `sandbox serves the Pine Labs Online API on --addr, keeping state: orders move
from CREATED through PENDING (the customer's challenge) to AUTHORIZED or
PROCESSED, test cards decline, callbacks are signed with --secret-key and,
with --webhook-url, every change of state is delivered as a signed webhook.
The dashboard at / shows each order's path.

The first line on stdout is "listening on http://HOST:PORT" (with port 0 the
port is chosen). SIGINT or SIGTERM stops it cleanly. With --store, state
lives in that SQLite file and survives a restart; otherwise it is in memory.

The README lists the test cards, points cards and Pay Later mobiles.`,
		Example: `  pinelabs sandbox --addr 127.0.0.1:8080 --client-id demo --client-secret "$SECRET" --secret-key "$KEY" --store sandbox.db`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return badInput("sandbox takes no arguments, only flags")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.addr == "" {
				return badInput("--addr is required (HOST:PORT; port 0 picks a free one)")
			}
			if o.clientID == "" || o.clientSecret == "" {
				return badInput("--client-id and --client-secret are required")
			}
			if (o.webhookURL == "") != (o.webhookSecret == "") {
				return badInput("--webhook-url and --webhook-secret go together")
			}
			key, err := kf.key()
			if err != nil {
				return err
			}
			level, err := parseLogLevel(o.logLevel)
			if err != nil {
				return err
			}
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()

			cfg := sandbox.Config{
				ClientID: o.clientID, ClientSecret: o.clientSecret, SecretKey: key,
				WebhookURL: o.webhookURL, WebhookSecret: o.webhookSecret, Logger: logger,
			}
			if o.store != "" {
				st, err := sqlitestore.Open(o.store)
				if err != nil {
					return badInput(fmt.Sprintf("--store: %v", err))
				}
				cfg.Store = st
			}
			sb, err := sandbox.New(cfg)
			if err != nil {
				if cfg.Store != nil {
					cfg.Store.Close()
				}
				return badInput(err.Error())
			}
			return serveSandbox(ctx, sb, o.addr, cmd.OutOrStdout(), logger)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "", "address to listen on, HOST:PORT (port 0: any free port)")
	f.StringVar(&o.clientID, "client-id", "", "client ID the token call accepts")
	f.StringVar(&o.clientSecret, "client-secret", "", "client secret the token call accepts")
	kf.register(cmd)
	f.StringVar(&o.store, "store", "", "SQLite file to keep state in (default: memory)")
	f.StringVar(&o.webhookURL, "webhook-url", "", "URL to deliver signed webhooks to")
	f.StringVar(&o.webhookSecret, "webhook-secret", "", "webhook signing secret (whsec_ + base64, as the dashboard shows it)")
	f.StringVar(&o.logLevel, "log-level", "info", "log level on stderr: debug, info, warn or error")
	return cmd
}

type sandboxOptions struct {
	addr, clientID, clientSecret, store, webhookURL, webhookSecret, logLevel string
}

// serveSandbox serves sb on addr until ctx ends, then drains requests and
// closes it. The first line written to out is the address.
func serveSandbox(ctx context.Context, sb *sandbox.Sandbox, addr string, out io.Writer, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		sb.Close()
		return badInput(fmt.Sprintf("--addr: %v", err))
	}
	fmt.Fprintf(out, "listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	select {
	case err = <-done:
	case <-ctx.Done():
		logger.Info("sandbox: stopping")
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = srv.Shutdown(shutdown)
	}
	if cerr := sb.Close(); err == nil || errors.Is(err, http.ErrServerClosed) {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}
