package browsertest_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pinegen/pinelabs/internal/browsertest"
)

// The page posts itself on load, as a hosted checkout page posts the payment
// result to the merchant's callback URL. The icon link keeps the browser from
// asking for /favicon.ico.
const checkoutPage = `<!doctype html>
<html><head><title>checkout</title><link rel="icon" href="data:,"></head>
<body onload="document.forms[0].submit()">
<form method="post" action="/callback">
<input type="hidden" name="order_id" value="v1-250101-abc">
<input type="hidden" name="status" value="CHARGED">
</form>
</body></html>`

func TestNewAutoSubmittedForm(t *testing.T) {
	t.Parallel()

	type callback struct{ method, orderID, status string }
	got := make(chan callback, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, checkoutPage)
	})
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		cb := callback{r.Method, r.PostFormValue("order_id"), r.PostFormValue("status")}
		select {
		case got <- cb:
		default: // a second post; the first is the one the test checks
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><link rel="icon" href="data:,"></head>`+
			`<body><p id="result">order %s: %s</p></body></html>`,
			html.EscapeString(cb.orderID), html.EscapeString(cb.status))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/checkout"),
		chromedp.WaitVisible(chromedp.CSS("#result")),
	); err != nil {
		t.Fatalf("loading the checkout page: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#result")))
	if err != nil {
		t.Fatalf("reading the result: %v", err)
	}
	if want := "order v1-250101-abc: CHARGED"; text != want {
		t.Errorf("result page says %q, want %q", text, want)
	}

	want := callback{http.MethodPost, "v1-250101-abc", "CHARGED"}
	if cb := <-got; cb != want {
		t.Errorf("callback got %+v, want %+v", cb, want)
	}
}
