package fakeapi

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/signature"
)

// The error a declined challenge reports, in the callback's error_code and
// error_message and in each failed payment's error_detail.
const (
	DeclineErrorCode    = "PAYMENT_DECLINED"
	DeclineErrorMessage = "The customer declined the payment at the challenge"
)

// maxChallengeForm caps the body of a challenge POST; a genuine one is a
// dozen bytes.
const maxChallengeForm = 4 << 10

// signing reports whether the fake speaks the challenge protocol, that is
// whether Config.SecretKey was set.
func (s *Server) signing() bool { return s.cfg.SecretKey != "" }

var challengePage = template.Must(template.New("challenge").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Authenticate your payment</title></head>
<body>
<h1>Authenticate your payment</h1>
<p>Order {{.OrderID}}{{with .Amount}}: {{.}}{{end}}</p>
<form method="post" action="{{.URL}}">
<input type="hidden" name="action" value="approve">
<button type="submit">Approve</button>
</form>
<form method="post" action="{{.URL}}">
<input type="hidden" name="action" value="decline">
<button type="submit">Decline</button>
</form>
</body>
</html>
`))

var callbackPage = template.Must(template.New("callback").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Returning to the merchant</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><button type="submit">Continue</button></noscript>
</form>
</body>
</html>
`))

// challengeOrder finds the order whose challenge r is about and records the
// request; it answers the error itself and returns nil when there is none.
// s.mu must be held.
func (s *Server) challengeOrder(w http.ResponseWriter, r *http.Request, body []byte) *pinelabs.Order {
	s.record(OpChallenge, r, body, Fault{})
	if !s.signing() {
		http.Error(w, "fakeapi: no challenges are served: Config.SecretKey is not set", http.StatusNotFound)
		return nil
	}
	o, ok := s.orders[r.PathValue("order_id")]
	if !ok || o.ChallengeURL == nil {
		http.Error(w, "no challenge for this order", http.StatusNotFound)
		return nil
	}
	if *o.Status != pinelabs.OrderStatusPENDING {
		http.Error(w, "this challenge is already completed: the order is "+string(*o.Status), http.StatusConflict)
		return nil
	}
	return o
}

// challengePage answers GET challenge_url: a page offering approve and
// decline, each a form posting action=approve or action=decline back to
// the same URL.
func (s *Server) challengePage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o := s.challengeOrder(w, r, nil)
	if o == nil {
		s.mu.Unlock()
		return
	}
	data := struct{ OrderID, Amount, URL string }{OrderID: *o.OrderID, URL: *o.ChallengeURL}
	if a := o.OrderAmount; a != nil {
		data.Amount = formatPaisa(a.Value) + " " + a.Currency
	}
	s.mu.Unlock()
	writeHTML(w, challengePage, data)
}

// challengeAnswer answers the customer's POST of action=approve or
// action=decline: it settles the order and answers a page holding one form
// that posts the signed result to the merchant by itself.
func (s *Server) challengeAnswer(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxChallengeForm))
	if err != nil {
		s.mu.Lock()
		s.record(OpChallenge, r, body, Fault{})
		s.mu.Unlock()
		http.Error(w, "the form is too large", http.StatusRequestEntityTooLarge)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.challengeOrder(w, r, body)
	if o == nil {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		http.Error(w, "the challenge takes an application/x-www-form-urlencoded form", http.StatusUnsupportedMediaType)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || len(form["action"]) != 1 {
		http.Error(w, "the form must hold one action: approve or decline", http.StatusBadRequest)
		return
	}

	var (
		approve     bool
		callbackURL *string
	)
	switch form.Get("action") {
	case "approve":
		approve, callbackURL = true, o.CallbackURL
	case "decline":
		callbackURL = o.FailureCallbackURL
		if callbackURL == nil || *callbackURL == "" {
			callbackURL = o.CallbackURL
		}
	default:
		http.Error(w, "action must be approve or decline", http.StatusBadRequest)
		return
	}
	if callbackURL == nil || !webURL(*callbackURL) {
		http.Error(w, "the order has no http(s) callback_url to return the customer to", http.StatusUnprocessableEntity)
		return
	}

	now := timestamp()
	payStatus, orderStatus := paidStatus(o)
	var detail *pinelabs.ErrorDetail
	if !approve {
		payStatus, orderStatus = pinelabs.PaymentStatusFAILED, pinelabs.OrderStatusFAILED
		detail = &pinelabs.ErrorDetail{Code: ptr(DeclineErrorCode), Message: ptr(DeclineErrorMessage)}
	}
	fields := signature.Fields{
		{Name: signature.FieldOrderID, Value: *o.OrderID},
		{Name: signature.FieldStatus, Value: string(orderStatus)},
	}
	if !approve {
		fields = append(fields,
			signature.Field{Name: signature.FieldErrorCode, Value: DeclineErrorCode},
			signature.Field{Name: signature.FieldErrorMessage, Value: DeclineErrorMessage})
	}
	sig, err := s.key.Sign(fields)
	if err != nil {
		http.Error(w, "fakeapi: signing the callback: "+err.Error(), http.StatusInternalServerError)
		return
	}
	fields = append(fields, signature.Field{Name: signature.FieldSignature, Value: sig})

	for i := range o.Payments {
		if p := &o.Payments[i]; *p.Status == pinelabs.PaymentStatusPENDING {
			p.Status, p.UpdatedAt, p.ErrorDetail = ptr(payStatus), &now, detail
		}
	}
	o.Status, o.UpdatedAt = &orderStatus, &now

	writeHTML(w, callbackPage, struct {
		Action string
		Fields signature.Fields
	}{*callbackURL, fields})
}

// webURL reports whether u is an absolute http or https URL, the only kind
// a form may be sent to here.
func webURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func writeHTML(w http.ResponseWriter, t *template.Template, data any) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		http.Error(w, "fakeapi: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

// formatPaisa writes a non-negative amount in paisa as rupees with two
// decimals.
func formatPaisa(p int64) string { return fmt.Sprintf("%d.%02d", p/100, p%100) }
