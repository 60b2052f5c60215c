package client

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/internal/fakeapi"
)

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		code   string
		is     []error
		isNot  []error
	}{
		{422, "PAYMENT_DECLINED", []error{ErrPaymentDeclined}, []error{ErrInsufficientFunds, ErrUnauthorized, ErrOutcomeUnknown}},
		{422, "INSUFFICIENT_FUNDS", []error{ErrInsufficientFunds}, []error{ErrPaymentDeclined}},
		{422, "CARD_EXPIRED", []error{ErrCardExpired}, nil},
		{422, "USER_AUTHENTICATION_FAILED", []error{ErrAuthenticationFailed}, nil},
		{422, "DUPLICATE_REQUEST", []error{ErrDuplicateRequest}, nil},
		{401, "", []error{ErrUnauthorized}, nil}, // an older 401 has only a message
		{429, "PAYMENT_RATE_LIMIT", []error{ErrRateLimited}, nil},
		{404, "ORDER_NOT_FOUND", []error{ErrOrderNotFound, ErrNotFound}, []error{ErrInvalidRequest}},
		{404, "TOKEN_NOT_FOUND", []error{ErrNotFound}, []error{ErrDuplicateRequest}},
		{422, "AMOUNT_LIMIT_EXCEEDED", []error{ErrAmountLimitExceeded}, []error{ErrNotFound, ErrDuplicateRequest}},
		{400, "INVALID_REQUEST", []error{ErrInvalidRequest}, nil},
		{500, "INTERNAL_ERROR", nil, []error{ErrPaymentDeclined, ErrInvalidRequest, ErrUnauthorized}},
	}
	for _, c := range cases {
		err := fmt.Errorf("wrapped: %w", &APIError{StatusCode: c.status, Code: c.code, Operation: "createPayment"})
		for _, target := range c.is {
			if !errors.Is(err, target) {
				t.Errorf("%d %s: not Is %v", c.status, c.code, target)
			}
		}
		for _, target := range c.isNot {
			if errors.Is(err, target) {
				t.Errorf("%d %s: Is %v", c.status, c.code, target)
			}
		}
	}
}

func TestAPIErrorFromBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, want string
	}{
		{"error object",
			`{"code":"PAYMENT_DECLINED","message":"Transaction declined","additional_error_details":{"source":"ISSUER","reason":"do not honour"}}`,
			"pinelabs createPayment: 422 PAYMENT_DECLINED: Transaction declined (do not honour) (request-id rid-1)"},
		{"card echoed in message",
			`{"code":"INVALID_REQUEST","message":"bad card 4012001037141112"}`,
			"pinelabs createPayment: 422 INVALID_REQUEST: bad card [redacted, 16 characters, ending 1112] (request-id rid-1)"},
		{"not JSON",
			`<html><body>Bad gateway 4012001037141112</body></html>`,
			"pinelabs createPayment: 422: <html><body>Bad gateway [redacted, 16 characters, ending 1112]</body></html> (request-id rid-1)"},
		{"JSON but not an error object",
			`{"card_number":"4012001037141112","cvv":"123"}`,
			`pinelabs createPayment: 422: {"card_number":"[redacted, 16 characters, ending 1112]","cvv":"[redacted, 3 characters]"} (request-id rid-1)`},
		{"empty", ``, "pinelabs createPayment: 422: Unprocessable Entity (request-id rid-1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := newAPIError("createPayment", "rid-1", 422, []byte(c.body), false).Error(); got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
	// The token call's body may echo the secret where no redactor can find
	// it: only its length is shown.
	echo := "client_id=id&client_secret=s3cr3t-plain&grant_type=client_credentials"
	if got, want := newAPIError("generateToken", "rid-2", 500, []byte(echo), true).Error(),
		"pinelabs generateToken: 500: Internal Server Error (a 69-byte body that is not JSON, not shown) (request-id rid-2)"; got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	long := newAPIError("getOrder", "rid", 502, bytes.Repeat([]byte("x"), 1000), false)
	if len(long.Message) > excerptLen {
		t.Errorf("excerpt of %d bytes", len(long.Message))
	}
}

func TestDecodeErrorExcerptRedacted(t *testing.T) {
	t.Parallel()
	s := newAPI(t)
	c, _ := testClient(t, s, WithRetries(0))
	s.Inject(fakeapi.OpGetOrder, notJSON)
	_, err := c.GetOrder(t.Context(), "v1-x")
	var d *DecodeError
	if !errors.As(err, &d) || d.StatusCode != 200 || d.Excerpt != "<html>ok</html>" {
		t.Fatalf("err = %v", err)
	}
}

// TestDebugLogsRedacted runs a card flow with debug logging and a server
// that echoes the card and fails once, and finds no secret in any log line
// or error string.
func TestDebugLogsRedacted(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := newAPI(t)
	c, _ := testClient(t, s, WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	o, err := c.CreateOrder(t.Context(), orderRequest("ref-logs"))
	if err != nil {
		t.Fatal(err)
	}
	s.Inject(fakeapi.OpCreatePayment, fakeapi.DropResponse())
	var errs []string
	if _, err := c.CreatePayment(t.Context(), *o.OrderID, cardPayment(150000)); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreatePayment(t.Context(), "v1-missing", cardPayment(150000))
	errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))
	tok, _ := c.token(t.Context())
	// Bodies are logged as strings; unescape them to look inside.
	out := strings.ReplaceAll(logs.String(), `\"`, `"`) + strings.Join(errs, "\n")
	for _, secret := range []string{testPAN, `"123"`, testSecret, tok} {
		if strings.Contains(out, secret) {
			t.Errorf("%q appears in the logs or errors", secret)
		}
	}
	for _, want := range []string{`"method":"POST"`, `"path":"/api/pay/v1/orders"`, `"status":200`, `"request_id":"`, `"duration":`,
		`ending 1112]`, `"client_secret":"[redacted, 18 characters]"`, `"access_token":"[redacted`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
