package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// wrkOutput is what wrk 4.1 prints for a run of orders.lua with --latency.
const wrkOutput = `Running 10s test @ http://127.0.0.1:41234/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   524.51ms  768.97ms   4.41s    86.54%
    Req/Sec    89.84     84.46   363.00     83.61%
  Latency Distribution
     50%  211.33ms
     75%  497.70ms
     90%    1.58s 
     99%    3.61s 
  617 requests in 5.05s, 1.75MB read
Requests/sec:    122.20
Transfer/sec:    354.07KB
loadtest: responses=617 non2xx=0
`

func TestParseWrk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		out     string
		want    wrkResult
		wantErr string
	}{
		{
			name: "seconds",
			out:  wrkOutput,
			want: wrkResult{Requests: 617, RequestsPerSec: 122.20, P99: 3610 * time.Millisecond, Responses: 617},
		},
		{
			name: "microseconds",
			out:  strings.Replace(wrkOutput, "99%    3.61s ", "99%  812.00us", 1),
			want: wrkResult{Requests: 617, RequestsPerSec: 122.20, P99: 812 * time.Microsecond, Responses: 617},
		},
		{
			name: "milliseconds",
			out:  strings.Replace(wrkOutput, "99%    3.61s ", "99%    2.05ms", 1),
			want: wrkResult{Requests: 617, RequestsPerSec: 122.20, P99: 2050 * time.Microsecond, Responses: 617},
		},
		{
			name: "minutes",
			out:  strings.Replace(wrkOutput, "99%    3.61s ", "99%    1.50m", 1),
			want: wrkResult{Requests: 617, RequestsPerSec: 122.20, P99: 90 * time.Second, Responses: 617},
		},
		{
			name: "socket errors and non-2xx",
			out: strings.Replace(wrkOutput, "Requests/sec:",
				"  Socket errors: connect 1, read 2, write 3, timeout 4\n  Non-2xx or 3xx responses: 5\nRequests/sec:", 1) +
				"loadtest: first non-2xx: 422 {\"code\":\"INVALID_REQUEST\"}\n",
			want: wrkResult{Requests: 617, RequestsPerSec: 122.20, P99: 3610 * time.Millisecond, Responses: 617,
				SocketErrors: 10, FirstNon2xx: `422 {"code":"INVALID_REQUEST"}`},
		},
		{
			name:    "no latency distribution",
			out:     strings.Replace(wrkOutput, "     99%    3.61s \n", "", 1),
			wantErr: "no 99% latency",
		},
		{
			name:    "no requests per second",
			out:     strings.Replace(wrkOutput, "Requests/sec:    122.20\n", "", 1),
			wantErr: "no Requests/sec",
		},
		{
			name:    "not our script",
			out:     strings.Replace(wrkOutput, "loadtest: responses=617 non2xx=0\n", "", 1),
			wantErr: "no loadtest: line",
		},
		{
			name:    "latency out of range",
			out:     strings.Replace(wrkOutput, "99%    3.61s ", "99% 99999999999999.00h", 1),
			wantErr: "out of range",
		},
		{name: "empty", out: "", wantErr: "no Requests/sec"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseWrk(tc.out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseWrk error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseWrk: %v", err)
			}
			if got != tc.want {
				t.Errorf("parseWrk =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

func TestParseWrkNon2xx(t *testing.T) {
	t.Parallel()
	out := strings.Replace(wrkOutput, "non2xx=0", "non2xx=3", 1) + "loadtest: first non-2xx: 401 no token\n"
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Non2xx != 3 || r.FirstNon2xx != "401 no token" {
		t.Fatalf("Non2xx, FirstNon2xx = %d, %q; want 3, %q", r.Non2xx, r.FirstNon2xx, "401 no token")
	}
}

func FuzzParseWrk(f *testing.F) {
	f.Add(wrkOutput)
	f.Add("Requests/sec: 1e309\n     99%  1.0h\n  1 requests in 1s\nloadtest: responses=99999999999999999999 non2xx=1\n")
	f.Fuzz(func(t *testing.T, out string) {
		r, err := parseWrk(out)
		if err == nil && r.P99 < 0 {
			t.Errorf("negative p99 %v from %q", r.P99, out)
		}
	})
}

func TestFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    wrkResult
		want string // empty: no failure
	}{
		{"all 2xx", wrkResult{Responses: 10}, ""},
		{"a non-2xx", wrkResult{Responses: 10, Non2xx: 1, FirstNon2xx: "422 bad"}, "1 of 10 responses were not 2xx; the first: 422 bad"},
		{"a timeout", wrkResult{Responses: 10, SocketErrors: 1}, "1 socket errors or timeouts"},
		{"nothing answered", wrkResult{}, "no response arrived"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.r.failure()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("failure() = %v, want nil", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("failure() = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestWrkDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		10 * time.Second:        "10s",
		1500 * time.Millisecond: "2s",
		time.Millisecond:        "1s",
		0:                       "1s",
		2 * time.Minute:         "120s",
	} {
		if got := wrkDuration(d); got != want {
			t.Errorf("wrkDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseListening(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line, want string
		ok         bool
	}{
		{"listening on http://127.0.0.1:43567", "http://127.0.0.1:43567", true},
		{"listening on http://127.0.0.1:43567/", "http://127.0.0.1:43567", true},
		{"listening on http://[::1]:8080", "http://[::1]:8080", true},
		{"listening on 127.0.0.1:43567", "", false},
		{"listening on http://127.0.0.1", "", false},
		{"serving on http://127.0.0.1:1", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, err := parseListening(tc.line)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseListening(%q) = %q, %v; want %q, ok=%v", tc.line, got, err, tc.want, tc.ok)
		}
	}
}

func TestFirstLineWriter(t *testing.T) {
	t.Parallel()
	var all bytes.Buffer
	first := make(chan string, 1)
	w := &firstLineWriter{w: &all, first: first}
	for _, p := range []string{"listen", "ing on http://127.0.0.1:1\r\nnext", " line\nlast\n"} {
		w.Write([]byte(p))
	}
	if got := <-first; got != "listening on http://127.0.0.1:1" {
		t.Errorf("first line = %q", got)
	}
	if want := "listening on http://127.0.0.1:1\r\nnext line\nlast\n"; all.String() != want {
		t.Errorf("written = %q, want %q", all.String(), want)
	}
}

func TestBodyTemplate(t *testing.T) {
	t.Parallel()
	example, err := os.ReadFile("../../spec/examples/createOrder/request.tokenization-004.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := bodyTemplate(example)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(got, []byte(refPlaceholder)); n != 1 {
		t.Fatalf("%d placeholders in %s, want 1", n, got)
	}
	var body, orig map[string]any
	if err := json.Unmarshal(got, &body); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(example, &orig)
	if body["merchant_order_reference"] != refPlaceholder {
		t.Errorf("merchant_order_reference = %v", body["merchant_order_reference"])
	}
	for _, k := range []string{"callback_url", "failure_callback_url"} {
		if _, ok := orig[k]; !ok {
			t.Fatalf("the example has no %s; the test proves nothing", k)
		}
		if u, ok := body[k]; ok {
			t.Errorf("%s = %v; want none, so no server has anywhere to call", k, u)
		}
	}
	for _, k := range []string{"merchant_order_reference", "callback_url", "failure_callback_url"} {
		delete(body, k)
		delete(orig, k)
	}
	a, _ := json.Marshal(body)
	b, _ := json.Marshal(orig)
	if !bytes.Equal(a, b) {
		t.Errorf("bodyTemplate changed more than the reference and callbacks:\n%s\n%s", a, b)
	}
	if _, err := bodyTemplate([]byte(`{"order_amount":{"value":100}}`)); err == nil {
		t.Error("bodyTemplate accepted a body with no merchant_order_reference")
	}
	if _, err := bodyTemplate([]byte(`{,,}`)); err == nil {
		t.Error("bodyTemplate accepted invalid JSON")
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	o, err := parseFlags([]string{"-targets", "prism, memory,prism", "-duration", "3s"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.targets, ",") != "memory,prism" {
		t.Errorf("targets = %v, want [memory prism] in run order", o.targets)
	}
	if o.load.Duration != 3*time.Second || o.load.Threads != 2 || o.load.Connections != 32 {
		t.Errorf("load = %+v", o.load)
	}
	if o.prism[0] != "npx" {
		t.Errorf("prism = %v", o.prism)
	}
	for _, args := range [][]string{
		{"-targets", "disk"},
		{"-threads", "0"},
		{"-threads", "4", "-connections", "2"},
		{"-duration", "500ms"},
		{"-prism", " "},
		{"extra"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
}

func TestReport(t *testing.T) {
	t.Parallel()
	results := []result{
		{targetMemory, wrkResult{RequestsPerSec: 50000, P99: 2 * time.Millisecond, Requests: 500000}},
		{targetStore, wrkResult{RequestsPerSec: 8000, P99: 10 * time.Millisecond, Requests: 80000}},
		{targetPrism, wrkResult{RequestsPerSec: 2000, P99: 40 * time.Millisecond, Requests: 20000}},
		{targetPrismQuiet, wrkResult{RequestsPerSec: 10000, P99: 8 * time.Millisecond, Requests: 100000}},
	}
	var out bytes.Buffer
	err := report(&out, results, map[string]float64{targetMemory: 20, targetStore: 5})
	if err == nil || err.Error() != "sandbox (--store) is 4.0× Prism's requests/s, short of 5×" {
		t.Errorf("report error = %v, want the --store target missed", err)
	}
	for _, want := range []string{
		"sandbox (memory)         50000        2ms     500000        0",
		"sandbox (memory)         25.0×     0.050×   requests/s ≥20×: met",
		"sandbox (--store)         4.0×     0.250×   requests/s ≥5×: MISSED",
		"sandbox/prism (quiet)",
		// Ratios to the quiet Prism are reported, never judged.
		"sandbox (memory)          5.0×     0.250×   -",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := report(&out, results, map[string]float64{targetMemory: 20}); err != nil {
		t.Errorf("report with every target met: %v", err)
	}
	out.Reset()
	if err := report(&out, results[2:], nil); err != nil || strings.Contains(out.String(), "sandbox/") {
		t.Errorf("Prism alone: err = %v, output:\n%s", err, out.String())
	}
}

func TestWithoutCallbacks(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile("../../spec/pinelabs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := withoutCallbacks(spec)
	if err != nil {
		t.Fatal(err)
	}
	var before, after map[string]any
	if err := yaml.Unmarshal(spec, &before); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(got, &after); err != nil {
		t.Fatal(err)
	}
	removed := 0
	for _, item := range before["paths"].(map[string]any) {
		for _, op := range item.(map[string]any) {
			if op, ok := op.(map[string]any); ok {
				if _, ok := op["callbacks"]; ok {
					delete(op, "callbacks")
					removed++
				}
			}
		}
	}
	if removed == 0 {
		t.Fatal("the spec has no callbacks; the test proves nothing")
	}
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	if !bytes.Equal(a, b) {
		t.Error("withoutCallbacks changed more than the callbacks")
	}
	for _, in := range []string{"", "paths: [", "openapi: 3.0.3\n", "- 1\n"} {
		if _, err := withoutCallbacks([]byte(in)); err == nil {
			t.Errorf("withoutCallbacks(%q) succeeded", in)
		}
	}
}
