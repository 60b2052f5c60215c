package main

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ordersScript is the wrk script every target runs.
//
//go:embed orders.lua
var ordersScript []byte

// load is how hard and how long wrk drives a target; every target gets the
// same.
type load struct {
	Threads, Connections int
	Duration, Timeout    time.Duration
}

// wrkRun is what one run of the script needs besides the load.
type wrkRun struct {
	BaseURL  string
	Token    string
	OrderID  string // the order every getOrder reads
	BodyFile string // create-order body with @@REF@@ for the reference
	RunID    string // starts every reference and Request-ID of the run
	Script   string // orders.lua written out, for wrk to read
}

// runWrk runs wrk once and returns its figures. A run in which any request
// failed (a non-2xx answer, a socket error or a timeout) is an error: the
// figures would measure failures, not the API.
func runWrk(ctx context.Context, l load, r wrkRun) (wrkResult, error) {
	args := []string{
		"-t", strconv.Itoa(l.Threads),
		"-c", strconv.Itoa(l.Connections),
		"-d", wrkDuration(l.Duration),
		"--timeout", wrkDuration(l.Timeout),
		"--latency",
		"-s", r.Script,
		r.BaseURL + "/",
		"--", r.Token, r.OrderID, r.BodyFile, r.RunID,
	}
	cmd := exec.CommandContext(ctx, "wrk", args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	res, err := parseWrk(string(out))
	if err != nil {
		return wrkResult{}, fmt.Errorf("%w\nwrk said:\n%s", err, out)
	}
	if err := res.failure(); err != nil {
		return res, err
	}
	return res, nil
}

// wrkDuration writes d in whole seconds (at least one), the unit wrk
// reads without a suffix.
func wrkDuration(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10) + "s"
}

// wrkResult is what a wrk run with --latency and orders.lua reports.
type wrkResult struct {
	Requests       int     // completed requests, as wrk counts them
	RequestsPerSec float64 // wrk's Requests/sec
	P99            time.Duration
	// SocketErrors adds up wrk's connect, read, write and timeout errors.
	SocketErrors int
	// Responses, Non2xx and FirstNon2xx come from orders.lua's done hook.
	Responses   int
	Non2xx      int
	FirstNon2xx string
}

// failure says why the run cannot stand as a measurement, or nil.
func (r wrkResult) failure() error {
	switch {
	case r.Non2xx > 0:
		return fmt.Errorf("%d of %d responses were not 2xx; the first: %s", r.Non2xx, r.Responses, r.FirstNon2xx)
	case r.SocketErrors > 0:
		return fmt.Errorf("%d socket errors or timeouts", r.SocketErrors)
	case r.Responses == 0:
		return errors.New("no response arrived")
	}
	return nil
}

var (
	reqPerSecRe = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)\s*$`)
	p99Re       = regexp.MustCompile(`(?m)^\s+99(?:\.000)?%\s+([0-9.]+)(us|ms|s|m|h)\s*$`)
	requestsRe  = regexp.MustCompile(`(?m)^\s+(\d+) requests in `)
	socketRe    = regexp.MustCompile(`(?m)^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$`)
	scriptRe    = regexp.MustCompile(`(?m)^loadtest: responses=(\d+) non2xx=(\d+)\s*$`)
	firstRe     = regexp.MustCompile(`(?m)^loadtest: first non-2xx: (.*)$`)
)

// wrkUnits are the suffixes wrk prints latencies with.
var wrkUnits = map[string]time.Duration{
	"us": time.Microsecond,
	"ms": time.Millisecond,
	"s":  time.Second,
	"m":  time.Minute,
	"h":  time.Hour,
}

// parseWrk reads the output of wrk --latency running orders.lua.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	m := reqPerSecRe.FindStringSubmatch(out)
	if m == nil {
		return r, errors.New("wrk output has no Requests/sec line")
	}
	var err error
	if r.RequestsPerSec, err = strconv.ParseFloat(m[1], 64); err != nil {
		return r, fmt.Errorf("wrk Requests/sec %q: %w", m[1], err)
	}
	if m = p99Re.FindStringSubmatch(out); m == nil {
		return r, errors.New("wrk output has no 99% latency line (was --latency given?)")
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return r, fmt.Errorf("wrk 99%% latency %q: %w", m[1], err)
	}
	ns := math.Round(v * float64(wrkUnits[m[2]]))
	if ns >= math.MaxInt64 {
		return r, fmt.Errorf("wrk 99%% latency %s%s is out of range", m[1], m[2])
	}
	r.P99 = time.Duration(ns)
	if m = requestsRe.FindStringSubmatch(out); m == nil {
		return r, errors.New("wrk output has no request count")
	}
	r.Requests, _ = strconv.Atoi(m[1]) // \d+ and small enough: the run finished
	if m = socketRe.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.Atoi(s)
			r.SocketErrors += n
		}
	}
	if m = scriptRe.FindStringSubmatch(out); m == nil {
		return r, errors.New("wrk output has no loadtest: line (was orders.lua the script?)")
	}
	r.Responses, _ = strconv.Atoi(m[1])
	r.Non2xx, _ = strconv.Atoi(m[2])
	if m = firstRe.FindStringSubmatch(out); m != nil {
		r.FirstNon2xx = strings.TrimSpace(m[1])
	}
	return r, nil
}

// checkWrk fails early, with the way to get it, when wrk is missing.
func checkWrk() error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed: apt-get install -y wrk (make loadtest does it)")
	}
	return nil
}

// lastLines returns up to n trailing lines of a log file, for error messages.
func lastLines(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
