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
