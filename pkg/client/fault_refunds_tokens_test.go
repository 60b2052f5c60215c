package client_test

// Fault injection for refunds and saved-token deletes, beyond what the
// stateOps table in fault_test.go runs for every state-changing call: the
// refund's own reference as its idempotency key, and the delete's
// reconciliation by reading the token back.

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/fakeapi"
	"github.com/pinegen/pinelabs/pkg/client"
)

// The server refunds, the response is lost, and lookups lag far behind: the
// client may try once more under the same reference, which the server
// refuses as a duplicate, but the money goes back once.
func TestFaultRefundLostResponseNotIssuedTwice(t *testing.T) {
	t.Parallel()
	for _, lag := range []int{0, 1, 100} {
		t.Run(fmt.Sprintf("lag %d", lag), func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, fakeapi.Config{LookupLag: lag})
			id := s.PutProcessedOrder("rf-parent", 110000)
			s.Inject(fakeapi.OpCreateRefund, fakeapi.DropResponse())
			o, err := c.CreateRefund(context.Background(), id, &client.RefundRequest{
				MerchantOrderReference: "rf-1", OrderAmount: ptr(client.INR(30000)),
			})
			if err != nil && !errors.Is(err, client.ErrOutcomeUnknown) {
				t.Fatalf("got %v; the server refunded, so want success or ErrOutcomeUnknown", err)
			}
			if err == nil && (o == nil || o.ParentOrderID == nil || *o.ParentOrderID != id) {
				t.Fatalf("got %v", o)
			}
			wantCounts(t, s, fakeapi.Counts{Tokens: 1, Refunds: 1})
			if got := s.Refunded(id); got != 30000 {
				t.Errorf("refunded %d paisa, want 30000", got)
			}
			sameRequestID(t, s, fakeapi.OpCreateRefund, s.Hits(fakeapi.OpCreateRefund))
			if s.Hits(fakeapi.OpGetOrderByReference) == 0 {
				t.Error("no lookup by the refund's reference")
			}
		})
	}
}

// A refund whose reference was used before is a duplicate, whatever the
// amount, and the caller is told so plainly: the server refused it before
// doing anything.
func TestFaultRefundReferenceReused(t *testing.T) {
	t.Parallel()
	s, c := newFake(t, fakeapi.Config{})
	ctx := context.Background()
	id := s.PutProcessedOrder("rr-parent", 110000)
	if _, err := c.CreateRefund(ctx, id, &client.RefundRequest{MerchantOrderReference: "rr-1", OrderAmount: ptr(client.INR(10000))}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"rr-1", "rr-parent"} { // a refund's reference, an order's
		o, err := c.CreateRefund(ctx, id, &client.RefundRequest{MerchantOrderReference: ref, OrderAmount: ptr(client.INR(20000))})
		if o != nil || !errors.Is(err, client.ErrDuplicateRequest) || errors.Is(err, client.ErrOutcomeUnknown) {
			t.Errorf("reference %s again: got %v, %v; want ErrDuplicateRequest", ref, o, err)
		}
	}
	wantCounts(t, s, fakeapi.Counts{Tokens: 1, Refunds: 1})
	if got := s.Refunded(id); got != 10000 {
		t.Errorf("refunded %d paisa, want 10000", got)
	}
	if n := s.Hits(fakeapi.OpGetOrderByReference); n != 0 {
		t.Errorf("%d lookups for refusals that came before any work", n)
	}
}

// The connection drops before the server acts, and the lookup by the
// refund's reference finds an order that is not this refund: the reference
// was taken, so sending the refund again would be refused, but the client
// cannot call that a refusal either. The refund is not sent again.
func TestFaultRefundReferenceNamesAnotherOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// setup returns the order to refund and what the fake has done
		// once the reference "taken-ref" names another order.
		setup func(t *testing.T, s *fakeapi.Server, c *client.Client) (string, fakeapi.Counts)
	}{
		{"a charge", func(t *testing.T, s *fakeapi.Server, c *client.Client) (string, fakeapi.Counts) {
			s.PutProcessedOrder("taken-ref", 5000)
			return s.PutProcessedOrder("rn-parent", 110000), fakeapi.Counts{Tokens: 1}
		}},
		{"a refund of another order", func(t *testing.T, s *fakeapi.Server, c *client.Client) (string, fakeapi.Counts) {
			other := s.PutProcessedOrder("rn-other", 5000)
			if _, err := c.CreateRefund(context.Background(), other, &client.RefundRequest{MerchantOrderReference: "taken-ref"}); err != nil {
				t.Fatal(err)
			}
			return s.PutProcessedOrder("rn-parent", 110000), fakeapi.Counts{Tokens: 1, Refunds: 1}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, fakeapi.Config{})
			parent, base := tc.setup(t, s, c)
			sent := s.Hits(fakeapi.OpCreateRefund)
			s.Inject(fakeapi.OpCreateRefund, fakeapi.Reset())
			o, err := c.CreateRefund(context.Background(), parent, &client.RefundRequest{MerchantOrderReference: "taken-ref"})
			if o != nil || !errors.Is(err, client.ErrOutcomeUnknown) {
				t.Fatalf("got %v, %v; want ErrOutcomeUnknown", o, err)
			}
			t.Log(err)
			wantCounts(t, s, base)
			if got := s.Refunded(parent); got != 0 {
				t.Errorf("refunded %d paisa", got)
			}
			if n := s.Hits(fakeapi.OpCreateRefund) - sent; n != 1 {
				t.Errorf("%d createRefund requests, want 1: the refund was sent again", n)
			}
		})
	}
}

// deleteOp is a saved token ready to delete, on a fresh fake.
func deleteOp(t *testing.T, cfg fakeapi.Config, opts ...client.Option) (s *fakeapi.Server, call func() (*client.DeleteTokenResponse, error), tokenID string) {
	t.Helper()
	s, c := newFake(t, cfg, opts...)
	tokenID = s.PutCustomerToken("cust-del-1", client.CustomerToken{})
	return s, func() (*client.DeleteTokenResponse, error) {
		return c.DeleteCustomerToken(context.Background(), "cust-del-1", tokenID, &client.DeleteTokenRequest{MerchantUniqueReference: "del-ref-1"})
	}, tokenID
}

func wantDeleted(t *testing.T, s *fakeapi.Server, tokenID string, r *client.DeleteTokenResponse) {
	t.Helper()
	if r == nil || r.Status == nil || *r.Status != client.TokenDeleted || r.TokenID == nil || *r.TokenID != tokenID {
		t.Errorf("response %+v, want token %s DELETED", r, tokenID)
	}
	if tok, _ := s.CustomerToken("cust-del-1", tokenID); tok.Status == nil || *tok.Status != client.TokenDeleted {
		t.Errorf("server holds the token as %v", tok.Status)
	}
}

func TestFaultDeleteCustomerToken(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	for _, tc := range []struct {
		name     string
		faults   []fakeapi.Fault
		requests int // deleteCustomerToken requests the server sees
	}{
		// The server deleted it: the client reads the token back, sees
		// DELETED and does not send the delete again.
		{"response lost", []fakeapi.Fault{fakeapi.DropResponse()}, 1},
		{"500 after the work", []fakeapi.Fault{fakeapi.After(fakeapi.Status(500))}, 1},
		{"200 that is not JSON", []fakeapi.Fault{fakeapi.After(fakeapi.Respond(200, "<html>ok</html>"))}, 1},
		{"cut-off response", []fakeapi.Fault{fakeapi.Truncate()}, 1},
		{"stalled after the work", []fakeapi.Fault{fakeapi.After(fakeapi.Stall(release))}, 1},
		// The server did nothing: the token reads ACTIVE, so the delete is
		// sent again, with the same Request-ID.
		{"reset before the work", []fakeapi.Fault{fakeapi.Reset()}, 2},
		{"503 before the work", []fakeapi.Fault{fakeapi.Status(503)}, 2},
		{"stalled before the work", []fakeapi.Fault{fakeapi.Stall(release)}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, call, tokenID := deleteOp(t, fakeapi.Config{}, client.WithTimeout(time.Second))
			s.Inject(fakeapi.OpDeleteCustomerToken, tc.faults...)
			r, err := call()
			if err != nil {
				t.Fatalf("got %v, want success", err)
			}
			wantDeleted(t, s, tokenID, r)
			wantCounts(t, s, fakeapi.Counts{Tokens: 1, TokenDeletions: 1})
			sameRequestID(t, s, fakeapi.OpDeleteCustomerToken, tc.requests)
			if s.Hits(fakeapi.OpGetCustomerToken) == 0 {
				t.Error("no lookup of the token before settling the call")
			}
		})
	}
}

// The delete's response is lost and the token cannot be read back: the
// outcome is unknown, and the delete is not sent again.
func TestFaultDeleteCustomerTokenLookupFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		lookup fakeapi.Fault
		is     error // also in the chain
	}{
		{"503", fakeapi.Status(503), client.ErrOutcomeUnknown},
		{"404", fakeapi.Respond(404, `{"code":"TOKEN_NOT_FOUND","message":"no such token"}`), client.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, call, _ := deleteOp(t, fakeapi.Config{}, client.WithRetries(1))
			s.Inject(fakeapi.OpDeleteCustomerToken, fakeapi.DropResponse())
			for range 10 {
				s.Inject(fakeapi.OpGetCustomerToken, tc.lookup)
			}
			r, err := call()
			if r != nil || !errors.Is(err, client.ErrOutcomeUnknown) || !errors.Is(err, tc.is) {
				t.Fatalf("got %v, %v; want ErrOutcomeUnknown and %v", r, err, tc.is)
			}
			var oe *client.OutcomeUnknownError
			if !errors.As(err, &oe) || oe.Operation != "deleteCustomerToken" {
				t.Fatalf("%v is not an *OutcomeUnknownError for deleteCustomerToken", err)
			}
			if sent, ok := oe.Request.(*client.DeleteTokenRequest); !ok || sent.MerchantUniqueReference != "del-ref-1" {
				t.Errorf("Request = %#v, want what was sent", oe.Request)
			}
			wantCounts(t, s, fakeapi.Counts{Tokens: 1, TokenDeletions: 1})
			if id := sameRequestID(t, s, fakeapi.OpDeleteCustomerToken, 1); oe.RequestID != id {
				t.Errorf("RequestID %q, the server saw %q", oe.RequestID, id)
			}
		})
	}
}

// Reads of the token lag the delete, so the lookup still sees it ACTIVE and
// the client sends the delete again, which the server refuses as a
// duplicate: the call ends in success or ErrOutcomeUnknown, never in a
// refusal, and the token is deleted once.
func TestFaultDeleteCustomerTokenLaggingLookup(t *testing.T) {
	t.Parallel()
	for _, lag := range []int{1, 2, 100} {
		t.Run(fmt.Sprintf("lag %d", lag), func(t *testing.T) {
			t.Parallel()
			s, call, tokenID := deleteOp(t, fakeapi.Config{LookupLag: lag})
			s.Inject(fakeapi.OpDeleteCustomerToken, fakeapi.DropResponse())
			r, err := call()
			t.Logf("got %v, %v", r != nil, err)
			switch {
			case err == nil:
				wantDeleted(t, s, tokenID, r)
			case r != nil || !errors.Is(err, client.ErrOutcomeUnknown):
				t.Errorf("got %v, %v; the server deleted the token, so want success or ErrOutcomeUnknown", r, err)
			}
			wantCounts(t, s, fakeapi.Counts{Tokens: 1, TokenDeletions: 1})
			sameRequestID(t, s, fakeapi.OpDeleteCustomerToken, s.Hits(fakeapi.OpDeleteCustomerToken))
		})
	}
}

// A token someone else deleted before this call is refused on the first
// attempt; nothing was in doubt, so the caller gets the refusal itself.
func TestDeleteCustomerTokenAlreadyDeleted(t *testing.T) {
	t.Parallel()
	s, c := newFake(t, fakeapi.Config{})
	id := s.PutCustomerToken("cust-1", client.CustomerToken{Status: ptr(client.TokenDeleted)})
	r, err := c.DeleteCustomerToken(context.Background(), "cust-1", id, &client.DeleteTokenRequest{MerchantUniqueReference: "del-2"})
	var apiErr *client.APIError
	if r != nil || !errors.As(err, &apiErr) || apiErr.StatusCode != 422 || errors.Is(err, client.ErrOutcomeUnknown) {
		t.Fatalf("got %v, %v; want the 422 refusal", r, err)
	}
	wantCounts(t, s, fakeapi.Counts{Tokens: 1})
	if n := s.Hits(fakeapi.OpGetCustomerToken); n != 0 {
		t.Errorf("%d lookups after a plain refusal", n)
	}
}
