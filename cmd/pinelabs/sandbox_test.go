package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sandboxProc is a running "pinelabs sandbox".
type sandboxProc struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
}

// startSandboxCLI runs the sandbox command and waits for its first line.
func startSandboxCLI(t *testing.T, extra ...string) *sandboxProc {
	t.Helper()
	args := append([]string{"sandbox", "--addr", "127.0.0.1:0", "--client-id", "client-id", "--client-secret", "client-secret", "--secret-key", key32}, extra...)
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &sandboxProc{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no first line from the sandbox: %v; stderr: %s", err, p.stderr)
	}
	m := regexp.MustCompile(`^listening on (http://127\.0\.0\.1:\d+)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q, want listening on http://127.0.0.1:PORT", line)
	}
	p.url = m[1]
	go io.Copy(io.Discard, stdout)
	return p
}

// stop signals the sandbox and waits for it to exit, which must be with 0.
func (p *sandboxProc) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("after %v the sandbox exited with %v; stderr: %s", sig, err, p.stderr)
	}
}

func TestSandboxCommand(t *testing.T) {
	t.Parallel()
	p := startSandboxCLI(t)
	r := runCLI(t, nil, "demo", "--base-url", p.url, "--client-id", "client-id", "--client-secret", "client-secret", "--secret-key", key32, "--flow", "card")
	if r.code != 0 || !strings.Contains(r.stdout, "final status:  PROCESSED") {
		t.Fatalf("demo against the sandbox: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	p.stop(t, syscall.SIGTERM)
	checkNoSecret(t, result{stderr: p.stderr.String()}, key32, "client-secret")
}

// With --store, orders and tokens outlive the process.
func TestSandboxStoreSurvivesRestart(t *testing.T) {
	t.Parallel()
	store := filepath.Join(t.TempDir(), "sandbox.db")
	p := startSandboxCLI(t, "--store", store)
	r := runCLI(t, nil, "demo", "--base-url", p.url, "--client-id", "client-id", "--client-secret", "client-secret", "--secret-key", key32, "--flow", "card")
	if r.code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	orderID := regexp.MustCompile(`order: +(v1-\S+) CREATED`).FindStringSubmatch(r.stdout)
	if orderID == nil {
		t.Fatalf("no order in\n%s", r.stdout)
	}
	token := apiToken(t, p.url)
	p.stop(t, syscall.SIGINT)
	// The file keeps what a token proves, not the token: reading it
	// grants no access.
	files, _ := filepath.Glob(store + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(token)) || bytes.Contains(b, []byte("client-secret")) || bytes.Contains(b, []byte(testCard)) {
			t.Errorf("%s holds an access token, the client secret or a card number", filepath.Base(f))
		}
	}

	p = startSandboxCLI(t, "--store", store)
	status, body := apiGet(t, p.url+"/api/pay/v1/orders/"+orderID[1], token)
	if status != http.StatusOK {
		t.Fatalf("after a restart the order is gone: %d %s", status, body)
	}
	var o struct {
		Data struct{ Status string } `json:"data"`
	}
	json.Unmarshal(body, &o)
	if o.Data.Status != "PROCESSED" {
		t.Errorf("after a restart the order is %q, want PROCESSED", o.Data.Status)
	}
	p.stop(t, syscall.SIGTERM)
}

func apiToken(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/auth/v1/token", strings.NewReader(`{"client_id":"client-id","client_secret":"client-secret","grant_type":"client_credentials"}`))
	setAPIHeaders(req, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

func apiGet(t *testing.T, u, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	setAPIHeaders(req, token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func setAPIHeaders(req *http.Request, token string) {
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Request-ID", "cli-test-"+time.Now().Format("150405.000000000"))
	req.Header.Set("Request-Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
}

func TestSandboxBadInput(t *testing.T) {
	t.Parallel()
	base := []string{"sandbox", "--addr", "127.0.0.1:0", "--client-id", "id", "--client-secret", "s", "--secret-key", key32}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no addr", []string{"sandbox", "--client-id", "id", "--client-secret", "s", "--secret-key", key32}, "--addr is required"},
		{"no client id", []string{"sandbox", "--addr", "127.0.0.1:0", "--client-secret", "s", "--secret-key", key32}, "--client-id"},
		{"no key", []string{"sandbox", "--addr", "127.0.0.1:0", "--client-id", "id", "--client-secret", "s"}, "--secret-key is required"},
		{"bad key", []string{"sandbox", "--addr", "127.0.0.1:0", "--client-id", "id", "--client-secret", "s", "--secret-key", "c0ffeeZZ"}, "non-hex character"},
		{"bad addr", []string{"sandbox", "--addr", "nowhere", "--client-id", "id", "--client-secret", "s", "--secret-key", key32}, "--addr"},
		{"webhook url without secret", append(base, "--webhook-url", "http://127.0.0.1:9/hooks"), "--webhook-secret"},
		{"store in a missing folder", append(base, "--store", filepath.Join(t.TempDir(), "no", "such", "dir", "s.db")), "--store"},
		{"argument", append(base, "extra"), "no arguments"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, c.args...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stdout, "listening") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 mentioning %q", r.code, r.stdout, r.stderr, c.want)
			}
			checkNoSecret(t, r, key32)
		})
	}
}
