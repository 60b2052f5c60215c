package sandbox_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/sandbox"
	"github.com/pinegen/pinelabs/pkg/signature"
)

const (
	dashAmount   = 125050 // INR 1250.50
	declinedCard = "4000000000000002"
)

var dashWebhookSecret = "whsec_" + base64.StdEncoding.EncodeToString([]byte("dashboard-webhook-secret-01"))

// dashScenario is the orders the dashboard tests look at, in order of
// creation.
type dashScenario struct {
	ref    string
	status pinelabs.OrderStatus
	// steps is the timeline as "STATE:STATUS", in order.
	steps []string
	id    string
}

// dashDrive takes one order into each shape the timeline draws.
func dashDrive(e *env) []*dashScenario {
	e.t.Helper()
	sc := []*dashScenario{
		{ref: "dash-paid", status: client.OrderProcessed,
			steps: []string{"done:CREATED", "done:PENDING", "current:PROCESSED"}},
		{ref: "dash-captured", status: client.OrderProcessed,
			steps: []string{"done:CREATED", "done:PENDING", "done:AUTHORIZED", "current:PROCESSED"}},
		{ref: "dash-declined", status: client.OrderFailed,
			steps: []string{"done:CREATED", "done:PENDING", "current:FAILED"}},
		{ref: "dash-retried", status: client.OrderProcessed,
			steps: []string{"done:CREATED", "done:PENDING", "done:ATTEMPTED", "current:PROCESSED"}},
		{ref: "dash-waiting", status: client.OrderPending,
			steps: []string{"done:CREATED", "current:PENDING", "upcoming:PROCESSED"}},
		{ref: "dash-new", status: client.OrderCreated,
			steps: []string{"current:CREATED", "upcoming:PENDING", "upcoming:AUTHORIZED", "upcoming:PROCESSED"}},
	}

	o := e.payByCard(e.orderRef(sc[0].ref, dashAmount, false), docsCard)
	e.answerOK(*o.ChallengeURL, approve())
	sc[0].id = *o.OrderID

	o = e.payByCard(e.orderRef(sc[1].ref, dashAmount, true), docsCard)
	e.answerOK(*o.ChallengeURL, approve())
	e.capture(o)
	sc[1].id = *o.OrderID

	o = e.payByCard(e.orderRef(sc[2].ref, dashAmount, false), declinedCard)
	e.answerOK(*o.ChallengeURL, approve())
	sc[2].id = *o.OrderID

	o = e.payByCard(e.orderRef(sc[3].ref, dashAmount, false), docsCard)
	e.answerOK(*o.ChallengeURL, url.Values{"action": {"approve"}, "otp": {"000000"}})
	e.answerOK(*o.ChallengeURL, approve())
	sc[3].id = *o.OrderID

	o = e.payByCard(e.orderRef(sc[4].ref, dashAmount, false), docsCard)
	if _, err := e.client.CaptureOrder(context.Background(), *o.OrderID, nil); err == nil {
		e.t.Fatal("capturing a PENDING order succeeded")
	}
	sc[4].id = *o.OrderID

	sc[5].id = *e.orderRef(sc[5].ref, dashAmount, true).OrderID
	return sc
}

var (
	dashArticleRE = regexp.MustCompile(`(?s)<article class="order[^"]*" id="order-[^"]*" data-order-id="([^"]*)" data-status="([^"]*)">.*?</article>`)
	dashStepRE    = regexp.MustCompile(`<li class="step (\w+) tone-\w+" data-status="([A-Z_]+)"`)
	dashAttrURLRE = regexp.MustCompile(`(?:src|href|action)="([^"]*)"`)
)

// articles splits the page into its orders: order_id → its HTML, and the
// order_ids in page order.
func dashArticles(t testing.TB, page string) (map[string]string, []string) {
	t.Helper()
	byID := map[string]string{}
	var ids []string
	for _, m := range dashArticleRE.FindAllStringSubmatch(page, -1) {
		byID[m[1]] = m[0]
		ids = append(ids, m[1])
	}
	return byID, ids
}

func dashSteps(article string) []string {
	var out []string
	for _, m := range dashStepRE.FindAllStringSubmatch(article, -1) {
		out = append(out, m[1]+":"+m[2])
	}
	return out
}

// dashStep returns the timeline node of an article with that status (the
// first, if it repeats), or "".
func dashStep(article, status string) string {
	i := strings.Index(article, `<ol class="timeline"`)
	if i < 0 {
		return ""
	}
	tl := article[i : i+strings.Index(article[i:], "</ol>")]
	for _, li := range strings.Split(tl, `<li class="step `)[1:] {
		if strings.Contains(li, `data-status="`+status+`"`) {
			return li
		}
	}
	return ""
}

// dashSection returns the panel of an article with that class, or "".
func dashSection(article, class string) string {
	i := strings.Index(article, `<section class="panel `+class)
	if i < 0 {
		return ""
	}
	j := strings.Index(article[i:], "</section>")
	return article[i : i+j]
}

func dashRecords(t testing.TB, body string) []sandbox.Order {
	t.Helper()
	var got struct {
		Orders []sandbox.Order `json:"orders"`
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("orders.json does not decode: %v\n%s", err, body)
	}
	return got.Orders
}

func TestDashboardDrawsEachOrdersPath(t *testing.T) {
	t.Parallel()
	e := start(t)
	sc := dashDrive(e)

	resp, page := e.fetch("/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
	byID, ids := dashArticles(t, page)
	var want []string
	for _, s := range slices.Backward(sc) {
		want = append(want, s.id)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("orders on the page = %v, want newest first %v", ids, want)
	}

	for _, s := range sc {
		t.Run(s.ref, func(t *testing.T) {
			a := byID[s.id]
			if !strings.Contains(a, `data-status="`+string(s.status)+`"`) || !strings.Contains(a, `status">`+string(s.status)+`</span>`) {
				t.Errorf("the order's badge is not %s:\n%s", s.status, a)
			}
			if !strings.Contains(a, s.ref) || !strings.Contains(a, "INR 1250.50") {
				t.Errorf("reference %s or amount INR 1250.50 missing:\n%s", s.ref, a)
			}
			if got := dashSteps(a); !slices.Equal(got, s.steps) {
				t.Errorf("timeline = %v, want %v", got, s.steps)
			}
			if n := strings.Count(a, `aria-current="step"`); n != 1 {
				t.Errorf("%d steps are current, want 1", n)
			}
		})
	}

	paid := byID[sc[0].id]
	if p := dashSection(paid, "payments"); !strings.Contains(p, "VISA •••• 1112") || !strings.Contains(p, sc[0].id+"-cc-1") || !strings.Contains(p, ">PROCESSED<") {
		t.Errorf("the paid order's payment row lacks its id, card or status:\n%s", p)
	}
	if !strings.Contains(paid, `<li class="mark mark-callback tone-ok"`) {
		t.Errorf("the paid order's timeline has no callback marker:\n%s", paid)
	}

	captured := byID[sc[1].id]
	if !strings.Contains(dashSection(captured, "payments"), "captured INR 1250.50") {
		t.Errorf("the captured order does not show its capture:\n%s", captured)
	}
	// The callback went out when the order was AUTHORIZED, so it is marked
	// on that step, not on PROCESSED.
	if !strings.Contains(dashStep(captured, "AUTHORIZED"), "mark-callback") || strings.Contains(dashStep(captured, "PROCESSED"), "mark-callback") {
		t.Errorf("the callback is not marked on AUTHORIZED:\n%s", captured)
	}

	declined := byID[sc[2].id]
	cb := dashSection(declined, "callbacks")
	if !strings.Contains(cb, e.merchant.failureURL) || !strings.Contains(cb, "PAYMENT_DECLINED") || !strings.Contains(cb, ">FAILED<") {
		t.Errorf("the declined order's callback should go to %s with PAYMENT_DECLINED:\n%s", e.merchant.failureURL, cb)
	}
	if !strings.Contains(declined, `tone-bad" data-status="FAILED"`) {
		t.Errorf("FAILED is not drawn in red:\n%s", declined)
	}
	if !strings.Contains(byID[sc[3].id], `tone-bad" data-status="ATTEMPTED"`) {
		t.Errorf("ATTEMPTED is not drawn in red:\n%s", byID[sc[3].id])
	}

	waiting := byID[sc[4].id]
	if r := dashSection(waiting, "rejections"); !strings.Contains(r, "OPERATION_NOT_ALLOWED") || !strings.Contains(r, "only an AUTHORIZED order can be captured") {
		t.Errorf("the refused capture is not listed:\n%s", r)
	}
	if !strings.Contains(waiting, `mark mark-rejected tone-bad`) {
		t.Errorf("the refused capture is not marked on the timeline:\n%s", waiting)
	}

	// The signature is shown cut short: the whole of it is for the
	// merchant's check, not for reading.
	_, body := e.fetch("/sandbox/orders.json")
	for _, r := range dashRecords(t, body) {
		for _, ev := range r.Events {
			if sig := ev.Fields[signature.FieldSignature]; sig != "" {
				if strings.Contains(page, sig) || !strings.Contains(page, sig[:12]+"…") {
					t.Errorf("signature %s should be shown as %s…", sig, sig[:12])
				}
			}
		}
	}
}

func TestDashboardJSONIsTheRecords(t *testing.T) {
	t.Parallel()
	e := start(t)
	sc := dashDrive(e)

	resp, body := e.fetch("/sandbox/orders.json")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /sandbox/orders.json = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	got := dashRecords(t, body)
	if len(got) != len(sc) {
		t.Fatalf("%d orders, want %d", len(got), len(sc))
	}
	i := 0
	for _, s := range slices.Backward(sc) {
		if got[i].ID() != s.id || got[i].Status() != s.status || got[i].Reference() != s.ref {
			t.Errorf("orders[%d] = %s %s %s, want %s %s %s", i, got[i].ID(), got[i].Reference(), got[i].Status(), s.id, s.ref, s.status)
		}
		i++
	}

	var stored []*sandbox.Order
	e.sb.Store().View(context.Background(), func(tx sandbox.Tx) (err error) {
		stored, err = tx.Orders(100)
		return err
	})
	want, _ := json.Marshal(stored)
	again, _ := json.Marshal(got)
	if !bytes.Equal(again, want) {
		t.Errorf("orders.json differs from the stored records:\n got %s\nwant %s", again, want)
	}
}

// A merchant's text is shown as text: a reference, an event, a webhook's
// error that look like markup do not become markup, on the page or in the
// JSON.
func TestDashboardEscapesMerchantText(t *testing.T) {
	t.Parallel()
	e := start(t)
	const (
		ref     = `<script>alert("ref")</script>`
		what    = `<img src=x onerror=alert(1)>`
		lastErr = `<b>502</b> from the hook`
	)
	now := time.Now()
	rec := &sandbox.Order{
		Order: pinelabs.Order{
			OrderID: dashPtr("v1-dash-escape"), MerchantOrderReference: dashPtr(ref),
			Status: dashPtr(client.OrderCreated), OrderAmount: dashPtr(client.INR(100)),
		},
		Seq:      now.UnixNano(),
		Events:   []sandbox.Event{{At: now, Kind: sandbox.EventStatus, Status: client.OrderCreated, What: what}},
		Webhooks: []sandbox.WebhookDelivery{{ID: "wh-1", Type: "ORDER_CREATED", CreatedAt: now, Attempts: 1, LastError: lastErr}},
	}
	e.put(rec)

	_, page := e.fetch("/")
	for _, raw := range []string{"<script>alert", "<img src=x", "<b>502"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q unescaped", raw)
		}
	}
	for _, escaped := range []string{`&lt;script&gt;alert(&#34;ref&#34;)&lt;/script&gt;`, `&lt;img src=x onerror=alert(1)&gt;`, `&lt;b&gt;502&lt;/b&gt; from the hook`} {
		if !strings.Contains(page, escaped) {
			t.Errorf("the page lacks %s", escaped)
		}
	}

	_, body := e.fetch("/sandbox/orders.json")
	if strings.Contains(body, "<script>") {
		t.Error("orders.json holds <script> unescaped")
	}
	if got := dashRecords(t, body); len(got) != 1 || got[0].Reference() != ref {
		t.Errorf("orders.json does not round-trip the reference: %+v", got)
	}
}

func TestDashboardShowsWebhookDeliveries(t *testing.T) {
	t.Parallel()
	e := start(t)
	at := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	rec := &sandbox.Order{
		Order: pinelabs.Order{
			OrderID: dashPtr("v1-dash-hooks"), MerchantOrderReference: dashPtr("dash-hooks"),
			Status: dashPtr(client.OrderProcessed), OrderAmount: dashPtr(client.INR(5000)),
		},
		Seq: at.UnixNano(),
		Events: []sandbox.Event{
			{At: at, Kind: sandbox.EventStatus, Status: client.OrderCreated, What: "order created"},
			{At: at.Add(time.Second), Kind: sandbox.EventStatus, Status: client.OrderPending, What: "payment linked"},
			{At: at.Add(2 * time.Second), Kind: sandbox.EventStatus, Status: client.OrderProcessed, What: "paid"},
		},
		Webhooks: []sandbox.WebhookDelivery{
			{ID: "wh-1", Type: "ORDER_PENDING", CreatedAt: at.Add(time.Second), Attempts: 5, GaveUp: true, LastError: "connection refused"},
			{ID: "wh-2", Type: "ORDER_PROCESSED", CreatedAt: at.Add(2 * time.Second), Attempts: 2, Delivered: at.Add(9 * time.Second)},
			{ID: "wh-3", Type: "ORDER_PROCESSED", CreatedAt: at.Add(2 * time.Second), Attempts: 1, NextAttempt: at.Add(30 * time.Second), LastError: "HTTP 503"},
		},
	}
	e.put(rec)

	_, page := e.fetch("/")
	a := dashArticleRE.FindString(page)
	hooks := dashSection(a, "webhooks")
	for _, want := range []string{
		"ORDER_PENDING", "gave up after 5 attempts", "connection refused",
		"delivered 10:00:09", "failing; next try 10:00:30", "HTTP 503",
	} {
		if !strings.Contains(hooks, want) {
			t.Errorf("the webhooks panel lacks %q:\n%s", want, hooks)
		}
	}
	// Each delivery is marked on the step it was queued in.
	pending, processed := dashStep(a, "PENDING"), dashStep(a, "PROCESSED")
	if n := strings.Count(pending, "mark-webhook tone-bad"); n != 1 {
		t.Errorf("PENDING has %d failed webhook markers, want 1:\n%s", n, pending)
	}
	if strings.Count(processed, "mark-webhook tone-ok") != 1 || strings.Count(processed, "mark-webhook tone-warn") != 1 {
		t.Errorf("PROCESSED should have one delivered and one failing webhook marker:\n%s", processed)
	}
}

// The dashboard has no login, so nothing it serves may hold a secret:
// not an access token, the client secret, the webhook secret, the key,
// nor a whole card number.
func TestDashboardShowsNoSecrets(t *testing.T) {
	t.Parallel()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(hook.Close)
	e := start(t, func(c *sandbox.Config) { c.WebhookURL, c.WebhookSecret = hook.URL, dashWebhookSecret })

	token := e.token()
	if token == "" {
		t.Fatal("no access token")
	}

	o := e.payByCard(e.orderRef("dash-secrets", dashAmount, false), docsCard)
	e.answerOK(*o.ChallengeURL, approve())
	p := e.orderRef("dash-secrets-points", dashAmount, false)
	points := client.PointsCardDetails{CardNumber: docsCard, CardLast4: "1112", RegisteredMobileNumber: "9876543210"}
	if _, err := e.client.PayWithPoints(context.Background(), *p.OrderID, *p.OrderAmount, points, card(docsCard)); err != nil {
		t.Fatal(err)
	}

	// Wait for the webhooks, whose bodies hold the order too.
	var body string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, body = e.fetch("/sandbox/orders.json")
		if dashAllDelivered(dashRecords(t, body)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhooks were not all delivered:\n%s", body)
		}
	}
	_, page := e.fetch("/")
	if !strings.Contains(page, `<section class="panel webhooks">`) || !strings.Contains(page, "mark-webhook tone-ok") {
		t.Error("the page does not show the delivered webhooks")
	}
	served := map[string]string{"the page": page, "orders.json": body}
	for _, r := range dashRecords(t, body) {
		for _, d := range r.Webhooks {
			served["webhook "+d.ID+"'s body"] = string(d.Body)
		}
	}
	rawWebhookSecret, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(dashWebhookSecret, "whsec_"))
	secrets := map[string]string{
		"the access token":   token,
		"the client secret":  testClientSecret,
		"the webhook secret": dashWebhookSecret, "the raw webhook secret": string(rawWebhookSecret),
		"the key": testKeyHex, "the key in lower case": strings.ToLower(testKeyHex),
		"the card number": docsCard,
	}
	for where, text := range served {
		for what, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %s", where, what)
			}
		}
	}
	if !strings.Contains(page, "•••• 1112") {
		t.Error("the page does not show the card's last four digits")
	}
}

func TestDashboardEmpty(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, page := e.fetch("/")
	for _, want := range []string{"No orders yet", "pinelabs demo --base-url " + e.url, "--client-id " + testClientID, "/api/auth/v1/token", "challenge_url"} {
		if !strings.Contains(page, want) {
			t.Errorf("the empty page lacks %q", want)
		}
	}
	_, body := e.fetch("/sandbox/orders.json")
	if got := dashRecords(t, body); got == nil || len(got) != 0 {
		t.Errorf(`orders.json = %s, want {"orders": []}`, body)
	}
}

func TestDashboardRoutes(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.orderRef("dash-routes", dashAmount, false)
	for _, c := range []struct {
		name, method, path string
		status             int
		contentType        string
	}{
		{"page", "GET", "/", http.StatusOK, "text/html; charset=utf-8"},
		{"page-head", "HEAD", "/", http.StatusOK, "text/html; charset=utf-8"},
		{"json", "GET", "/sandbox/orders.json", http.StatusOK, "application/json"},
		{"stylesheet", "GET", "/sandbox/dashboard.css", http.StatusOK, "text/css; charset=utf-8"},
		{"script", "GET", "/sandbox/dashboard.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{"unknown-path-is-not-the-dashboard", "GET", "/nothing-here", http.StatusNotFound, ""},
		{"post-to-page", "POST", "/", http.StatusMethodNotAllowed, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, e.url+c.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Errorf("%s %s = %d, want %d", c.method, c.path, resp.StatusCode, c.status)
			}
			if c.contentType != "" && resp.Header.Get("Content-Type") != c.contentType {
				t.Errorf("Content-Type = %q, want %q", resp.Header.Get("Content-Type"), c.contentType)
			}
		})
	}

	resp, page := e.fetch("/")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	// Everything the page loads or links to is its own.
	for _, m := range dashAttrURLRE.FindAllStringSubmatch(page, -1) {
		if u := m[1]; !strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page refers to %q, outside the sandbox", u)
		}
	}
}

// dashAllDelivered reports whether there are webhooks and all of them are
// delivered.
func dashAllDelivered(orders []sandbox.Order) bool {
	n := 0
	for _, o := range orders {
		for _, d := range o.Webhooks {
			if d.Delivered.IsZero() {
				return false
			}
			n++
		}
	}
	return n > 0
}

func dashPtr[T any](v T) *T { return &v }

// A refunded order's timeline goes on to PARTIALLY_ and FULLY_REFUNDED and
// lists its refunds, each linked to its own article, which links back; the
// customers and their saved cards are listed below the orders.
func TestDashboardShowsRefundsAndCustomers(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token()
	cid := *e.newCustomer(tok, "dash-customer").CustomerID
	o := e.customerOrder(10000, false, &pinelabs.OrderCustomer{CustomerID: &cid})
	o, err := e.payWith(o, client.PaymentOption{CardDetails: savingCard(docsCard)})
	if err != nil {
		t.Fatal(err)
	}
	e.callback(*o.ChallengeURL, approve())
	id := *o.OrderID
	r1 := e.refund(tok, id, "dash-refund-1", 2500)
	r2 := e.refund(tok, id, "dash-refund-2", 0)

	_, page := e.fetch("/")
	byID, ids := dashArticles(t, page)
	if want := []string{*r2.OrderID, *r1.OrderID, id}; !slices.Equal(ids, want) {
		t.Fatalf("orders on the page = %v, want the refunds, newest first, then the order %v", ids, want)
	}
	parent := byID[id]
	if got, want := dashSteps(parent), []string{"done:CREATED", "done:PENDING", "done:PROCESSED", "done:PARTIALLY_REFUNDED", "current:FULLY_REFUNDED"}; !slices.Equal(got, want) {
		t.Errorf("the refunded order's timeline = %v, want %v", got, want)
	}
	refunds := dashSection(parent, "refunds")
	for _, want := range []string{
		`<a href="/#order-` + *r1.OrderID + `">`, `<a href="/#order-` + *r2.OrderID + `">`,
		"dash-refund-1", "INR 25.00", "INR 75.00", "INR 100.00 of INR 100.00 captured refunded",
	} {
		if !strings.Contains(refunds, want) {
			t.Errorf("the refunds panel lacks %q:\n%s", want, refunds)
		}
	}
	if !strings.Contains(parent, `href="/#customer-`+cid+`"`) {
		t.Errorf("the order does not link its customer %s:\n%s", cid, parent)
	}
	for _, r := range []*pinelabs.Order{r1, r2} {
		a := byID[*r.OrderID]
		if !strings.Contains(a, `refund of <a href="/#order-`+id+`">`) || !strings.Contains(a, `data-status="PROCESSED"`) {
			t.Errorf("the refund %s does not link its order or is not PROCESSED:\n%s", *r.OrderID, a)
		}
		if got, want := dashSteps(a), []string{"done:CREATED", "current:PROCESSED"}; !slices.Equal(got, want) {
			t.Errorf("the refund's timeline = %v, want %v", got, want)
		}
	}
	if !strings.Contains(page, `badge tone-muted">1 FULLY_REFUNDED</span>`) {
		t.Error("the summary does not count the FULLY_REFUNDED order")
	}

	i := strings.Index(page, `<section class="customers"`)
	if i < 0 {
		t.Fatalf("no customers section:\n%s", page)
	}
	customers := page[i : i+strings.Index(page[i:], "</section>")]
	for _, want := range []string{`id="customer-` + cid + `"`, "dash-customer", "Kavita Rao", "91 9876543210", "VISA •••• 1112 · ACTIVE", "by order " + id} {
		if !strings.Contains(customers, want) {
			t.Errorf("the customers section lacks %q:\n%s", want, customers)
		}
	}
	if strings.Contains(page, docsCard) {
		t.Error("the page holds the card number")
	}
	// The records say the same: the refunds on the order, the refund's
	// parent.
	_, body := e.fetch("/sandbox/orders.json")
	for _, r := range dashRecords(t, body) {
		switch r.ID() {
		case id:
			if len(r.Refunds) != 2 || r.Refunds[1].OrderID != *r2.OrderID || r.Refunded() != 10000 {
				t.Errorf("orders.json: the order's refunds %+v", r.Refunds)
			}
		case *r1.OrderID:
			if deref(r.ParentOrderID) != id {
				t.Errorf("orders.json: the refund's parent_order_id %q", deref(r.ParentOrderID))
			}
		}
	}
}
