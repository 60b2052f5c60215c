package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/pkg/sandbox"
	"github.com/pinegen/pinelabs/pkg/signature"
)

const (
	confClientID = "conf-cli"
	confSecret   = "conf-cli-client-secret-9f8e7d"
	confCard     = "4012001037141112" // the card the run pays with
)

// confServer is a sandbox behind wrap on a loopback port that remembers
// every access token it issued, so a test can look for them in the output.
type confServer struct {
	url    string
	mu     sync.Mutex
	tokens []string
	paths  []string
}

func (s *confServer) seen() (tokens, paths []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens...), append([]string(nil), s.paths...)
}

func startConfServer(t *testing.T, wrap func(http.Handler) http.Handler) *confServer {
	t.Helper()
	k, err := signature.ParseKey(key32)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(sandbox.Config{ClientID: confClientID, ClientSecret: confSecret, SecretKey: k})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	s := &confServer{}
	var h http.Handler = sb
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		s.mu.Lock()
		s.paths = append(s.paths, r.Method+" "+r.URL.Path)
		if json.Unmarshal(rec.Body.Bytes(), &tok) == nil && tok.AccessToken != "" {
			s.tokens = append(s.tokens, tok.AccessToken)
		}
		s.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func confArgs(base string, more ...string) []string {
	return append([]string{"conformance", "--base-url", base, "--client-id", confClientID, "--client-secret", confSecret,
		"--secret-key", key32, "--points-card", "4111111111111111", "--paylater-mobile", "9876543210"}, more...)
}

// driftField adds a field the spec does not name to every getOrder answer.
func driftField(next http.Handler) http.Handler {
	getOrder := regexp.MustCompile(`^/api/pay/v1/orders/[^/]+$`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !getOrder.MatchString(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := bytes.Replace(rec.Body.Bytes(), []byte(`{"data":{`), []byte(`{"data":{"x_drift":1,`), 1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

// noPaymentData fails if anything the run was given or issued shows in its
// output or JSON file.
func noPaymentData(t *testing.T, s *confServer, texts ...string) {
	t.Helper()
	tokens, _ := s.seen()
	secrets := append([]string{confCard, confSecret, key32, confCard[:6] + "******" + confCard[12:]}, tokens...)
	for _, text := range texts {
		lower := strings.ToLower(text)
		for _, secret := range secrets {
			if strings.Contains(lower, strings.ToLower(secret)) {
				t.Errorf("the output holds a card number, secret or token (%d characters)", len(secret))
			}
		}
		for _, cvv := range []string{`"cvv":"123"`, `cvv=123`} {
			if strings.Contains(lower, cvv) {
				t.Error("the output holds the CVV")
			}
		}
	}
}

func TestConformanceExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name     string
		wrap     func(http.Handler) http.Handler
		args     func(base string) []string
		code     int
		findings int // -1: no JSON file expected
		stderr   string
	}{
		{"conforming", nil, func(b string) []string { return confArgs(b) }, exitOK, 0, "deleteCustomerToken ok"},
		{"deviating", driftField, func(b string) []string { return confArgs(b) }, exitInvalid, 1, "cancelOrder ok"},
		{"wrong-client-secret", nil, func(b string) []string {
			a := confArgs(b)
			a[6] = "not-the-client-secret"
			return a
		}, exitBadInput, 0, "401"},
		{"unreachable", nil, func(string) []string { return confArgs("http://127.0.0.1:1") }, exitBadInput, -1, "could not proceed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := startConfServer(t, c.wrap)
			jsonFile := filepath.Join(dir, c.name+".json")
			r := runCLI(t, nil, append(c.args(s.url), "--json", jsonFile)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, c.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, r.stderr)
			}
			data, _ := os.ReadFile(jsonFile)
			if c.findings >= 0 {
				var doc struct {
					Findings []map[string]any `json:"findings"`
				}
				if err := json.Unmarshal(data, &doc); err != nil {
					t.Fatalf("--json file: %v\n%s", err, data)
				}
				if fs := doc.Findings; len(fs) != c.findings {
					t.Errorf("%d findings in the JSON file, want %d:\n%s", len(fs), c.findings, data)
				}
			}
			if c.code == exitBadInput {
				last := r.stderr[strings.LastIndex(strings.TrimSuffix(r.stderr, "\n"), "\n")+1:]
				if !strings.HasPrefix(last, "pinelabs: ") {
					t.Errorf("the last stderr line is not the reason: %q", last)
				}
			}
			noPaymentData(t, s, r.stdout, r.stderr, string(data))
		})
	}
}

func TestConformanceInterruptCleansUp(t *testing.T) {
	t.Parallel()
	approved := make(chan struct{})
	var once sync.Once
	s := startConfServer(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/challenge/") {
				once.Do(func() { close(approved) })
				// Hold the run here until the interrupt has landed.
				time.Sleep(200 * time.Millisecond)
			}
		})
	})
	cmd := exec.Command(binary, confArgs(s.url)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-approved:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the run never reached the challenge\n%s", &errOut)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitBadInput {
		t.Fatalf("exit: %v, want status %d\nstderr:\n%s", err, exitBadInput, &errOut)
	}
	_, paths := s.seen()
	var cancelled, deleted int
	for _, p := range paths {
		cancelled += boolInt(strings.HasSuffix(p, "/cancel"))
		deleted += boolInt(strings.HasSuffix(p, "/delete"))
	}
	if cancelled != 1 || deleted != 1 {
		t.Errorf("after Ctrl-C: %d orders cancelled and %d tokens deleted, want 1 and 1\nstderr:\n%s", cancelled, deleted, &errOut)
	}
	noPaymentData(t, s, out.String(), errOut.String())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
