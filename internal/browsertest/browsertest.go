// Package browsertest starts headless Chromium for tests that need a real
// browser, such as a checkout page that posts a form back to the merchant.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds the start of Chromium, and then everything a test does with
// the context that New returns, so that a hung page fails the test instead of
// hanging it.
const Timeout = 60 * time.Second

// closeTimeout bounds the graceful close of Chromium at the end of a test.
const closeTimeout = 10 * time.Second

var errNoChromium = errors.New("browsertest: chromium is not installed (apt-get install -y chromium)")

// New starts headless Chromium for the test and returns a chromedp context for
// one tab of it; pass the context to chromedp.Run and chromedp.Do. Every action
// on it shares one deadline, Timeout after New returns. For a second tab, such
// as one per subtest, call chromedp.NewContext on it. The browser stops when the
// test ends, and messages from the page's console are logged to the test.
//
// Without Chromium, New skips the test; when the environment variable CI is
// set, it fails the test instead, so that CI never passes by skipping.
func New(t testing.TB) context.Context {
	t.Helper()
	path, err := lookChromium()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v; CI must install it", err)
		}
		t.Skip(err)
	}

	// TempDir before Cleanup below: cleanups run last-in first-out, so the
	// directory is removed after Chromium has exited.
	dataDir := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dataDir),
		// The defaults hold some of these; they are all named here because
		// without them Chromium reaches for the network or fails in a
		// container.
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)

	// The first chromedp run ties the life of the browser to its context, so
	// the start runs on a context without a deadline, and a timer cancels it if
	// the start hangs.
	root, cancelRoot := context.WithCancel(context.Background())
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	ctx, cancel := context.WithTimeout(browserCtx, Timeout)
	consoleDone := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		closeCtx, cancelClose := context.WithTimeout(browserCtx, closeTimeout)
		if err := chromedp.Cancel(closeCtx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("browsertest: closing chromium: %v", err)
		}
		cancelClose()
		cancelBrowser()
		cancelAlloc()
		cancelRoot()
		<-consoleDone
	})

	watchdog := time.AfterFunc(Timeout, cancelRoot)
	err = chromedp.Do(browserCtx)
	if !watchdog.Stop() {
		err = fmt.Errorf("not started within %v", Timeout)
	}
	if err != nil {
		close(consoleDone)
		t.Fatalf("browsertest: starting %s: %v", path, err)
	}

	messages := chromedp.Console(browserCtx)
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return // the tab is closing
			}
			if m.URL != "" {
				t.Logf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
			} else {
				t.Logf("browser console: %s", m)
			}
		}
	}()
	return ctx
}

// lookChromium finds Debian's chromium, or Ubuntu's chromium-browser.
func lookChromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errNoChromium
}
