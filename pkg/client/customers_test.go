package client_test

// Refunds, customers and saved tokens against internal/fakeapi: what each
// call sends and returns, what it refuses to send, and the token iterator.

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/internal/fakeapi"
	"github.com/pinegen/pinelabs/pkg/client"
	"github.com/pinegen/pinelabs/pkg/validation"
)

// Invalid input is refused before anything is sent, the token call
// included. A request that breaks the spec is a *validation.Error naming
// every field; a missing ID or request is a plain error.
func TestNewOperationsInvalidInputSendsNothing(t *testing.T) {
	t.Parallel()
	type field struct {
		path string
		rule validation.Rule
	}
	long := strings.Repeat("x", 51)
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, c *client.Client) (any, error)
		want []field // nil: an error that is not a *validation.Error
	}{
		{"createRefund: no order ID", func(ctx context.Context, c *client.Client) (any, error) {
			return c.CreateRefund(ctx, "", &client.RefundRequest{MerchantOrderReference: "rf-1"})
		}, nil},
		{"createRefund: nil request", func(ctx context.Context, c *client.Client) (any, error) {
			return c.CreateRefund(ctx, "v1-1", nil)
		}, nil},
		{"createRefund: no reference", func(ctx context.Context, c *client.Client) (any, error) {
			return c.CreateRefund(ctx, "v1-1", &client.RefundRequest{})
		}, []field{{"merchant_order_reference", validation.Required}}},
		{"createRefund: bad reference, amount and product", func(ctx context.Context, c *client.Client) (any, error) {
			return c.CreateRefund(ctx, "v1-1", &client.RefundRequest{
				MerchantOrderReference: "refund #1",
				OrderAmount:            ptr(client.INR(99)),
				Products:               []client.RefundProduct{{ProductCode: ptr("")}},
			})
		}, []field{
			{"merchant_order_reference", validation.Pattern},
			{"order_amount.value", validation.Minimum},
			{"products[0].product_code", validation.MinLength},
		}},
		{"getCustomer: no customer ID", func(ctx context.Context, c *client.Client) (any, error) {
			return c.GetCustomer(ctx, "")
		}, nil},
		{"findCustomer: nil query", func(ctx context.Context, c *client.Client) (any, error) {
			return c.FindCustomer(ctx, nil)
		}, nil},
		{"findCustomer: empty query", func(ctx context.Context, c *client.Client) (any, error) {
			return c.FindCustomer(ctx, &client.CustomerQuery{})
		}, []field{
			{"country_code", validation.Required},
			{"merchant_customer_reference", validation.Required},
			{"mobile_number", validation.Required},
		}},
		{"findCustomer: bad values", func(ctx context.Context, c *client.Client) (any, error) {
			return c.FindCustomer(ctx, &client.CustomerQuery{CountryCode: "123456", MobileNumber: "98765-43210", MerchantCustomerReference: long})
		}, []field{
			{"country_code", validation.MaxLength},
			{"merchant_customer_reference", validation.MaxLength},
			{"mobile_number", validation.Pattern},
		}},
		{"updateCustomer: no customer ID", func(ctx context.Context, c *client.Client) (any, error) {
			return c.UpdateCustomer(ctx, "", &client.UpdateCustomerRequest{FirstName: ptr("Kevin")})
		}, nil},
		{"updateCustomer: nil request", func(ctx context.Context, c *client.Client) (any, error) {
			return c.UpdateCustomer(ctx, "cust-1", nil)
		}, nil},
		{"updateCustomer: nothing to change", func(ctx context.Context, c *client.Client) (any, error) {
			return c.UpdateCustomer(ctx, "cust-1", &client.UpdateCustomerRequest{})
		}, []field{{"", validation.MinProperties}}},
		{"updateCustomer: mobile without its country code, empty name", func(ctx context.Context, c *client.Client) (any, error) {
			return c.UpdateCustomer(ctx, "cust-1", &client.UpdateCustomerRequest{MobileNumber: ptr("9876543210"), FirstName: ptr("")})
		}, []field{
			{"country_code", validation.Together},
			{"first_name", validation.MinLength},
		}},
		{"listCustomerTokens: no customer ID", func(ctx context.Context, c *client.Client) (any, error) {
			return c.ListCustomerTokens(ctx, "")
		}, nil},
		{"getCustomerToken: no customer ID", func(ctx context.Context, c *client.Client) (any, error) {
			return c.GetCustomerToken(ctx, "", "token-1")
		}, nil},
		{"getCustomerToken: no token ID", func(ctx context.Context, c *client.Client) (any, error) {
			return c.GetCustomerToken(ctx, "cust-1", "")
		}, nil},
		{"deleteCustomerToken: no token ID", func(ctx context.Context, c *client.Client) (any, error) {
			return c.DeleteCustomerToken(ctx, "cust-1", "", &client.DeleteTokenRequest{MerchantUniqueReference: "d-1"})
		}, nil},
		{"deleteCustomerToken: nil request", func(ctx context.Context, c *client.Client) (any, error) {
			return c.DeleteCustomerToken(ctx, "cust-1", "token-1", nil)
		}, nil},
		{"deleteCustomerToken: no reference", func(ctx context.Context, c *client.Client) (any, error) {
			return c.DeleteCustomerToken(ctx, "cust-1", "token-1", &client.DeleteTokenRequest{})
		}, []field{{"merchant_unique_reference", validation.Required}}},
		{"deleteCustomerToken: reference too long", func(ctx context.Context, c *client.Client) (any, error) {
			return c.DeleteCustomerToken(ctx, "cust-1", "token-1", &client.DeleteTokenRequest{MerchantUniqueReference: long})
		}, []field{{"merchant_unique_reference", validation.MaxLength}}},
		{"createCustomer: bad mobile number", func(ctx context.Context, c *client.Client) (any, error) {
			return c.CreateCustomer(ctx, &client.CreateCustomerRequest{MobileNumber: ptr("98765abcde")})
		}, []field{{"mobile_number", validation.Pattern}}},
		{"customerTokens: no customer ID", func(ctx context.Context, c *client.Client) (any, error) {
			var toks []*client.CustomerToken
			var errs []error
			for tok, err := range c.CustomerTokens(ctx, "") {
				toks, errs = append(toks, tok), append(errs, err)
			}
			if len(errs) != 1 || toks[0] != nil {
				t.Errorf("customerTokens yielded %v, %v; want one error", toks, errs)
				return nil, nil
			}
			return toks[0], errs[0]
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, fakeapi.Config{})
			v, err := tc.call(context.Background(), c)
			if err == nil {
				t.Fatal("accepted")
			}
			if rv := reflect.ValueOf(v); v != nil && !rv.IsNil() {
				t.Errorf("returned %v with its error", v)
			}
			var ve *validation.Error
			switch {
			case tc.want == nil && errors.As(err, &ve):
				t.Errorf("got %v, want a plain error", err)
			case tc.want != nil && !errors.As(err, &ve):
				t.Errorf("got %v, want a *validation.Error", err)
			case tc.want != nil:
				if len(ve.Fields) != len(tc.want) {
					t.Errorf("fields %v, want %v", ve.Fields, tc.want)
				}
				for _, f := range tc.want {
					if !ve.Has(f.path, f.rule) {
						t.Errorf("%v lacks %s %s", err, f.path, f.rule)
					}
				}
			}
			if n := len(s.Requests("")); n != 0 {
				t.Errorf("%d requests sent for invalid input", n)
			}
		})
	}
}

func TestCreateRefund(t *testing.T) {
	t.Parallel()
	type step struct {
		ref    string
		amount int64 // 0: all that is left
		want   error // nil: a refund of wantPaisa
		paisa  int64 // what the refund is for
	}
	for _, tc := range []struct {
		name       string
		steps      []step
		refunded   int64
		wantStatus client.OrderStatus
	}{
		{"all of it", []step{{"rf-a", 0, nil, 110000}}, 110000, client.OrderFullyRefunded},
		{"all of it, by amount", []step{{"rf-a", 110000, nil, 110000}}, 110000, client.OrderFullyRefunded},
		{"part", []step{{"rf-a", 40000, nil, 40000}}, 40000, client.OrderPartiallyRefunded},
		{"part, then the rest", []step{{"rf-a", 40000, nil, 40000}, {"rf-b", 0, nil, 70000}}, 110000, client.OrderFullyRefunded},
		{"parts that add up", []step{{"rf-a", 40000, nil, 40000}, {"rf-b", 70000, nil, 70000}}, 110000, client.OrderFullyRefunded},
		{"more than was paid", []step{{"rf-a", 110100, client.ErrAmountLimitExceeded, 0}}, 0, client.OrderProcessed},
		{"more than is left", []step{{"rf-a", 80000, nil, 80000}, {"rf-b", 40000, client.ErrAmountLimitExceeded, 0}}, 80000, client.OrderPartiallyRefunded},
		{"reference reused", []step{{"rf-a", 10000, nil, 10000}, {"rf-a", 10000, client.ErrDuplicateRequest, 0}}, 10000, client.OrderPartiallyRefunded},
		{"reference of the order itself", []step{{"rf-parent", 10000, client.ErrDuplicateRequest, 0}}, 0, client.OrderProcessed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, fakeapi.Config{})
			id := s.PutProcessedOrder("rf-parent", 110000)
			refunds := 0
			for i, st := range tc.steps {
				req := &client.RefundRequest{MerchantOrderReference: st.ref}
				if st.amount != 0 {
					req.OrderAmount = ptr(client.INR(st.amount))
				}
				o, err := c.CreateRefund(context.Background(), id, req)
				if st.want != nil {
					if o != nil || !errors.Is(err, st.want) || errors.Is(err, client.ErrOutcomeUnknown) {
						t.Errorf("step %d: got %v, %v; want %v", i+1, o, err, st.want)
					}
					continue
				}
				refunds++
				if err != nil {
					t.Fatalf("step %d: %v", i+1, err)
				}
				if *o.Type != client.OrderTypeRefund || *o.ParentOrderID != id || *o.MerchantOrderReference != st.ref || o.OrderAmount.Value != st.paisa {
					t.Errorf("step %d: refund %+v, want a REFUND of %d paisa of %s under %s", i+1, o, st.paisa, id, st.ref)
				}
			}
			wantCounts(t, s, fakeapi.Counts{Tokens: 1, Refunds: refunds})
			if got := s.Refunded(id); got != tc.refunded {
				t.Errorf("refunded %d paisa, want %d", got, tc.refunded)
			}
			if o, err := c.GetOrder(context.Background(), id); err != nil || *o.Status != tc.wantStatus {
				t.Errorf("order after the refunds: %v, %v; want %s", o, err, tc.wantStatus)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		s, c := newFake(t, fakeapi.Config{})
		ctx := context.Background()
		unpaid, err := c.CreateOrder(ctx, orderReq("rf-unpaid", false))
		if err != nil {
			t.Fatal(err)
		}
		for i, tc := range []struct {
			name, orderID string
			want          error
		}{
			{"unknown order", "v1-no-such-order", client.ErrOrderNotFound},
			{"order not paid", *unpaid.OrderID, nil},
			{"authorized, not captured", s.PutAuthorizedOrder("rf-auth", 110000), nil},
		} {
			o, err := c.CreateRefund(ctx, tc.orderID, &client.RefundRequest{MerchantOrderReference: fmt.Sprintf("rf-refused-%d", i)})
			var apiErr *client.APIError
			if o != nil || !errors.As(err, &apiErr) || errors.Is(err, client.ErrOutcomeUnknown) {
				t.Errorf("%s: got %v, %v; want an *APIError", tc.name, o, err)
				continue
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			}
			if tc.want == nil && apiErr.StatusCode != 422 {
				t.Errorf("%s: got %v, want 422", tc.name, err)
			}
		}
		wantCounts(t, s, fakeapi.Counts{Tokens: 1, Orders: 1})
	})
}

func TestCustomers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newFake(t, fakeapi.Config{})
	created, err := c.CreateCustomer(ctx, &client.CreateCustomerRequest{
		FirstName: ptr("Kevin"), LastName: ptr("Bob"), EmailID: ptr("kevin.bob@example.com"),
		CountryCode: ptr("91"), MobileNumber: ptr("9876543210"), MerchantCustomerReference: ptr("cust-ref-1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := *created.CustomerID
	other := s.PutCustomer(client.Customer{CountryCode: ptr("91"), MobileNumber: ptr("9876543210"), MerchantCustomerReference: ptr("cust-ref-2")})

	t.Run("get", func(t *testing.T) {
		cu, err := c.GetCustomer(ctx, id)
		if err != nil || *cu.CustomerID != id || *cu.FirstName != "Kevin" {
			t.Errorf("got %+v, %v", cu, err)
		}
		if cu, err := c.GetCustomer(ctx, "cust-none"); cu != nil || !errors.Is(err, client.ErrNotFound) {
			t.Errorf("unknown customer: %v, %v; want ErrNotFound", cu, err)
		}
	})
	t.Run("find", func(t *testing.T) {
		for _, tc := range []struct {
			q    client.CustomerQuery
			want string // "": not found
		}{
			{client.CustomerQuery{CountryCode: "91", MobileNumber: "9876543210", MerchantCustomerReference: "cust-ref-1"}, id},
			{client.CustomerQuery{CountryCode: "91", MobileNumber: "9876543210", MerchantCustomerReference: "cust-ref-2"}, other},
			{client.CustomerQuery{CountryCode: "44", MobileNumber: "9876543210", MerchantCustomerReference: "cust-ref-1"}, ""},
			{client.CustomerQuery{CountryCode: "91", MobileNumber: "9876543211", MerchantCustomerReference: "cust-ref-1"}, ""},
		} {
			cu, err := c.FindCustomer(ctx, &tc.q)
			switch {
			case tc.want == "" && (cu != nil || !errors.Is(err, client.ErrNotFound)):
				t.Errorf("%+v: got %v, %v; want ErrNotFound", tc.q, cu, err)
			case tc.want != "" && (err != nil || *cu.CustomerID != tc.want):
				t.Errorf("%+v: got %v, %v; want %s", tc.q, cu, err, tc.want)
			}
		}
		r := s.Requests(fakeapi.OpFindCustomer)[0]
		if r.Method != "GET" || r.Path != "/api/v1/customer" {
			t.Errorf("sent %s %s", r.Method, r.Path)
		}
	})
	t.Run("update", func(t *testing.T) {
		cu, err := c.UpdateCustomer(ctx, id, &client.UpdateCustomerRequest{
			LastName: ptr("Smith"), CountryCode: ptr("44"), MobileNumber: ptr("7700900123"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if *cu.LastName != "Smith" || *cu.MobileNumber != "7700900123" || *cu.CountryCode != "44" || *cu.FirstName != "Kevin" || *cu.EmailID != "kevin.bob@example.com" {
			t.Errorf("after the update: %+v; want the fields sent changed and the others kept", cu)
		}
		if r := s.Requests(fakeapi.OpUpdateCustomer); len(r) != 1 || r[0].Method != "PATCH" || strings.Contains(string(r[0].Body), "first_name") {
			t.Errorf("update sent %v; want one PATCH with only the fields to change", r)
		}
		if _, err := c.UpdateCustomer(ctx, "cust-none", &client.UpdateCustomerRequest{FirstName: ptr("X")}); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("unknown customer: %v, want ErrNotFound", err)
		}
	})
	wantCounts(t, s, fakeapi.Counts{Tokens: 1, Customers: 1, CustomerUpdates: 1})
}

// An update sets fields to values, so one whose answer was lost is simply
// sent again: no lookup, the same Request-ID, and the same record.
func TestUpdateCustomerRetried(t *testing.T) {
	t.Parallel()
	for _, f := range []fakeapi.Fault{fakeapi.DropResponse(), fakeapi.After(fakeapi.Status(502)), fakeapi.Status(503), fakeapi.Reset()} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, fakeapi.Config{})
			id := s.PutCustomer(client.Customer{FirstName: ptr("Kevin"), LastName: ptr("Bob")})
			s.Inject(fakeapi.OpUpdateCustomer, f)
			cu, err := c.UpdateCustomer(context.Background(), id, &client.UpdateCustomerRequest{LastName: ptr("Smith")})
			if err != nil || *cu.LastName != "Smith" || *cu.FirstName != "Kevin" {
				t.Fatalf("got %+v, %v", cu, err)
			}
			sameRequestID(t, s, fakeapi.OpUpdateCustomer, 2)
			if n := s.Hits(fakeapi.OpGetCustomer); n != 0 {
				t.Errorf("%d lookups: an update needs none", n)
			}
			if stored, _ := s.Customer(id); *stored.LastName != "Smith" {
				t.Errorf("server holds %+v", stored)
			}
		})
	}
}

// A customer created with all three find keys is looked up by them when the
// answer is lost, and created once.
func TestCreateCustomerReconciles(t *testing.T) {
	t.Parallel()
	req := func() *client.CreateCustomerRequest {
		return &client.CreateCustomerRequest{
			FirstName: ptr("Kevin"), CountryCode: ptr("91"), MobileNumber: ptr("9876543210"), MerchantCustomerReference: ptr("cc-ref-1"),
		}
	}
	for _, f := range []fakeapi.Fault{fakeapi.DropResponse(), fakeapi.After(fakeapi.Status(500)), fakeapi.Reset()} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			s, c := newFake(t, fakeapi.Config{})
			s.Inject(fakeapi.OpCreateCustomer, f)
			cu, err := c.CreateCustomer(context.Background(), req())
			if err != nil || cu.CustomerID == nil || *cu.MerchantCustomerReference != "cc-ref-1" {
				t.Fatalf("got %+v, %v", cu, err)
			}
			wantCounts(t, s, fakeapi.Counts{Tokens: 1, Customers: 1})
			if s.Hits(fakeapi.OpFindCustomer) == 0 {
				t.Error("no findCustomer lookup")
			}
			sameRequestID(t, s, fakeapi.OpCreateCustomer, s.Hits(fakeapi.OpCreateCustomer))
		})
	}
	// Create order makes customers from the same keys: one found under them
	// with another name is not this call's, and the create is not resent.
	t.Run("found, another name", func(t *testing.T) {
		t.Parallel()
		s, c := newFake(t, fakeapi.Config{})
		s.PutCustomer(client.Customer{FirstName: ptr("Someone"), CountryCode: ptr("91"), MobileNumber: ptr("9876543210"), MerchantCustomerReference: ptr("cc-ref-1")})
		s.Inject(fakeapi.OpCreateCustomer, fakeapi.Reset())
		cu, err := c.CreateCustomer(context.Background(), req())
		if cu != nil || !errors.Is(err, client.ErrOutcomeUnknown) {
			t.Fatalf("got %v, %v; want ErrOutcomeUnknown", cu, err)
		}
		wantCounts(t, s, fakeapi.Counts{Tokens: 1})
		sameRequestID(t, s, fakeapi.OpCreateCustomer, 1)
	})
}

func TestCustomerTokenOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newFake(t, fakeapi.Config{})
	visa := s.PutCustomerToken("cust-1", client.CustomerToken{MerchantTokenReference: ptr("visa"), CardData: &client.CardData{Last4Digit: ptr("1112")}})
	s.PutCustomerToken("cust-1", client.CustomerToken{MerchantTokenReference: ptr("mc")})
	s.PutCustomer(client.Customer{CustomerID: ptr("cust-empty")})

	list, err := c.ListCustomerTokens(ctx, "cust-1")
	if err != nil || *list.CustomerID != "cust-1" || *list.TotalTokens != 2 || len(list.Tokens) != 2 || *list.Tokens[0].TokenID != visa {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if list, err := c.ListCustomerTokens(ctx, "cust-empty"); err != nil || len(list.Tokens) != 0 {
		t.Errorf("list for a customer with no tokens: %+v, %v", list, err)
	}
	if _, err := c.ListCustomerTokens(ctx, "cust-none"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("list for an unknown customer: %v, want ErrNotFound", err)
	}

	tok, err := c.GetCustomerToken(ctx, "cust-1", visa)
	if err != nil || *tok.TokenID != visa || *tok.Status != client.TokenActive || *tok.CardData.Last4Digit != "1112" {
		t.Fatalf("get: %+v, %v", tok, err)
	}
	if _, err := c.GetCustomerToken(ctx, "cust-1", "token-none"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("unknown token: %v, want ErrNotFound", err)
	}

	del, err := c.DeleteCustomerToken(ctx, "cust-1", visa, &client.DeleteTokenRequest{MerchantUniqueReference: "del-1"})
	if err != nil || *del.Status != client.TokenDeleted || *del.TokenID != visa || *del.MerchantUniqueReference != "del-1" {
		t.Fatalf("delete: %+v, %v", del, err)
	}
	if r := s.Requests(fakeapi.OpDeleteCustomerToken)[0]; r.Method != "POST" || r.Path != "/api/v1/customer/cust-1/tokens/"+visa+"/delete" {
		t.Errorf("delete sent %s %s", r.Method, r.Path)
	}
	if tok, err := c.GetCustomerToken(ctx, "cust-1", visa); err != nil || *tok.Status != client.TokenDeleted {
		t.Errorf("after the delete: %+v, %v", tok, err)
	}
	// A second delete, as a new call, is refused: the first one is done.
	if _, err := c.DeleteCustomerToken(ctx, "cust-1", visa, &client.DeleteTokenRequest{MerchantUniqueReference: "del-1"}); !errors.Is(err, client.ErrDuplicateRequest) || errors.Is(err, client.ErrOutcomeUnknown) {
		t.Errorf("second delete: %v, want ErrDuplicateRequest", err)
	}
	wantCounts(t, s, fakeapi.Counts{Tokens: 1, TokenDeletions: 1})
}

// wantRequests fails t unless s saw n requests of op.
func wantRequests(t *testing.T, s *fakeapi.Server, op fakeapi.Op, n int) {
	t.Helper()
	if got := s.Hits(op); got != n {
		t.Errorf("%d %s requests, want %d", got, op, n)
	}
}

// collect ranges over seq as a caller would, stopping after stop values
// (0: never).
func collect(seq func(func(*client.CustomerToken, error) bool), stop int) (refs []string, errs []error) {
	for tok, err := range seq {
		if err != nil {
			errs = append(errs, err)
		} else {
			refs = append(refs, *tok.MerchantTokenReference)
		}
		if len(refs)+len(errs) == stop {
			break
		}
	}
	return refs, errs
}

func TestCustomerTokensIterator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	setup := func(t *testing.T, opts ...client.Option) (*fakeapi.Server, *client.Client) {
		s, c := newFake(t, fakeapi.Config{}, opts...)
		for _, ref := range []string{"first", "second", "third"} {
			s.PutCustomerToken("cust-1", client.CustomerToken{MerchantTokenReference: ptr(ref)})
		}
		return s, c
	}
	t.Run("every token, in order", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		refs, errs := collect(c.CustomerTokens(ctx, "cust-1"), 0)
		if len(errs) != 0 || !reflect.DeepEqual(refs, []string{"first", "second", "third"}) {
			t.Errorf("got %v, %v", refs, errs)
		}
		wantRequests(t, s, fakeapi.OpListCustomerTokens, 1)
	})
	t.Run("no tokens", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		s.PutCustomer(client.Customer{CustomerID: ptr("cust-empty")})
		if refs, errs := collect(c.CustomerTokens(ctx, "cust-empty"), 0); len(refs)+len(errs) != 0 {
			t.Errorf("got %v, %v", refs, errs)
		}
	})
	t.Run("break", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		// The iterator must not call yield again once it returned false;
		// the range statement panics if it does.
		refs, errs := collect(c.CustomerTokens(ctx, "cust-1"), 1)
		if len(errs) != 0 || !reflect.DeepEqual(refs, []string{"first"}) {
			t.Errorf("got %v, %v", refs, errs)
		}
		wantRequests(t, s, fakeapi.OpListCustomerTokens, 1)
	})
	t.Run("each range lists again", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		seq := c.CustomerTokens(ctx, "cust-1")
		wantRequests(t, s, fakeapi.OpListCustomerTokens, 0) // nothing until ranged over
		collect(seq, 0)
		s.PutCustomerToken("cust-1", client.CustomerToken{MerchantTokenReference: ptr("fourth")})
		if refs, _ := collect(seq, 0); len(refs) != 4 {
			t.Errorf("second range saw %v", refs)
		}
		wantRequests(t, s, fakeapi.OpListCustomerTokens, 2)
	})
	for _, tc := range []struct {
		name     string
		customer string
		faults   []fakeapi.Fault
		is       error
	}{
		{"unknown customer", "cust-none", nil, client.ErrNotFound},
		{"server failing", "cust-1", []fakeapi.Fault{fakeapi.Status(503), fakeapi.Status(503)}, nil},
	} {
		t.Run("error/"+tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := setup(t, client.WithRetries(1))
			s.Inject(fakeapi.OpListCustomerTokens, tc.faults...)
			var calls int
			for tok, err := range c.CustomerTokens(ctx, tc.customer) {
				calls++
				if tok != nil || err == nil {
					t.Errorf("yielded %v, %v; want only an error", tok, err)
				}
				var apiErr *client.APIError
				if !errors.As(err, &apiErr) || (tc.is != nil && !errors.Is(err, tc.is)) {
					t.Errorf("error %v", err)
				}
			}
			if calls != 1 {
				t.Errorf("yielded %d times, want once", calls)
			}
		})
	}
	t.Run("cancelled context", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		refs, errs := collect(c.CustomerTokens(cctx, "cust-1"), 0)
		if len(refs) != 0 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
			t.Errorf("got %v, %v; want context.Canceled", refs, errs)
		}
		wantRequests(t, s, fakeapi.OpListCustomerTokens, 0)
	})
}

// Responses with fields and values no spec names still decode.
func TestFaultUnknownFieldsNewOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := newFake(t, fakeapi.Config{})
	parent := s.PutProcessedOrder("unk-parent", 110000)
	tokenID := s.PutCustomerToken("cust-1", client.CustomerToken{})

	s.Inject(fakeapi.OpCreateRefund, fakeapi.Unknowns())
	if o, err := c.CreateRefund(ctx, parent, &client.RefundRequest{MerchantOrderReference: "unk-rf"}); err != nil || string(*o.Status) != fakeapi.UnknownStatus {
		t.Errorf("refund: %v, %v", o, err)
	}
	s.Inject(fakeapi.OpGetCustomer, fakeapi.Unknowns())
	if cu, err := c.GetCustomer(ctx, "cust-1"); err != nil || cu.Status.Valid() {
		t.Errorf("customer: %v, %v", cu, err)
	}
	s.Inject(fakeapi.OpListCustomerTokens, fakeapi.Unknowns())
	for tok, err := range c.CustomerTokens(ctx, "cust-1") {
		if err != nil || *tok.TokenID != tokenID || string(*tok.PaymentMethod) != fakeapi.UnknownPaymentMethod {
			t.Errorf("token: %v, %v", tok, err)
		}
	}
	s.Inject(fakeapi.OpDeleteCustomerToken, fakeapi.Unknowns())
	if r, err := c.DeleteCustomerToken(ctx, "cust-1", tokenID, &client.DeleteTokenRequest{MerchantUniqueReference: "unk-del"}); err != nil || r.Status.Valid() {
		t.Errorf("delete: %v, %v", r, err)
	}
	wantCounts(t, s, fakeapi.Counts{Tokens: 1, Refunds: 1, TokenDeletions: 1})
}
