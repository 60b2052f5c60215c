package sandbox

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/signature"
)

// The dashboard is for a developer watching their integration: the page at
// / draws each recent order's path through its lifecycle, with its
// payments, refunds, callbacks, webhooks and refused requests, lists the
// customers with the cards saved for them, and refreshes by itself;
// /sandbox/orders.json serves the same order records to scripts.
//
// It asks for no credentials: the sandbox runs on the developer's machine,
// and anyone who can reach it can call its API too. So it must show nothing
// secret, and it does not: besides the client ID and its own address it
// shows only order, customer and saved-token records, which hold no access
// token, client secret, webhook secret or card number (a card is kept as
// its last four digits),
// and html/template escapes every value a merchant sent. The page loads
// only its own stylesheet and script, and its Content-Security-Policy
// allows nothing else.

// The dashboard's routes.
const (
	// dashboardJSONPath serves {"orders": [...]}: the records the page is
	// drawn from, newest first, each an Order as it encodes (the API's
	// order with its events and webhook deliveries), for scripts such as
	//
	//	curl -s localhost:8080/sandbox/orders.json | jq '.orders[] | {order_id, status}'
	dashboardJSONPath = "/sandbox/orders.json"
	dashboardCSSPath  = "/sandbox/dashboard.css"
	dashboardJSPath   = "/sandbox/dashboard.js"
)

// dashboardLimit is how many orders the page and the JSON show.
const dashboardLimit = 100

// dashboardCSP keeps the page to its own assets, so even a value that got
// past escaping could neither run a script nor send anything away.
const dashboardCSP = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (s *Sandbox) routeDashboard(mux *http.ServeMux) {
	// {$}: exactly /, so that an unknown path is a 404, not the dashboard.
	mux.HandleFunc("GET /{$}", s.dashboardPage)
	mux.HandleFunc("GET "+dashboardJSONPath, s.dashboardJSON)
	mux.HandleFunc("GET "+dashboardCSSPath, serveAsset("text/css; charset=utf-8", dashboardCSS))
	mux.HandleFunc("GET "+dashboardJSPath, serveAsset("text/javascript; charset=utf-8", dashboardJS))
}

func (s *Sandbox) recentOrders(ctx context.Context) ([]*Order, error) {
	var orders []*Order
	err := s.store.View(ctx, func(tx Tx) (err error) {
		orders, err = tx.Orders(dashboardLimit)
		return err
	})
	return orders, err
}

// recentCustomers reads the most recent customers, with their tokens.
func (s *Sandbox) recentCustomers(ctx context.Context) ([]customerView, error) {
	var views []customerView
	err := s.store.View(ctx, func(tx Tx) error {
		cs, err := tx.Customers(dashboardLimit)
		if err != nil {
			return err
		}
		for _, c := range cs {
			ts, err := tx.CustomerTokens(deref(c.CustomerID))
			if err != nil {
				return err
			}
			views = append(views, newCustomerView(c, ts))
		}
		return nil
	})
	return views, err
}

func (s *Sandbox) dashboardPage(w http.ResponseWriter, r *http.Request) {
	orders, err := s.recentOrders(r.Context())
	var customers []customerView
	if err == nil {
		customers, err = s.recentCustomers(r.Context())
	}
	if err != nil {
		s.log.Error("sandbox: reading orders for the dashboard", "err", err)
		http.Error(w, "The sandbox could not read its store.", http.StatusInternalServerError)
		return
	}
	view := dashboardView{BaseURL: baseURL(r.Context()), ClientID: s.cfg.ClientID, Orders: make([]orderView, len(orders)), Customers: customers}
	for i, o := range orders {
		view.Orders[i] = newOrderView(o)
	}
	view.Counts = countStatuses(view.Orders)
	w.Header().Set("Content-Security-Policy", dashboardCSP)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	writeHTML(w, http.StatusOK, dashboardTemplate, view)
}

func (s *Sandbox) dashboardJSON(w http.ResponseWriter, r *http.Request) {
	orders, err := s.recentOrders(r.Context())
	if err != nil {
		s.log.Error("sandbox: reading orders for the dashboard", "err", err)
		writeError(w, http.StatusInternalServerError, "INTERNAL_ERROR", "the sandbox could not read its store")
		return
	}
	if orders == nil {
		orders = []*Order{} // [] rather than null: scripts iterate it
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(struct {
		Orders []*Order `json:"orders"`
	}{orders})
}

func serveAsset(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write([]byte(body))
	}
}

// The page's view of the records: everything shown is worked out here, so
// the template only lays it out.
type (
	dashboardView struct {
		BaseURL, ClientID string
		Orders            []orderView
		Counts            []statusCount
		Customers         []customerView
	}

	statusCount struct {
		Status, Tone string
		N            int
	}

	orderView struct {
		ID, Reference, Amount, Status, Tone string
		Created                             moment
		PreAuth                             bool
		// Parent is the order a refund refunds; empty for a charge.
		Parent string
		// Customer is the customer_id the order is linked to, if any.
		Customer string
		Steps    []stepView
		Payments []paymentRow
		// Refunds are a charge's refunds; Refunded says how much of what
		// was captured they add up to.
		Refunds    []refundRow
		Refunded   string
		Callbacks  []callbackRow
		Webhooks   []webhookRow
		Rejections []rejectionRow
		History    []historyRow
	}

	// A stepView is one node of the timeline: a status the order reached
	// (State "done" or "current") or one it is expected to reach next
	// ("upcoming", with no time).
	stepView struct {
		Status, Tone, State string
		When                moment
		Marks               []markView
	}

	// A markView is something that happened while the order was in a
	// step's status: a callback, a webhook or a refused request.
	markView struct {
		Kind, Tone, Label, Title string
	}

	refundRow struct {
		ID, Reference, Amount string
		When                  moment
	}

	customerView struct {
		ID, Reference, Name, Mobile, Status string
		Created                             moment
		Tokens                              []tokenRow
	}

	tokenRow struct {
		ID, Card, Status, Tone, Order string
		Saved                         moment
	}

	paymentRow struct {
		ID, Method, Amount, Status, Tone, Instrument, Note string
	}

	callbackRow struct {
		When                              moment
		Status, Tone, URL, Signature, Err string
	}

	webhookRow struct {
		When                         moment
		Type, State, Tone, LastError string
		Attempts                     int
	}

	rejectionRow struct {
		When          moment
		Code, Message string
	}

	historyRow struct {
		When               moment
		Kind, Status, What string
	}
)

// A moment is a time as the page shows it: Clock for people, ISO for the
// datetime attribute and the tooltip. Both are empty for no time.
type moment struct{ Clock, ISO string }

func momentOf(t time.Time, layout string) moment {
	if t.IsZero() {
		return moment{}
	}
	return moment{Clock: t.UTC().Format(layout), ISO: timestamp(t)}
}

const (
	clockLayout = "15:04:05"
	dateLayout  = "2006-01-02 15:04:05"
)

func newOrderView(o *Order) orderView {
	v := orderView{
		ID: o.ID(), Reference: o.Reference(), Status: string(o.Status()), Tone: tone(string(o.Status())),
		PreAuth: deref(o.PreAuth),
	}
	if a := o.OrderAmount; a != nil {
		v.Amount = money(*a)
	}
	if t, err := time.Parse(time.RFC3339, deref(o.CreatedAt)); err == nil {
		v.Created = momentOf(t, dateLayout)
	}
	if deref(o.Type) == pinelabs.OrderTypeREFUND {
		v.Parent = deref(o.ParentOrderID)
	}
	v.Customer = orderCustomerID(o)
	for _, p := range o.Payments {
		v.Payments = append(v.Payments, newPaymentRow(p))
	}
	for _, r := range o.Refunds {
		v.Refunds = append(v.Refunds, refundRow{ID: r.OrderID, Reference: r.Reference, Amount: money(r.Amount), When: momentOf(r.At, clockLayout)})
	}
	if len(o.Refunds) > 0 {
		cur := o.Refunds[0].Amount.Currency
		v.Refunded = money(pinelabs.Amount{Value: o.Refunded(), Currency: cur}) + " of " + money(pinelabs.Amount{Value: captured(o), Currency: cur}) + " captured refunded"
	}
	for _, e := range o.Events {
		when := momentOf(e.At, clockLayout)
		v.History = append(v.History, historyRow{When: when, Kind: string(e.Kind), Status: string(e.Status), What: e.What})
		switch e.Kind {
		case EventCallback:
			v.Callbacks = append(v.Callbacks, callbackRow{
				When: when, Status: string(e.Status), Tone: tone(string(e.Status)), URL: e.URL,
				Signature: truncate(e.Fields[signature.FieldSignature], 12),
				Err:       e.Fields[signature.FieldErrorCode],
			})
		case EventRejected:
			v.Rejections = append(v.Rejections, rejectionRow{When: when, Code: e.Code, Message: e.What})
		}
	}
	for _, d := range o.Webhooks {
		state, t := webhookState(d)
		v.Webhooks = append(v.Webhooks, webhookRow{
			When: momentOf(d.CreatedAt, clockLayout), Type: d.Type, State: state, Tone: t,
			LastError: d.LastError, Attempts: d.Attempts,
		})
	}
	v.Steps = timeline(o)
	return v
}

// timeline draws the order's path: a node for each status it reached, in
// order, the last one current; then, for an order still under way, the
// statuses the happy path has left. Callbacks, webhooks and refusals are
// marked on the step whose status the order had when they happened.
func timeline(o *Order) []stepView {
	var steps []stepView
	var at []time.Time
	for _, e := range o.Events {
		if e.Kind == EventStatus {
			steps = append(steps, stepView{Status: string(e.Status), Tone: tone(string(e.Status)), State: "done", When: momentOf(e.At, clockLayout)})
			at = append(at, e.At)
		}
	}
	if len(steps) == 0 {
		// A record without history: show where it stands.
		steps = append(steps, stepView{Status: string(o.Status()), Tone: tone(string(o.Status()))})
		at = append(at, time.Time{})
	}
	steps[len(steps)-1].State = "current"

	mark := func(t time.Time, m markView) {
		i := 0
		for j := range at {
			if !at[j].After(t) {
				i = j
			}
		}
		steps[i].Marks = append(steps[i].Marks, m)
	}
	for _, e := range o.Events {
		switch e.Kind {
		case EventCallback:
			mark(e.At, markView{Kind: "callback", Tone: tone(string(e.Status)), Label: "↩ callback",
				Title: "customer sent back with a signed " + string(e.Status) + " to " + e.URL})
		case EventRejected:
			mark(e.At, markView{Kind: "rejected", Tone: "bad", Label: "✕ rejected", Title: e.Code + ": " + e.What})
		}
	}
	for _, d := range o.Webhooks {
		state, t := webhookState(d)
		mark(d.CreatedAt, markView{Kind: "webhook", Tone: t, Label: "⚑ webhook", Title: d.Type + ": " + state})
	}

	for _, st := range upcoming(o.Status(), deref(o.PreAuth)) {
		steps = append(steps, stepView{Status: string(st), Tone: "upcoming", State: "upcoming"})
	}
	return steps
}

// upcoming is the rest of the happy path from st: PENDING once a payment
// is added, AUTHORIZED for a pre-auth order, PROCESSED. A final status has
// none.
func upcoming(st pinelabs.OrderStatus, preAuth bool) []pinelabs.OrderStatus {
	var path []pinelabs.OrderStatus
	switch st {
	case pinelabs.OrderStatusCREATED:
		path = append(path, pinelabs.OrderStatusPENDING)
		fallthrough
	case pinelabs.OrderStatusPENDING, pinelabs.OrderStatusATTEMPTED:
		if preAuth {
			path = append(path, pinelabs.OrderStatusAUTHORIZED)
		}
		fallthrough
	case pinelabs.OrderStatusAUTHORIZED:
		path = append(path, pinelabs.OrderStatusPROCESSED)
	}
	return path
}

// tone is the colour of an order's or a payment's status.
func tone(status string) string {
	switch status {
	case "PROCESSED":
		return "ok"
	case "AUTHORIZED":
		return "info"
	case "PENDING":
		return "warn"
	case "ATTEMPTED", "FAILED":
		return "bad"
	case "CANCELLED", "FULLY_REFUNDED", "PARTIALLY_REFUNDED":
		return "muted"
	}
	return "neutral"
}

// statusRank puts the summary's counts in lifecycle order.
var statusRank = map[string]int{"CREATED": 1, "PENDING": 2, "ATTEMPTED": 3, "AUTHORIZED": 4, "PROCESSED": 5, "FAILED": 6, "CANCELLED": 7,
	"PARTIALLY_REFUNDED": 8, "FULLY_REFUNDED": 9}

func newCustomerView(c *pinelabs.Customer, ts []*CustomerToken) customerView {
	v := customerView{
		ID: deref(c.CustomerID), Reference: deref(c.MerchantCustomerReference),
		Name:   strings.TrimSpace(deref(c.FirstName) + " " + deref(c.LastName)),
		Status: string(deref(c.Status)),
	}
	if m := deref(c.MobileNumber); m != "" {
		v.Mobile = "+" + cmp.Or(deref(c.CountryCode), defaultCountryCode) + " " + m
	}
	if t, err := time.Parse(time.RFC3339, deref(c.CreatedAt)); err == nil {
		v.Created = momentOf(t, dateLayout)
	}
	for _, t := range ts {
		st := string(deref(t.Status))
		row := tokenRow{ID: t.ID(), Status: st, Tone: tokenTone(st), Order: t.OrderID, Saved: momentOf(t.CreatedAt, dateLayout)}
		if cd := t.CardData; cd != nil {
			row.Card = instrument(&pinelabs.PaymentOptionData{CardData: cd})
		}
		v.Tokens = append(v.Tokens, row)
	}
	return v
}

// tokenTone is the colour of a saved token's status.
func tokenTone(status string) string {
	switch status {
	case "ACTIVE":
		return "ok"
	case "INITIATED":
		return "warn"
	case "FAILED", "SUSPENDED":
		return "bad"
	}
	return "muted"
}

func countStatuses(orders []orderView) []statusCount {
	n := map[string]int{}
	for _, o := range orders {
		n[o.Status]++
	}
	counts := make([]statusCount, 0, len(n))
	for st, k := range n {
		counts = append(counts, statusCount{Status: st, Tone: tone(st), N: k})
	}
	slices.SortFunc(counts, func(a, b statusCount) int {
		ra, rb := cmp.Or(statusRank[a.Status], 99), cmp.Or(statusRank[b.Status], 99)
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(a.Status, b.Status))
	})
	return counts
}

func newPaymentRow(p pinelabs.Payment) paymentRow {
	st := string(deref(p.Status))
	row := paymentRow{ID: deref(p.ID), Method: string(deref(p.PaymentMethod)), Status: st, Tone: tone(st), Instrument: instrument(p.PaymentOption)}
	if a := p.PaymentAmount; a != nil {
		row.Amount = money(*a)
	}
	switch {
	case p.ErrorDetail != nil:
		row.Note = string(deref(p.ErrorDetail.Code))
		if m := deref(p.ErrorDetail.Message); m != "" {
			row.Note += ": " + m
		}
	case len(p.CaptureData) > 0:
		var captured pinelabs.Amount
		for _, c := range p.CaptureData {
			if c.CaptureAmount != nil {
				captured.Value += c.CaptureAmount.Value
				captured.Currency = c.CaptureAmount.Currency
			}
		}
		row.Note = "captured " + money(captured)
	}
	return row
}

// instrument names what paid, as far as the API reports it: a card by its
// network and last four digits, never its number.
func instrument(po *pinelabs.PaymentOptionData) string {
	if po == nil {
		return ""
	}
	switch {
	case po.CardData != nil:
		name := deref(po.CardData.NetworkName)
		if name == "" {
			name = "card"
		}
		return name + " •••• " + deref(po.CardData.Last4Digit)
	case po.PointsCardDetails != nil:
		return "points on card •••• " + deref(po.PointsCardDetails.CardLast4)
	case po.BNPLData != nil:
		return "Pay Later · " + string(deref(po.BNPLData.BNPLPayCode))
	case po.BNPLDetails != nil:
		return "Pay Later · " + string(deref(po.BNPLDetails.BNPLPayCode))
	}
	return ""
}

// webhookState says where a delivery stands, and its colour.
func webhookState(d WebhookDelivery) (state, tone string) {
	switch {
	case !d.Delivered.IsZero():
		return "delivered " + d.Delivered.UTC().Format(clockLayout), "ok"
	case d.GaveUp:
		return "gave up after " + attempts(d.Attempts), "bad"
	case d.Attempts > 0 && !d.NextAttempt.IsZero():
		return "failing; next try " + d.NextAttempt.UTC().Format(clockLayout), "warn"
	case d.Attempts > 0:
		return "failing", "warn"
	}
	return "queued", "neutral"
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return strconv.Itoa(n) + " attempts"
}

// truncate shortens s to n bytes and an ellipsis; s is ASCII (a hex
// signature).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// The page, its stylesheet and its script are files in assets/; the
// page names the paths routeDashboard serves them on.
var (
	//go:embed assets/dashboard.html
	dashboardHTML string
	//go:embed assets/dashboard.css
	dashboardCSS string
	//go:embed assets/dashboard.js
	dashboardJS string

	dashboardTemplate = template.Must(template.New("dashboard").Parse(dashboardHTML))
)
