package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// A server is a process serving the API on loopback: the sandbox or Prism.
type server struct {
	name    string
	baseURL string
	logPath string // everything the process printed
	cmd     *exec.Cmd
	first   chan string   // the first line it printed on stdout
	exited  chan struct{} // closed when the process has been waited for
	waitErr error
}

// start runs cmd in its own process group, so that stopping it reaches the
// processes it starts (npx runs Prism as a child), with its output in a
// log file under dir.
func start(name string, cmd *exec.Cmd, dir string) (*server, error) {
	s := &server{name: name, cmd: cmd, first: make(chan string, 1), exited: make(chan struct{})}
	s.logPath = filepath.Join(dir, strings.Fields(name)[0]+"-"+fmt.Sprint(time.Now().UnixNano())+".log")
	f, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout = &firstLineWriter{w: f, first: s.first}
	cmd.Stderr = f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A child that outlives the group leader keeps the output pipe open;
	// Wait gives up on it after this long rather than hang.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		f.Close()
		close(s.exited)
	}()
	return s, nil
}

// firstLineWriter writes everything to w and sends the first whole line on
// first. exec calls Write from one goroutine only.
type firstLineWriter struct {
	w     io.Writer
	first chan<- string
	buf   []byte
	sent  bool
}

func (t *firstLineWriter) Write(p []byte) (int, error) {
	if !t.sent {
		t.buf = append(t.buf, p...)
		if i := bytes.IndexByte(t.buf, '\n'); i >= 0 {
			t.first <- strings.TrimRight(string(t.buf[:i]), "\r")
			t.sent, t.buf = true, nil
		}
	}
	return t.w.Write(p)
}

// failed wraps err with the end of the server's log.
func (s *server) failed(err error) error {
	if tail := lastLines(s.logPath, 20); tail != "" {
		return fmt.Errorf("%s: %w\nlast lines of its output:\n%s", s.name, err, tail)
	}
	return fmt.Errorf("%s: %w", s.name, err)
}

// stop sends SIGTERM to the process group and waits for the process; after
// grace it kills the group. It reports how the process ended.
func (s *server) stop(grace time.Duration) error {
	select {
	case <-s.exited:
		return fmt.Errorf("%s had already exited: %v", s.name, s.waitErr)
	default:
	}
	pgid := s.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(grace):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.exited
		return fmt.Errorf("%s did not stop within %v of SIGTERM; killed", s.name, grace)
	}
	// The group leader may be gone while a child lingers; end the group.
	syscall.Kill(-pgid, syscall.SIGKILL)
	return s.waitErr
}

// waitListening waits until something accepts connections at s.baseURL,
// giving up after timeout or when the process exits first.
func (s *server) waitListening(ctx context.Context, timeout time.Duration) error {
	u, err := url.Parse(s.baseURL)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return s.failed(fmt.Errorf("not listening at %s after %v", s.baseURL, timeout))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.exited:
			return s.failed(fmt.Errorf("exited before listening: %v", s.waitErr))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// firstLine returns the first line the process prints on stdout, within
// timeout.
func (s *server) firstLine(ctx context.Context, timeout time.Duration) (string, error) {
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case line := <-s.first:
		return line, nil
	case <-s.exited:
		return "", s.failed(fmt.Errorf("exited before printing its address: %v", s.waitErr))
	case <-time.After(timeout):
		return "", s.failed(fmt.Errorf("printed no line within %v", timeout))
	}
}

// parseListening reads the sandbox's first line, "listening on
// http://HOST:PORT", and returns the base URL.
func parseListening(line string) (string, error) {
	rest, ok := strings.CutPrefix(line, "listening on ")
	if !ok {
		return "", fmt.Errorf("first line %q is not %q", line, "listening on http://HOST:PORT")
	}
	u, err := url.Parse(strings.TrimSpace(rest))
	if err != nil || u.Scheme != "http" || u.Host == "" || u.Port() == "" {
		return "", fmt.Errorf("first line %q does not give an http://HOST:PORT address", line)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// freePort asks the kernel for a loopback port nobody uses, for Prism,
// which takes a port rather than choosing one.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
