package sandbox_test

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pinegen/pinelabs/internal/browsertest"
	"github.com/pinegen/pinelabs/pkg/sandbox"
)

// In Chromium, the dashboard draws an order's path left to right, one
// node per status with the current one largest, and shows a new order
// without being reloaded. A screenshot is written to the test's temporary
// directory, and also to $DASHBOARD_SCREENSHOT_DIR when that is set, to
// look at.
func TestBrowserDashboardDrawsTimeline(t *testing.T) {
	t.Parallel()
	// The webhook endpoint refuses the declined order's events, so that
	// the page has a failing delivery to show.
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, _ := io.ReadAll(r.Body); bytes.Contains(b, []byte(`"dash-declined"`)) {
			http.Error(w, "not today", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(hook.Close)
	e := start(t, func(c *sandbox.Config) { c.WebhookURL, c.WebhookSecret = hook.URL, dashWebhookSecret })
	sc := dashDrive(e)
	captured := sc[1] // CREATED → PENDING → AUTHORIZED → PROCESSED

	ctx := browsertest.New(t)
	article := `article[data-order-id="` + captured.id + `"]`
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(e.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(article+` .step.current .dot`)),
	); err != nil {
		t.Fatalf("opening the dashboard: %v", err)
	}

	type node struct {
		Status, State string
		X, Y, W       float64
		Visible       bool
		Callback      bool
	}
	nodes, err := chromedp.Run(ctx, chromedp.Evaluate[[]node](`[...document.querySelectorAll('`+article+` .timeline .step')].map(li => {
		const r = li.querySelector('.dot').getBoundingClientRect();
		const label = li.querySelector('.label').getBoundingClientRect();
		return {
			Status: li.dataset.status,
			State: li.classList.contains('current') ? 'current' : li.classList.contains('upcoming') ? 'upcoming' : 'done',
			X: r.left + r.width / 2, Y: r.top + r.height / 2, W: r.width,
			Visible: r.width > 0 && r.height > 0 && label.width > 0 && getComputedStyle(li).visibility === 'visible',
			Callback: !!li.querySelector('.mark-callback'),
		};
	})`))
	if err != nil {
		t.Fatalf("reading the timeline: %v", err)
	}
	var statuses []string
	for _, n := range nodes {
		statuses = append(statuses, n.Status)
	}
	if want := []string{"CREATED", "PENDING", "AUTHORIZED", "PROCESSED"}; !slices.Equal(statuses, want) {
		t.Fatalf("timeline nodes = %v, want %v", statuses, want)
	}
	for i, n := range nodes {
		if !n.Visible {
			t.Errorf("node %s is not visible", n.Status)
		}
		if i > 0 && (n.X <= nodes[i-1].X || math.Abs(n.Y-nodes[i-1].Y) > 1) {
			t.Errorf("node %s at (%.0f,%.0f) is not to the right of %s at (%.0f,%.0f)", n.Status, n.X, n.Y, nodes[i-1].Status, nodes[i-1].X, nodes[i-1].Y)
		}
		if i < len(nodes)-1 && (n.State != "done" || n.W >= nodes[len(nodes)-1].W) {
			t.Errorf("node %s is %s and %.0fpx wide; only the last should be current and larger", n.Status, n.State, n.W)
		}
	}
	if last := nodes[len(nodes)-1]; last.State != "current" {
		t.Errorf("the last node is %s, want current", last.State)
	}
	if !nodes[2].Callback {
		t.Error("no callback marker on AUTHORIZED")
	}

	// The page stays live: an order made now appears without a reload.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	late := e.orderRef("dash-late", dashAmount, false)
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](
		`document.querySelector('article[data-order-id="`+*late.OrderID+`"] .step.current') !== null`,
		chromedp.WithPollingTimeout(15*time.Second),
	)); err != nil {
		t.Fatalf("the new order did not appear: %v", err)
	}
	if kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !kept {
		t.Errorf("the page was reloaded rather than refreshed in place (%v)", err)
	}

	page, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	order, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(article)))
	if err != nil {
		t.Fatalf("screenshot of %s: %v", captured.ref, err)
	}
	dirs := []string{t.TempDir()}
	if d := os.Getenv("DASHBOARD_SCREENSHOT_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		for name, png := range map[string][]byte{"dashboard.png": page, "order.png": order} {
			path := filepath.Join(d, name)
			if err := os.WriteFile(path, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", path)
		}
	}
}
