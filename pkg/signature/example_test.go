package signature_test

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/pinegen/pinelabs/pkg/signature"
)

// In real code the secret comes from configuration, never from source.
const exampleSecret = "276a2bf0d2c0f10db6c1be1a7b461a18"

func ExampleKey_Sign() {
	key, err := signature.ParseKey(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	sig, err := key.Sign(signature.Fields{
		{Name: "order_id", Value: "random_order_id"},
		{Name: "status", Value: "AUTHORIZED"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sig)
	// Output: A2019D1E7FAE08043483D461596C6D1B83205D4F876DD12FAD28C1FE8EDE16E3
}

func ExampleKey_Verify() {
	key, err := signature.ParseKey(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	fields := signature.Fields{
		{Name: "status", Value: "AUTHORIZED"},
		{Name: "order_id", Value: "random_order_id"},
	}
	// Either hex case is accepted.
	err = key.Verify(fields, "a2019d1e7fae08043483d461596c6d1b83205d4f876dd12fad28c1fe8ede16e3")
	fmt.Println(err)

	fields[0].Value = "FAILED"
	err = key.Verify(fields, "a2019d1e7fae08043483d461596c6d1b83205d4f876dd12fad28c1fe8ede16e3")
	fmt.Println(errors.Is(err, signature.ErrSignatureMismatch))
	// Output:
	// <nil>
	// true
}

func ExampleRequireSignedCallback() {
	key, err := signature.ParseKey(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	orderReturn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb, _ := signature.CallbackFromContext(r.Context())
		fmt.Fprintf(w, "order %s is %s", cb.OrderID, cb.Status)
	})
	mux := http.NewServeMux()
	mux.Handle("POST /pay/return", signature.RequireSignedCallback(key, orderReturn))

	// What the customer's browser posts back after paying.
	post := func(sig string) {
		form := url.Values{"order_id": {"random_order_id"}, "status": {"AUTHORIZED"}, "signature": {sig}}
		r := httptest.NewRequest("POST", "/pay/return", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		body, _ := io.ReadAll(w.Body)
		fmt.Printf("%d %s\n", w.Code, strings.TrimSpace(string(body)))
	}
	post("A2019D1E7FAE08043483D461596C6D1B83205D4F876DD12FAD28C1FE8EDE16E3")
	post("B2019D1E7FAE08043483D461596C6D1B83205D4F876DD12FAD28C1FE8EDE16E3")
	// Output:
	// 200 order random_order_id is AUTHORIZED
	// 400 invalid callback signature
}

func ExampleWebhookVerifier_Verify() {
	// The vector published in the Pine Labs docs, whose secret is used as
	// raw bytes. A dashboard secret ("whsec_..." base64) needs no option.
	v, err := signature.NewWebhookVerifier("abc1234", signature.WithRawSecret(),
		// Only so the old published timestamp is inside the tolerance.
		signature.WithClock(func() time.Time { return time.Unix(1728543028, 0) }))
	if err != nil {
		log.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "msg_2nEfCaUDn9fynC9Kz2upo1QSydl")
	h.Set("webhook-timestamp", "1728543028")
	h.Set("webhook-signature", "v1,Ns46HrH+Nfu9dZtBUVvSLyrOD5JH0SAGlNo3M5yobfQ=")
	ev, err := v.Verify(h, []byte(`{"payload":"payload"}`))
	fmt.Println(ev.ID, err)
	// Output: msg_2nEfCaUDn9fynC9Kz2upo1QSydl <nil>
}

func ExampleWebhookVerifier_Handler() {
	v, err := signature.NewWebhookVerifier("whsec_cmKQd3bUvHkAShg17Oejzhj0/21ZIx9bdnTCtGTBP48=")
	if err != nil {
		log.Fatal(err)
	}
	seen := map[string]bool{} // a real service keeps this in its database
	http.Handle("POST /webhooks/pinelabs", v.Handler(func(w http.ResponseWriter, r *http.Request, ev *signature.Event) {
		// Pine Labs resends with the same webhook-id until it gets a 2xx.
		if seen[ev.ID] {
			w.WriteHeader(http.StatusOK)
			return
		}
		switch ev.Type {
		case signature.EventOrderProcessed, signature.EventOrderAuthorized:
			// decode ev.Data and mark the order paid
		case signature.EventRefundProcessed:
			// ...
		default:
			// Unknown types still arrive here; acknowledge them.
		}
		seen[ev.ID] = true
		w.WriteHeader(http.StatusOK)
	}))
}
