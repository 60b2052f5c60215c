package sandbox_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/internal/browsertest"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/signature"
)

// A customer in a real browser approves the challenge; the sandbox's page
// posts the signed result to the merchant by itself, and the merchant's
// page, which checks the signature, shows a verified AUTHORIZED.
func TestBrowserApprovesChallenge(t *testing.T) {
	t.Parallel()
	e := start(t)
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		cb, err := signature.ParseCallback(r, e.key)
		if err != nil {
			fmt.Fprintf(w, `<!doctype html><link rel="icon" href="data:,"><p id="result">not verified: %s</p>`, html.EscapeString(err.Error()))
			return
		}
		fmt.Fprintf(w, `<!doctype html><link rel="icon" href="data:,"><p id="result">verified %s for %s</p>`,
			html.EscapeString(cb.Status), html.EscapeString(cb.OrderID))
	}))
	t.Cleanup(merchant.Close)

	ret := merchant.URL + "/return"
	preAuth := true
	o, err := e.client.CreateOrder(context.Background(), &client.CreateOrderRequest{
		MerchantOrderReference: "browser-approve", OrderAmount: client.INR(150000),
		PreAuth: &preAuth, CallbackURL: &ret,
	})
	if err != nil {
		t.Fatal(err)
	}
	o = e.payByCard(o, docsCard)

	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(*o.ChallengeURL),
		chromedp.WaitVisible(chromedp.CSS(`button[value="approve"]`)),
		chromedp.Click(chromedp.CSS(`button[value="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS("#result")),
	); err != nil {
		t.Fatalf("approving in the browser: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#result")))
	if err != nil {
		t.Fatal(err)
	}
	if want := "verified AUTHORIZED for " + *o.OrderID; text != want {
		t.Errorf("the merchant's page says %q, want %q", text, want)
	}
	if got := e.get(*o.OrderID); statusOf(got) != pinelabs.OrderStatusAUTHORIZED {
		t.Errorf("order is %s, want AUTHORIZED", statusOf(got))
	}
}
