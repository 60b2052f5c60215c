package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/pinegen/pinelabs/pkg/webhook"
)

// A delivery recorded in testdata/webhook-vectors.txt (signed by openssl),
// with its random test secret. In real code the secret comes from
// configuration, never from source.
const (
	exampleSecret = "whsec_057h3tRROZbBtIFhw48N5q/31znPa/eC"
	exampleID     = "msg_2pQv7TzK1nB3xL0a"
	exampleSentAt = 1749900000
	exampleSig    = "v1,xgjpyR34ra+2CtacleWXyYUWhNrvsccAV7GRbost/b8="
	exampleBody   = `{"event_type":"ORDER_AUTHORIZED","data":{"order_id":"v1-250614-0001-aB3dE9","status":"AUTHORIZED","amount":{"value":110000,"currency":"INR"}}}`
)

// deliver posts the recorded delivery to h, with body in place of the
// signed one, and prints the answer.
func deliver(h http.Handler, body string) {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/pinelabs", strings.NewReader(body))
	r.Header.Set(webhook.HeaderID, exampleID)
	r.Header.Set(webhook.HeaderTimestamp, fmt.Sprint(exampleSentAt))
	r.Header.Set(webhook.HeaderSignature, exampleSig)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
}

// A handler of your own: read the raw body, verify it, then switch on the
// event type.
func Example() {
	v, err := webhook.NewVerifier(exampleSecret,
		// Only so the recorded delivery is inside the 5-minute tolerance.
		webhook.WithClock(func() time.Time { return time.Unix(exampleSentAt, 30) }))
	if err != nil {
		log.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, webhook.DefaultMaxBodyBytes))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		// The raw bytes: JSON decoded and encoded again will not verify.
		ev, err := v.Verify(r.Header, body)
		if err != nil {
			// errors.Is(err, webhook.ErrTimestampTooOld) and the like tell
			// the causes apart; the sender needs only the status.
			http.Error(w, "invalid webhook", http.StatusBadRequest)
			return
		}
		switch ev.Type {
		case webhook.EventOrderAuthorized, webhook.EventOrderProcessed:
			var order struct {
				OrderID string `json:"order_id"`
				Status  string `json:"status"`
			}
			if err := json.Unmarshal(ev.Data, &order); err != nil {
				http.Error(w, "unexpected order data", http.StatusBadRequest)
				return
			}
			fmt.Fprintf(w, "order %s is %s", order.OrderID, order.Status)
		case webhook.EventRefundProcessed, webhook.EventRefundFailed:
			// ...
		default:
			// Types added after this package still arrive; acknowledge
			// them, since any status but 2xx makes Pine Labs retry.
			fmt.Fprintf(w, "ignored %s", ev.Type)
		}
	})

	deliver(h, exampleBody)
	deliver(h, strings.Replace(exampleBody, "110000", "1", 1))
	// Output:
	// 200 order v1-250614-0001-aB3dE9 is AUTHORIZED
	// 400 invalid webhook
}

// Handler does the reading and verifying, and answers failures itself;
// next sees only verified events.
func ExampleVerifier_Handler() {
	v, err := webhook.NewVerifier(exampleSecret,
		// Only so the recorded delivery is inside the 5-minute tolerance.
		webhook.WithClock(func() time.Time { return time.Unix(exampleSentAt, 30) }))
	if err != nil {
		log.Fatal(err)
	}
	seen := map[string]bool{} // a real service keeps this in its database
	h := v.Handler(func(w http.ResponseWriter, r *http.Request, ev *webhook.Event) {
		// Pine Labs resends with the same webhook-id until it gets a 2xx.
		if seen[ev.ID] {
			fmt.Fprint(w, "already handled")
			return
		}
		switch ev.Type {
		case webhook.EventOrderAuthorized, webhook.EventOrderProcessed:
			// decode ev.Data and mark the order paid
		case webhook.EventRefundProcessed:
			// ...
		default:
			// Unknown types still arrive here; acknowledge them.
		}
		seen[ev.ID] = true
		fmt.Fprintf(w, "handled %s", ev.Type)
	})

	deliver(h, exampleBody)
	deliver(h, exampleBody)
	deliver(h, strings.Replace(exampleBody, "110000", "1", 1))
	// Output:
	// 200 handled ORDER_AUTHORIZED
	// 200 already handled
	// 400 invalid webhook signature
}

func ExampleVerifier_Verify() {
	// The vector published in the Pine Labs docs, whose secret is used as
	// raw bytes. A dashboard secret ("whsec_..." base64) needs no option.
	v, err := webhook.NewVerifier("abc1234", webhook.WithRawSecret(),
		// Only so the old published timestamp is inside the tolerance.
		webhook.WithClock(func() time.Time { return time.Unix(1728543028, 0) }))
	if err != nil {
		log.Fatal(err)
	}
	h := http.Header{}
	h.Set(webhook.HeaderID, "msg_2nEfCaUDn9fynC9Kz2upo1QSydl")
	h.Set(webhook.HeaderTimestamp, "1728543028")
	h.Set(webhook.HeaderSignature, "v1,Ns46HrH+Nfu9dZtBUVvSLyrOD5JH0SAGlNo3M5yobfQ=")
	ev, err := v.Verify(h, []byte(`{"payload":"payload"}`))
	fmt.Println(ev.ID, err)
	// Output: msg_2nEfCaUDn9fynC9Kz2upo1QSydl <nil>
}

// A simulator signs deliveries as Pine Labs does, and a Verifier built
// from the same secret accepts them. Given the recorded delivery's ID,
// time and body, Sign writes the recorded signature.
func ExampleSigner() {
	s, err := webhook.NewSigner(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	h := s.Sign(exampleID, time.Unix(exampleSentAt, 0), []byte(exampleBody))
	for _, name := range []string{webhook.HeaderID, webhook.HeaderTimestamp, webhook.HeaderSignature} {
		fmt.Printf("%s: %s\n", name, h.Get(name))
	}

	v, err := webhook.NewVerifier(exampleSecret,
		// Only so the recorded time is inside the 5-minute tolerance.
		webhook.WithClock(func() time.Time { return time.Unix(exampleSentAt, 30) }))
	if err != nil {
		log.Fatal(err)
	}
	ev, err := v.Verify(h, []byte(exampleBody))
	fmt.Println(ev.ID, ev.Type, err)
	_, err = v.Verify(h, []byte(strings.Replace(exampleBody, "110000", "1", 1)))
	fmt.Println(err)
	// Output:
	// webhook-id: msg_2pQv7TzK1nB3xL0a
	// webhook-timestamp: 1749900000
	// webhook-signature: v1,xgjpyR34ra+2CtacleWXyYUWhNrvsccAV7GRbost/b8=
	// msg_2pQv7TzK1nB3xL0a ORDER_AUTHORIZED <nil>
	// webhook: no matching signature
}

// Sign's headers go on the request that carries the same body, here to a
// test server standing in for a merchant's endpoint.
func ExampleSigner_Sign() {
	s, err := webhook.NewSigner(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	v, err := webhook.NewVerifier(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(v.Handler(func(w http.ResponseWriter, r *http.Request, ev *webhook.Event) {
		fmt.Fprintf(w, "handled %s %s", ev.ID, ev.Type)
	}))
	defer srv.Close()

	body := []byte(exampleBody)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	// Signed with the time of sending: a retry keeps the ID and is signed
	// again.
	req.Header = s.Sign("msg_sim_0001", time.Now(), body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, string(answer))
	// Output: 200 handled msg_sim_0001 ORDER_AUTHORIZED
}
