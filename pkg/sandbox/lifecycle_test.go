package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pinegen/pinelabs/gen/pinelabs"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/sandbox"
)

func approve() url.Values { return url.Values{"action": {"approve"}} }

func TestPayByPointsSplit(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	amount := client.INR(4573)
	points := client.PointsCardDetails{CardNumber: docsCard, CardLast4: "1112", RegisteredMobileNumber: "9876543210"}

	bal := &client.PointBalanceRequest{}
	bal.OrderDetails.OrderAmount = amount
	bal.PaymentOption.PointsCardDetails = points
	b, err := e.client.CheckPointBalance(ctx, bal)
	if err != nil {
		t.Fatal(err)
	}
	if got := *b.RedeemableAmount.Value; got != 3500 || !*b.IsEligible {
		t.Fatalf("docs' card: redeemable %d eligible %v, want 3500 true", got, *b.IsEligible)
	}

	o := e.order(amount.Value, false)
	if statusOf(o) != pinelabs.OrderStatusCREATED {
		t.Fatalf("new order is %s", statusOf(o))
	}
	o, err = e.client.PayWithPoints(ctx, *o.OrderID, amount, points, card(docsCard))
	if err != nil {
		t.Fatal(err)
	}
	if statusOf(o) != pinelabs.OrderStatusPENDING || o.ChallengeURL == nil {
		t.Fatalf("after the payment: %s, challenge_url %v; want PENDING with one", statusOf(o), o.ChallengeURL)
	}
	if len(o.Payments) != 2 {
		t.Fatalf("want a points and a card payment, got %d", len(o.Payments))
	}
	var sum int64
	for _, p := range o.Payments {
		sum += p.PaymentAmount.Value
		if *p.Status != pinelabs.PaymentStatusPENDING {
			t.Errorf("payment %s is %s, want PENDING", *p.ID, *p.Status)
		}
	}
	if sum != amount.Value {
		t.Errorf("payments add up to %d, want %d", sum, amount.Value)
	}

	page := e.challengePage(*o.ChallengeURL)
	for _, want := range []string{`value="approve"`, `value="decline"`, "INR 45.73"} {
		if !strings.Contains(page, want) {
			t.Errorf("challenge page lacks %q", want)
		}
	}
	action, fields := e.callback(*o.ChallengeURL, approve())
	if action != e.merchant.url {
		t.Errorf("callback goes to %q, want callback_url %q", action, e.merchant.url)
	}
	cb := e.verified(fields)
	if cb.OrderID != *o.OrderID || cb.Status != "PROCESSED" {
		t.Errorf("callback says %s %s", cb.OrderID, cb.Status)
	}
	o = e.get(*o.OrderID)
	if statusOf(o) != pinelabs.OrderStatusPROCESSED {
		t.Fatalf("order is %s after approval, want PROCESSED", statusOf(o))
	}
	for _, p := range o.Payments {
		if *p.Status != pinelabs.PaymentStatusPROCESSED {
			t.Errorf("payment %s is %s, want PROCESSED", *p.ID, *p.Status)
		}
	}
	// The challenge is over; the page says so instead of taking answers.
	if status, _ := e.answer(*o.ChallengeURL, approve()); status != http.StatusConflict {
		t.Errorf("a second answer got %d, want 409", status)
	}
}

func TestPreAuthCaptureAndCancel(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()

	authorize := func(paisa int64) *client.Order {
		o := e.payByCard(e.order(paisa, true), docsCard)
		_, fields := e.callback(*o.ChallengeURL, approve())
		if cb := e.verified(fields); cb.Status != "AUTHORIZED" {
			t.Fatalf("callback status %s, want AUTHORIZED", cb.Status)
		}
		o = e.get(*o.OrderID)
		if statusOf(o) != pinelabs.OrderStatusAUTHORIZED || !*o.PreAuth {
			t.Fatalf("order is %s (pre_auth %v), want AUTHORIZED", statusOf(o), *o.PreAuth)
		}
		return o
	}

	t.Run("partial capture", func(t *testing.T) {
		o := authorize(150000)
		o, err := e.client.CaptureOrder(ctx, *o.OrderID, &client.CaptureRequest{MerchantCaptureReference: "cap-" + *o.OrderID, CaptureAmount: client.INR(100000)})
		if err != nil {
			t.Fatal(err)
		}
		if statusOf(o) != pinelabs.OrderStatusPROCESSED {
			t.Fatalf("captured order is %s", statusOf(o))
		}
		cd := o.Payments[0].CaptureData
		if len(cd) != 1 || cd[0].CaptureAmount.Value != 100000 || *cd[0].MerchantCaptureReference != "cap-"+*o.OrderID {
			t.Errorf("capture_data %+v", cd)
		}
	})
	t.Run("full capture without a body", func(t *testing.T) {
		o := authorize(5000)
		o, err := e.client.CaptureOrder(ctx, *o.OrderID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if statusOf(o) != pinelabs.OrderStatusPROCESSED || o.Payments[0].CaptureData[0].CaptureAmount.Value != 5000 {
			t.Fatalf("captured order is %s with %+v", statusOf(o), o.Payments[0].CaptureData)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		o := authorize(7000)
		o, err := e.client.CancelOrder(ctx, *o.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		if statusOf(o) != pinelabs.OrderStatusCANCELLED || *o.Payments[0].Status != pinelabs.PaymentStatusCANCELLED {
			t.Fatalf("cancelled order is %s, payment %s", statusOf(o), *o.Payments[0].Status)
		}
		_, err = e.client.CaptureOrder(ctx, *o.OrderID, nil)
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "OPERATION_NOT_ALLOWED" {
			t.Fatalf("capture after cancel: %v, want OPERATION_NOT_ALLOWED", err)
		}
	})
}

func TestDeclines(t *testing.T) {
	t.Parallel()
	e := start(t)

	t.Run("customer declines", func(t *testing.T) {
		o := e.payByCard(e.order(2500, false), docsCard)
		action, fields := e.callback(*o.ChallengeURL, url.Values{"action": {"decline"}})
		if action != e.merchant.failureURL {
			t.Errorf("a decline goes to %q, want failure_callback_url", action)
		}
		cb := e.verified(fields)
		if cb.Status != "FAILED" || cb.ErrorCode != "PAYMENT_DECLINED" || cb.ErrorMessage == "" {
			t.Errorf("callback %+v", cb)
		}
		o = e.get(*o.OrderID)
		if statusOf(o) != pinelabs.OrderStatusFAILED || *o.Payments[0].Status != pinelabs.PaymentStatusFAILED || *o.Payments[0].ErrorDetail.Code != "PAYMENT_DECLINED" {
			t.Errorf("order %s, payment %s", statusOf(o), *o.Payments[0].Status)
		}
	})
	for _, tc := range sandbox.TestCards {
		if tc.Decline == "" {
			continue
		}
		t.Run("card "+string(tc.Decline), func(t *testing.T) {
			o := e.payByCard(e.order(2500, false), tc.Number)
			action, fields := e.callback(*o.ChallengeURL, approve())
			cb := e.verified(fields)
			if action != e.merchant.failureURL || cb.Status != "FAILED" || cb.ErrorCode != string(tc.Decline) {
				t.Errorf("callback to %s: %+v, want FAILED %s", action, cb, tc.Decline)
			}
			if o = e.get(*o.OrderID); statusOf(o) != pinelabs.OrderStatusFAILED {
				t.Errorf("order is %s", statusOf(o))
			}
		})
	}
	t.Run("no failure_callback_url", func(t *testing.T) {
		o, err := e.client.CreateOrder(context.Background(), &client.CreateOrderRequest{
			MerchantOrderReference: "no-failure-url", OrderAmount: client.INR(900), CallbackURL: &e.merchant.url,
		})
		if err != nil {
			t.Fatal(err)
		}
		o = e.payByCard(o, docsCard)
		if action, _ := e.callback(*o.ChallengeURL, url.Values{"action": {"decline"}}); action != e.merchant.url {
			t.Errorf("without failure_callback_url a decline goes to %q, want callback_url", action)
		}
	})
}

func TestWrongOTP(t *testing.T) {
	t.Parallel()
	e := start(t)
	wrong := url.Values{"action": {"approve"}, "otp": {"000000"}}

	t.Run("retried", func(t *testing.T) {
		o := e.payByCard(e.order(2500, false), docsCard)
		for left := sandbox.MaxOTPAttempts - 1; left > 0; left-- {
			status, page := e.answer(*o.ChallengeURL, wrong)
			if status != http.StatusOK || !strings.Contains(page, "Wrong OTP") || strings.Contains(page, `action="`+e.merchant.url) {
				t.Fatalf("wrong OTP: %d, page does not ask again:\n%s", status, page)
			}
			got := e.get(*o.OrderID)
			if statusOf(got) != pinelabs.OrderStatusATTEMPTED || int(*got.PaymentRetriesRemaining) != left {
				t.Fatalf("after a wrong OTP: %s with %d retries, want ATTEMPTED with %d", statusOf(got), *got.PaymentRetriesRemaining, left)
			}
		}
		_, fields := e.callback(*o.ChallengeURL, url.Values{"action": {"approve"}, "otp": {sandbox.OTP}})
		if cb := e.verified(fields); cb.Status != "PROCESSED" {
			t.Errorf("the right OTP after wrong ones: %s", cb.Status)
		}
	})
	t.Run("exhausted", func(t *testing.T) {
		o := e.payByCard(e.order(2500, false), docsCard)
		for range sandbox.MaxOTPAttempts - 1 {
			e.answer(*o.ChallengeURL, wrong)
		}
		action, fields := e.callback(*o.ChallengeURL, wrong)
		cb := e.verified(fields)
		if action != e.merchant.failureURL || cb.Status != "FAILED" || cb.ErrorCode != "USER_AUTHENTICATION_FAILED" {
			t.Errorf("last wrong OTP: callback to %s %+v", action, cb)
		}
		if got := e.get(*o.OrderID); statusOf(got) != pinelabs.OrderStatusFAILED || *got.PaymentRetriesRemaining != 0 {
			t.Errorf("order %s with %d retries, want FAILED with 0", statusOf(got), *got.PaymentRetriesRemaining)
		}
	})
}

func TestPayLater(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	for _, m := range sandbox.PayLaterMobiles {
		req := &client.BNPLEligibilityRequest{Amount: client.INR(3400), Mobile: m.Mobile, PayCode: client.BNPLSimpl3}
		req.DeviceInfo = deviceInfo()
		r, err := e.client.CheckBNPLEligibility(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if *r.TxnEligibility != m.Eligible {
			t.Errorf("%s: eligible %v, want %v", m.Mobile, *r.TxnEligibility, m.Eligible)
		}
		if !m.Eligible {
			continue
		}
		var sum int64
		for _, in := range r.Metadata.Installments {
			sum += *in.AmountInPaise
		}
		if len(r.Metadata.Installments) != 3 || sum != 3400 {
			t.Errorf("%s: SIMPL3 instalments %+v, want 3 adding up to 3400", m.Mobile, r.Metadata.Installments)
		}
	}

	o := e.order(3400, false)
	o, err := e.client.PayLater(ctx, *o.OrderID, client.INR(3400), "9876543210", client.BNPLLazyPay, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, fields := e.callback(*o.ChallengeURL, approve()); e.verified(fields).Status != "PROCESSED" {
		t.Error("Pay Later was not PROCESSED after approval")
	}
}

func deviceInfo() *client.DeviceInfo {
	return &client.DeviceInfo{
		BrowserIPAddress: "203.0.113.7", BrowserUserAgent: "Mozilla/5.0", DeviceManufacturer: "Google",
		DeviceModel: "Pixel 8", OperatingSystem: "Android 15", SourceIPAddress: "203.0.113.7",
	}
}

// Only one of many concurrent captures of one order may succeed; the rest
// find it no longer AUTHORIZED.
func TestConcurrentCaptures(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := e.payByCard(e.order(10000, true), docsCard)
	e.callback(*o.ChallengeURL, approve())
	tok := e.token()

	const n = 24
	var wg sync.WaitGroup
	statuses := make([]int, n)
	codes := make([]any, n)
	for i := range n {
		wg.Go(func() {
			statuses[i], codes[i] = func() (int, any) {
				s, body := e.raw("PUT", "/api/pay/v1/orders/"+*o.OrderID+"/capture", tok, nil)
				return s, body["code"]
			}()
		})
	}
	wg.Wait()
	ok := 0
	for i := range n {
		switch {
		case statuses[i] == http.StatusOK:
			ok++
		case statuses[i] != http.StatusUnprocessableEntity || codes[i] != "OPERATION_NOT_ALLOWED":
			t.Errorf("capture %d: %d %v", i, statuses[i], codes[i])
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent captures succeeded, want exactly 1", ok, n)
	}
	got := e.get(*o.OrderID)
	if n := len(got.Payments[0].CaptureData); n != 1 {
		t.Errorf("the payment records %d captures, want 1", n)
	}
}
