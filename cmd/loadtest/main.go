// Command loadtest measures the sandbox against Prism's mock of the same
// spec: wrk drives createOrder and getOrder, alternately, at each target on
// loopback, and loadtest prints requests/s and p99 latency for each and the
// sandbox's ratios to Prism.
//
//	make loadtest
//	go run ./cmd/loadtest [-targets memory,store,prism,prism-quiet] [-duration 10s] [-connections 32] …
//
// The targets are the sandbox with its in-memory store ("memory"), the
// sandbox with --store in a new SQLite file ("store"), Prism as "prism mock
// spec/pinelabs.yaml" runs it ("prism", the baseline the targets are
// judged against) and Prism logging warnings only ("prism-quiet": at its
// default level it logs every request, which costs it most of its
// throughput, so its figures are reported too). The create-order body
// carries no callback URLs, so no server has anywhere to call back.
// They run one at a time with the same wrk settings and script
// (orders.lua); each gets a warm-up run first, measured but not reported,
// since Prism runs on a JIT. Every request must be answered 2xx, or the run
// fails: figures for error answers would be worthless.
//
// wrk and the server share the machine's cores, so the figures are for
// this machine as it is, not for the server alone.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The targets, in the order they run and print.
const (
	targetMemory = "memory"
	targetStore  = "store"
	targetPrism  = "prism"
	// targetPrismQuiet is Prism as fast as it goes: logging warnings only
	// (at its default level it logs every request) and serving the spec
	// without its callbacks (see withoutCallbacks). It is reported beside
	// the named baseline, not judged against.
	targetPrismQuiet = "prism-quiet"
)

var allTargets = []string{targetMemory, targetStore, targetPrism, targetPrismQuiet}

var targetNames = map[string]string{
	targetMemory:     "sandbox (memory)",
	targetStore:      "sandbox (--store)",
	targetPrism:      "prism",
	targetPrismQuiet: "prism (quiet)",
}

// prismQuietArgs are what targetPrismQuiet adds to "prism mock".
var prismQuietArgs = []string{"--verboseLevel", "warn"}

func isPrism(target string) bool { return target == targetPrism || target == targetPrismQuiet }

// options are the command's flags.
type options struct {
	targets      []string
	load         load
	warmup       time.Duration
	readyTimeout time.Duration
	prism        []string // the command that runs Prism's CLI
	pinelabs     string   // a pinelabs binary; empty means build one
	spec         string
	example      string
	// wantRatio is the least sandbox/Prism requests/s ratio per sandbox
	// target; zero reports without judging.
	wantRatio map[string]float64
}

func main() {
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadtest: %v\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "loadtest: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := options{wantRatio: map[string]float64{}}
	targets := fs.String("targets", strings.Join(allTargets, ","), "comma-separated targets to run: memory, store, prism, prism-quiet")
	fs.IntVar(&o.load.Threads, "threads", 2, "wrk threads")
	fs.IntVar(&o.load.Connections, "connections", 32, "wrk connections, spread over the threads")
	fs.DurationVar(&o.load.Duration, "duration", 10*time.Second, "measured run per target (whole seconds)")
	fs.DurationVar(&o.load.Timeout, "timeout", 10*time.Second, "wrk's timeout per request; a request that times out fails the run")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "unreported run per target before the measured one; 0 for none")
	fs.DurationVar(&o.readyTimeout, "ready-timeout", 2*time.Minute, "how long a server may take to listen (the first npx run downloads Prism)")
	prism := fs.String("prism", "npx --yes @stoplight/prism-cli@5.14.2", "command that runs Prism's CLI")
	fs.StringVar(&o.pinelabs, "pinelabs", "", "pinelabs binary to run the sandbox with; empty builds ./cmd/pinelabs")
	fs.StringVar(&o.spec, "spec", "spec/pinelabs.yaml", "the spec Prism serves")
	fs.StringVar(&o.example, "body", "spec/examples/createOrder/request.tokenization-004.json", "create-order example the load sends")
	wantMemory := fs.Float64("want-memory", 20, "least sandbox (memory)/prism requests/s ratio; 0 only reports")
	wantStore := fs.Float64("want-store", 5, "least sandbox (--store)/prism requests/s ratio; 0 only reports")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, t := range strings.Split(*targets, ",") {
		t = strings.TrimSpace(t)
		if !slices.Contains(allTargets, t) {
			return o, fmt.Errorf("-targets: unknown target %q (want memory, store, prism or prism-quiet)", t)
		}
		if !slices.Contains(o.targets, t) {
			o.targets = append(o.targets, t)
		}
	}
	slices.SortFunc(o.targets, func(a, b string) int {
		return slices.Index(allTargets, a) - slices.Index(allTargets, b)
	})
	switch {
	case o.load.Threads < 1:
		return o, errors.New("-threads must be at least 1")
	case o.load.Connections < o.load.Threads:
		return o, errors.New("-connections must be at least -threads")
	case o.load.Duration < time.Second:
		return o, errors.New("-duration must be at least 1s")
	case o.load.Timeout <= 0:
		return o, errors.New("-timeout must be positive")
	case o.warmup < 0:
		return o, errors.New("-warmup must not be negative")
	}
	if o.prism = strings.Fields(*prism); len(o.prism) == 0 {
		return o, errors.New("-prism is empty")
	}
	o.wantRatio[targetMemory] = *wantMemory
	o.wantRatio[targetStore] = *wantStore
	return o, nil
}

// result is one target's measured run.
type result struct {
	target string
	wrkResult
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if err := checkWrk(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	example, err := os.ReadFile(o.example)
	if err != nil {
		return err
	}
	body, err := bodyTemplate(example)
	if err != nil {
		return err
	}
	w := workspace{
		dir:      dir,
		runID:    "lt" + randomHex(4),
		bodyFile: filepath.Join(dir, "create-order.json"),
		script:   filepath.Join(dir, "orders.lua"),
		body:     body,
		creds: credentials{
			ClientID:     "loadtest",
			ClientSecret: randomHex(16),
			SecretKey:    randomHex(32),
		},
		opts: o,
		log:  stderr,
	}
	if err := os.WriteFile(w.bodyFile, body, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(w.script, ordersScript, 0o600); err != nil {
		return err
	}
	if slices.Contains(o.targets, targetMemory) || slices.Contains(o.targets, targetStore) {
		if w.pinelabs = o.pinelabs; w.pinelabs == "" {
			w.pinelabs = filepath.Join(dir, "pinelabs")
			fmt.Fprintf(stderr, "loadtest: building ./cmd/pinelabs\n")
			build := exec.CommandContext(ctx, "go", "build", "-o", w.pinelabs, "./cmd/pinelabs")
			build.Stdout, build.Stderr = stderr, stderr
			if err := build.Run(); err != nil {
				return fmt.Errorf("go build ./cmd/pinelabs: %w", err)
			}
		}
	}
	fmt.Fprintf(stdout, "wrk -t%d -c%d -d%s --timeout %s --latency, createOrder and getOrder alternating, after a %s warm-up\n",
		o.load.Threads, o.load.Connections, wrkDuration(o.load.Duration), wrkDuration(o.load.Timeout), o.warmup)
	if slices.Contains(o.targets, targetPrismQuiet) {
		spec, err := os.ReadFile(o.spec)
		if err != nil {
			return err
		}
		if spec, err = withoutCallbacks(spec); err != nil {
			return err
		}
		w.quietSpec = filepath.Join(dir, "pinelabs-without-callbacks.yaml")
		if err := os.WriteFile(w.quietSpec, spec, 0o600); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "prism: %s mock %s; prism (quiet): %s, callbacks removed from the spec\n", strings.Join(o.prism, " "), o.spec, strings.Join(prismQuietArgs, " "))
	fmt.Fprintf(stdout, "%s\n\n", machineLoad())
	var results []result
	for _, t := range o.targets {
		res, err := w.measure(ctx, t)
		if err != nil {
			return fmt.Errorf("%s: %w", targetNames[t], err)
		}
		results = append(results, result{t, res})
	}
	return report(stdout, results, o.wantRatio)
}

// workspace is what every target's run shares.
type workspace struct {
	dir      string
	runID    string
	bodyFile string
	script   string
	body     []byte
	creds    credentials
	pinelabs string
	opts     options
	log      io.Writer
	// quietSpec is the spec without callbacks, for targetPrismQuiet.
	quietSpec string
}

// measure starts the target, prepares it, warms it up, measures it and
// stops it.
func (w *workspace) measure(ctx context.Context, target string) (res wrkResult, err error) {
	fmt.Fprintf(w.log, "loadtest: %s: starting\n", targetNames[target])
	srv, err := w.start(ctx, target)
	if err != nil {
		return res, err
	}
	defer func() {
		stopErr := srv.stop(10 * time.Second)
		// The sandbox promises a clean stop on SIGTERM; npx makes no
		// such promise for Prism.
		if stopErr != nil && !isPrism(target) && err == nil {
			err = srv.failed(fmt.Errorf("did not stop cleanly on SIGTERM: %w", stopErr))
		}
	}()

	runID := w.runID + "-" + target
	p, err := prepare(ctx, srv.baseURL, w.creds, w.body, runID)
	if err != nil {
		return res, srv.failed(err)
	}
	run := wrkRun{
		BaseURL:  srv.baseURL,
		Token:    p.Token,
		OrderID:  p.OrderID,
		BodyFile: w.bodyFile,
		Script:   w.script,
	}
	if w.opts.warmup > 0 {
		fmt.Fprintf(w.log, "loadtest: %s: warming up for %s\n", targetNames[target], w.opts.warmup)
		warm := w.opts.load
		warm.Duration = w.opts.warmup
		run.RunID = runID + "-w"
		if _, err := runWrk(ctx, warm, run); err != nil {
			return res, srv.failed(fmt.Errorf("warm-up: %w", err))
		}
	}
	fmt.Fprintf(w.log, "loadtest: %s: measuring for %s\n", targetNames[target], w.opts.load.Duration)
	run.RunID = runID + "-m"
	if res, err = runWrk(ctx, w.opts.load, run); err != nil {
		return res, srv.failed(err)
	}
	return res, nil
}

// start runs the target's server and waits until it listens.
func (w *workspace) start(ctx context.Context, target string) (*server, error) {
	name := targetNames[target]
	if isPrism(target) {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		spec := w.opts.spec
		if target == targetPrismQuiet {
			spec = w.quietSpec
		}
		args := append(slices.Clone(w.opts.prism[1:]), "mock", spec,
			"-h", "127.0.0.1", "-p", strconv.Itoa(port))
		if target == targetPrismQuiet {
			args = append(args, prismQuietArgs...)
		}
		srv, err := start(name, exec.Command(w.opts.prism[0], args...), w.dir)
		if err != nil {
			return nil, err
		}
		srv.baseURL = "http://127.0.0.1:" + strconv.Itoa(port)
		if err := srv.waitListening(ctx, w.opts.readyTimeout); err != nil {
			srv.stop(5 * time.Second)
			return nil, err
		}
		return srv, nil
	}

	args := []string{"sandbox", "--addr", "127.0.0.1:0",
		"--client-id", w.creds.ClientID,
		"--client-secret", w.creds.ClientSecret,
		"--secret-key", w.creds.SecretKey}
	if target == targetStore {
		args = append(args, "--store", filepath.Join(w.dir, "sandbox-"+w.runID+".db"))
	}
	srv, err := start(name, exec.Command(w.pinelabs, args...), w.dir)
	if err != nil {
		return nil, err
	}
	line, err := srv.firstLine(ctx, w.opts.readyTimeout)
	if err == nil {
		srv.baseURL, err = parseListening(line)
	}
	if err == nil {
		err = srv.waitListening(ctx, w.opts.readyTimeout)
	}
	if err != nil {
		srv.stop(5 * time.Second)
		return nil, err
	}
	return srv, nil
}

// report prints the table of results and each sandbox target's ratios to
// each Prism target. It fails when a ratio to targetPrism, the baseline the
// targets name, misses its target.
func report(out io.Writer, results []result, want map[string]float64) error {
	const row = "%-18s %11s %10s %10s %8s\n"
	fmt.Fprintf(out, row, "target", "requests/s", "p99", "requests", "non-2xx")
	for _, r := range results {
		fmt.Fprintf(out, row, targetNames[r.target], fmt.Sprintf("%.0f", r.RequestsPerSec),
			r.P99, strconv.Itoa(r.Requests), strconv.Itoa(r.Non2xx))
	}
	var missed []string
	for _, base := range results {
		if !isPrism(base.target) || base.RequestsPerSec == 0 || base.P99 == 0 {
			continue
		}
		const ratioRow = "%-18s %11s %10s   %s\n"
		header := false
		for _, r := range results {
			if isPrism(r.target) {
				continue
			}
			if !header {
				fmt.Fprintf(out, "\n"+ratioRow, "sandbox/"+targetNames[base.target], "requests/s", "p99", "target")
				header = true
			}
			ratio := r.RequestsPerSec / base.RequestsPerSec
			verdict := "-"
			if least := want[r.target]; least > 0 && base.target == targetPrism {
				verdict = fmt.Sprintf("requests/s ≥%g×: met", least)
				if ratio < least {
					verdict = fmt.Sprintf("requests/s ≥%g×: MISSED", least)
					missed = append(missed, fmt.Sprintf("%s is %.1f× Prism's requests/s, short of %g×", targetNames[r.target], ratio, least))
				}
			}
			fmt.Fprintf(out, ratioRow, targetNames[r.target], fmt.Sprintf("%.1f×", ratio),
				fmt.Sprintf("%.3f×", float64(r.P99)/float64(base.P99)), verdict)
		}
	}
	if len(missed) > 0 {
		return errors.New(strings.Join(missed, "; "))
	}
	return nil
}

// machineLoad says how busy the machine was when the run began: wrk and
// the server share its cores with everything else running.
func machineLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if err != nil || len(f) < 3 {
		return fmt.Sprintf("%d cores", runtime.NumCPU())
	}
	return fmt.Sprintf("%d cores, load average %s %s %s at the start", runtime.NumCPU(), f[0], f[1], f[2])
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
