package sandbox

import (
	"bytes"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/lenient"
	"github.com/pinegen/pinelabs/pkg/signature"
)

// The challenge is the customer's side of a payment: challenge_url shows
// a page to approve or decline (with an OTP field); the answer is a page
// whose form posts the signed result to the merchant by itself. See
// DESIGN.md's challenge protocol.

// maxChallengeForm caps a challenge POST's body; a real one is a few
// dozen bytes.
const maxChallengeForm = 4 << 10

var challengeTemplate = template.Must(template.New("challenge").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Pine Labs sandbox: authenticate your payment</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
.amount{font-size:1.6rem;margin:.5rem 0}.note{color:#555;font-size:.9rem}.error{color:#b00020}
button{font-size:1rem;padding:.5rem 1.2rem;margin:.3rem .3rem 0 0}</style></head>
<body>
<h1>Authenticate your payment</h1>
<p class="amount">{{.Amount}}</p>
<p>Order <code>{{.OrderID}}</code>{{with .Instrument}}, paid with {{.}}{{end}}</p>
{{with .Problem}}<p class="error" role="alert">{{.}}</p>{{end}}
<form method="post" action="{{.URL}}">
<label>One-time password <input name="otp" value="{{.OTP}}" inputmode="numeric" autocomplete="one-time-code"></label>
<p class="note">The sandbox's OTP is {{.OTP}}; any other value is a wrong OTP ({{.Left}} tries left).</p>
<button type="submit" name="action" value="approve">Approve</button>
</form>
<form method="post" action="{{.URL}}">
<button type="submit" name="action" value="decline">Decline</button>
</form>
</body>
</html>
`))

var callbackTemplate = template.Must(template.New("callback").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Returning to the merchant</title></head>
<body onload="document.forms[0].submit()">
<p>Returning to the merchant…</p>
<form method="post" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><button type="submit">Continue</button></noscript>
</form>
</body>
</html>
`))

type challengeView struct {
	OrderID, Amount, Instrument, URL, OTP, Problem string
	Left                                           int
}

func (s *Sandbox) challengeView(o *Order, problem string) challengeView {
	v := challengeView{
		OrderID: o.ID(), URL: deref(o.ChallengeURL), OTP: OTP, Problem: problem,
		Left: int(deref(o.PaymentRetriesRemaining)),
	}
	if a := o.OrderAmount; a != nil {
		v.Amount = money(*a)
	}
	for _, p := range o.Payments {
		if deref(p.Status) != pinelabs.PaymentStatusPENDING || p.PaymentOption == nil {
			continue
		}
		switch po := p.PaymentOption; {
		case po.CardData != nil:
			v.Instrument = "card ending " + deref(po.CardData.Last4Digit)
		case po.BNPLData != nil && v.Instrument == "":
			v.Instrument = "Pay Later (" + string(deref(po.BNPLData.BNPLPayCode)) + ")"
		case po.PointsCardDetails != nil && v.Instrument == "":
			v.Instrument = "points on card ending " + deref(po.PointsCardDetails.CardLast4)
		}
	}
	return v
}

// pendingOrder reads the order a challenge is about; it answers the
// request itself and returns nil when there is no challenge to take.
func (s *Sandbox) pendingOrder(w http.ResponseWriter, r *http.Request, tx Tx) *Order {
	o, err := tx.Order(r.PathValue("order_id"))
	switch {
	case errors.Is(err, ErrNotFound), err == nil && o.ChallengeURL == nil:
		http.Error(w, "There is no challenge for this order.", http.StatusNotFound)
		return nil
	case err != nil:
		s.log.Error("sandbox: reading an order for its challenge", "err", err)
		http.Error(w, "The sandbox could not read its store.", http.StatusInternalServerError)
		return nil
	}
	if st := o.Status(); st != pinelabs.OrderStatusPENDING && st != pinelabs.OrderStatusATTEMPTED {
		http.Error(w, "This challenge is over: the order is "+string(st)+".", http.StatusConflict)
		return nil
	}
	return o
}

// challengePage answers GET challenge_url.
func (s *Sandbox) challengePage(w http.ResponseWriter, r *http.Request) {
	var view *challengeView
	s.store.View(r.Context(), func(tx Tx) error {
		if o := s.pendingOrder(w, r, tx); o != nil {
			v := s.challengeView(o, "")
			view = &v
		}
		return nil
	})
	if view != nil {
		writeHTML(w, http.StatusOK, challengeTemplate, view)
	}
}

// challengeAnswer answers the customer's POST: approve (with the right
// OTP, or none), approve with a wrong OTP, or decline.
func (s *Sandbox) challengeAnswer(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxChallengeForm))
	if err != nil {
		http.Error(w, "The form is too large.", http.StatusRequestEntityTooLarge)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		http.Error(w, "The challenge takes an application/x-www-form-urlencoded form.", http.StatusUnsupportedMediaType)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || len(form["action"]) != 1 || len(form["otp"]) > 1 {
		http.Error(w, "The form must hold one action (approve or decline) and at most one otp.", http.StatusBadRequest)
		return
	}
	action := form.Get("action")
	if action != "approve" && action != "decline" {
		http.Error(w, "action must be approve or decline.", http.StatusBadRequest)
		return
	}
	_, hasOTP := form["otp"]

	var (
		page   *template.Template
		data   any
		status = http.StatusOK
	)
	err = s.update(r.Context(), func(tx Tx) error {
		stored := s.pendingOrder(w, r, tx)
		if stored == nil {
			return errAnswered
		}
		o := stored.Clone()
		now := time.Now()
		o.UpdatedAt = ptr(timestamp(now))

		if action == "approve" && hasOTP && form.Get("otp") != OTP {
			o.OTPFailures++
			left := max(MaxOTPAttempts-o.OTPFailures, 0)
			o.PaymentRetriesRemaining = ptr(lenient.Int(left))
			if left > 0 {
				s.setStatus(o, now, pinelabs.OrderStatusATTEMPTED, "wrong OTP; "+strconv.Itoa(left)+" tries left")
				page, data, status = challengeTemplate, s.challengeView(o, "Wrong OTP. Try again."), http.StatusOK
				return tx.PutOrder(o)
			}
			fields, target, err := s.settle(tx, o, now, false, "USER_AUTHENTICATION_FAILED", "The OTP was wrong "+strconv.Itoa(MaxOTPAttempts)+" times")
			if err != nil {
				return err
			}
			page, data = callbackTemplate, callbackView{target, fields}
			return tx.PutOrder(o)
		}

		var fields signature.Fields
		var target string
		var err error
		if action == "approve" {
			if code, msg := issuerDecline(o); code != "" {
				fields, target, err = s.settle(tx, o, now, false, code, msg)
			} else {
				fields, target, err = s.settle(tx, o, now, true, "", "")
			}
		} else {
			fields, target, err = s.settle(tx, o, now, false, "PAYMENT_DECLINED", "The customer declined the payment at the challenge")
		}
		if err != nil {
			return err
		}
		page, data = callbackTemplate, callbackView{target, fields}
		return tx.PutOrder(o)
	})
	var refused *apiError
	switch {
	case errors.Is(err, errAnswered):
	case errors.As(err, &refused):
		http.Error(w, refused.message, refused.status)
	case err != nil:
		s.log.Error("sandbox: answering a challenge", "err", err)
		http.Error(w, "The sandbox could not record the answer.", http.StatusInternalServerError)
	default:
		writeHTML(w, status, page, data)
	}
}

// errAnswered: the request was answered inside the update, which made no
// change.
var errAnswered = errors.New("sandbox: answered")

type callbackView struct {
	Action string
	Fields signature.Fields
}

// issuerDecline is the code and message a test card declines with after
// an approved challenge; empty for an approval.
func issuerDecline(o *Order) (pinelabs.ErrorCode, string) {
	if o.Decline == "" {
		return "", ""
	}
	return o.Decline, "The issuer declined the payment (sandbox test card)"
}

// settle ends the challenge: every pending payment and the order succeed
// (AUTHORIZED for a pre-auth order, else PROCESSED) or fail with code, and
// the result is signed for the merchant. A card the payment asked to save
// is saved on success, and forgotten on failure. It returns the callback's
// fields and where to post them: callback_url, or failure_callback_url on
// a failure when the order has one.
func (s *Sandbox) settle(tx Tx, o *Order, now time.Time, ok bool, code pinelabs.ErrorCode, message string) (signature.Fields, string, error) {
	target := deref(o.CallbackURL)
	if !ok && deref(o.FailureCallbackURL) != "" {
		target = deref(o.FailureCallbackURL)
	}
	if !webURL(target) {
		return nil, "", &apiError{status: http.StatusUnprocessableEntity, message: "The order has no http(s) callback_url to return the customer to."}
	}
	payStatus, status, what := pinelabs.PaymentStatusFAILED, pinelabs.OrderStatusFAILED, "failed at the challenge: "+message
	var detail *pinelabs.ErrorDetail
	if ok {
		payStatus, status, what = pinelabs.PaymentStatusPROCESSED, pinelabs.OrderStatusPROCESSED, "challenge approved; paid"
		if deref(o.PreAuth) {
			payStatus, status, what = pinelabs.PaymentStatusAUTHORIZED, pinelabs.OrderStatusAUTHORIZED, "challenge approved; authorised, waiting for capture"
		}
	} else {
		detail = &pinelabs.ErrorDetail{Code: ptr(code), Message: ptr(message)}
	}
	for i := range o.Payments {
		if p := &o.Payments[i]; deref(p.Status) == pinelabs.PaymentStatusPENDING {
			p.Status, p.UpdatedAt, p.ErrorDetail = ptr(payStatus), ptr(timestamp(now)), detail
		}
	}
	s.setStatus(o, now, status, what)
	if ok {
		if err := s.saveCard(tx, o, now); err != nil {
			return nil, "", err
		}
	}
	o.CardToSave = nil

	fields := signature.Fields{
		{Name: signature.FieldOrderID, Value: o.ID()},
		{Name: signature.FieldStatus, Value: string(status)},
	}
	if !ok {
		fields = append(fields,
			signature.Field{Name: signature.FieldErrorCode, Value: string(code)},
			signature.Field{Name: signature.FieldErrorMessage, Value: message})
	}
	sig, err := s.key.Sign(fields)
	if err != nil {
		return nil, "", err
	}
	fields = append(fields, signature.Field{Name: signature.FieldSignature, Value: sig})
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[f.Name] = f.Value
	}
	o.Events = append(o.Events, Event{At: now, Kind: EventCallback, Status: status, What: "customer sent back to the merchant with a signed " + string(status), URL: target, Fields: m})
	return fields, target, nil
}

// webURL reports whether u is an absolute http or https URL, the only kind
// a form may be sent to here.
func webURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func writeHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		http.Error(w, "The sandbox could not render the page.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
