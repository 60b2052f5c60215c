package fakeapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/pinegen/pinelabs/gen/pinelabs"
)

// defaultCountryCode is the country_code the API assumes when a customer is
// created without one.
const defaultCountryCode = "91"

// PutCustomer stores a customer record as if createCustomer had made it,
// without counting it. A record without customer_id gets one, and without
// status is ACTIVE. It returns the customer_id.
func (s *Server) PutCustomer(c pinelabs.Customer) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putCustomer(c)
}

func (s *Server) putCustomer(c pinelabs.Customer) string {
	if c.CustomerID == nil {
		s.customerSeq++
		c.CustomerID = ptr(fmt.Sprintf("cust-v1-%010d-aa-fakeAp", s.customerSeq))
	}
	if c.Status == nil {
		c.Status = ptr(pinelabs.CustomerStatusACTIVE)
	}
	if c.CreatedAt == nil {
		now := timestamp()
		c.CreatedAt, c.UpdatedAt = &now, &now
	}
	s.customers[*c.CustomerID] = &c
	return *c.CustomerID
}

// Customer returns a copy of the stored customer record.
func (s *Server) Customer(customerID string) (pinelabs.Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[customerID]
	if !ok {
		return pinelabs.Customer{}, false
	}
	return *clone(c), true
}

// PutCustomerToken saves tok for the customer, without counting it, as if
// the customer had saved a card; a customer the fake does not know is
// created first (ACTIVE, no other fields). A token without token_id gets
// one; without status it is ACTIVE, without payment_method CARD. It
// returns the token_id.
func (s *Server) PutCustomerToken(customerID string, tok pinelabs.CustomerToken) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.customers[customerID]; !ok {
		s.putCustomer(pinelabs.Customer{CustomerID: ptr(customerID)})
	}
	if tok.TokenID == nil {
		s.seq++
		tok.TokenID = ptr(fmt.Sprintf("token-v1-%010d-bb-fakeAp", s.seq))
	}
	tok.CustomerID = ptr(customerID)
	if tok.Status == nil {
		tok.Status = ptr(pinelabs.TokenStatusACTIVE)
	}
	if tok.PaymentMethod == nil {
		tok.PaymentMethod = ptr(pinelabs.PaymentMethodCARD)
	}
	s.saved[customerID] = append(s.saved[customerID], &tok)
	return *tok.TokenID
}

// CustomerToken returns a copy of a saved token as it now stands, lag or
// no lag.
func (s *Server) CustomerToken(customerID, tokenID string) (pinelabs.CustomerToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.savedToken(customerID, tokenID)
	if t == nil {
		return pinelabs.CustomerToken{}, false
	}
	return *clone(t), true
}

// savedToken finds a customer's token; s.mu must be held.
func (s *Server) savedToken(customerID, tokenID string) *pinelabs.CustomerToken {
	for _, t := range s.saved[customerID] {
		if *t.TokenID == tokenID {
			return t
		}
	}
	return nil
}

// staleToken is what the next remaining reads of a token see.
type staleToken struct {
	token     *pinelabs.CustomerToken
	remaining int
}

func customerNotFound() (int, any) {
	return http.StatusNotFound, errorBody("CUSTOMER_NOT_FOUND", "no customer with this customer_id")
}

func (s *Server) createCustomer(_ *http.Request, body []byte) (int, any) {
	var req pinelabs.CreateCustomerRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "malformed body")
	}
	if ref := req.MerchantCustomerReference; ref != nil {
		for _, c := range s.customers {
			if c.MerchantCustomerReference != nil && *c.MerchantCustomerReference == *ref {
				return http.StatusUnprocessableEntity, errorBody("DUPLICATE_REQUEST", "merchant_customer_reference already used")
			}
		}
	}
	s.counts.Customers++
	id := s.putCustomer(pinelabs.Customer{
		MerchantCustomerReference: req.MerchantCustomerReference,
		FirstName:                 req.FirstName,
		LastName:                  req.LastName,
		CountryCode:               req.CountryCode,
		MobileNumber:              req.MobileNumber,
		EmailID:                   req.EmailID,
		BillingAddress:            req.BillingAddress,
		ShippingAddress:           req.ShippingAddress,
		GSTIN:                     req.GSTIN,
		MerchantMetadata:          req.MerchantMetadata,
		Status:                    ptr(pinelabs.CustomerStatusINACTIVE),
	})
	return http.StatusOK, s.customers[id]
}

func (s *Server) getCustomer(r *http.Request, _ []byte) (int, any) {
	c, ok := s.customers[r.PathValue("customer_id")]
	if !ok {
		return customerNotFound()
	}
	return http.StatusOK, c
}

// findCustomer looks a customer up by all three of country_code (91 for a
// customer created without one), mobile_number and
// merchant_customer_reference.
func (s *Server) findCustomer(r *http.Request, _ []byte) (int, any) {
	q := r.URL.Query()
	cc, mobile, ref := q.Get("country_code"), q.Get("mobile_number"), q.Get("merchant_customer_reference")
	if cc == "" || mobile == "" || ref == "" {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "country_code, mobile_number and merchant_customer_reference are all required")
	}
	for _, c := range s.customers {
		code := defaultCountryCode
		if c.CountryCode != nil {
			code = *c.CountryCode
		}
		if code == cc && deref(c.MobileNumber) == mobile && deref(c.MerchantCustomerReference) == ref {
			return http.StatusOK, c
		}
	}
	return http.StatusNotFound, errorBody("CUSTOMER_NOT_FOUND", "no customer with this mobile number and merchant_customer_reference")
}

// updateCustomer changes only the fields sent.
func (s *Server) updateCustomer(r *http.Request, body []byte) (int, any) {
	c, ok := s.customers[r.PathValue("customer_id")]
	if !ok {
		return customerNotFound()
	}
	var req pinelabs.UpdateCustomerRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "malformed body")
	}
	set := func(dst **string, v *string) {
		if v != nil {
			*dst = ptr(*v)
		}
	}
	set(&c.FirstName, req.FirstName)
	set(&c.LastName, req.LastName)
	set(&c.CountryCode, req.CountryCode)
	set(&c.MobileNumber, req.MobileNumber)
	set(&c.EmailID, req.EmailID)
	set(&c.GSTIN, req.GSTIN)
	if req.BillingAddress != nil {
		c.BillingAddress = req.BillingAddress
	}
	if req.ShippingAddress != nil {
		c.ShippingAddress = req.ShippingAddress
	}
	if req.MerchantMetadata != nil {
		c.MerchantMetadata = req.MerchantMetadata
	}
	s.counts.CustomerUpdates++
	c.UpdatedAt = ptr(timestamp())
	return http.StatusOK, c
}

// listCustomerTokens lists every token saved for the customer, deleted ones
// included (with status DELETED).
func (s *Server) listCustomerTokens(r *http.Request, _ []byte) (int, any) {
	id := r.PathValue("customer_id")
	c, ok := s.customers[id]
	if !ok {
		return customerNotFound()
	}
	list := pinelabs.CustomerTokenList{
		CustomerID:  &id,
		TotalTokens: ptr(len(s.saved[id])),
		Tokens:      []pinelabs.CustomerToken{},
		CreatedAt:   c.CreatedAt,
		UpdatedAt:   c.UpdatedAt,
	}
	for _, t := range s.saved[id] {
		list.Tokens = append(list.Tokens, *t)
	}
	return http.StatusOK, list
}

func (s *Server) getCustomerToken(r *http.Request, _ []byte) (int, any) {
	cid, tid := r.PathValue("customer_id"), r.PathValue("token_id")
	if _, ok := s.customers[cid]; !ok {
		return customerNotFound()
	}
	t := s.savedToken(cid, tid)
	if t == nil {
		return http.StatusNotFound, errorBody("TOKEN_NOT_FOUND", "the customer has no token with this token_id")
	}
	if st := s.staleTokens[tid]; st != nil && st.remaining > 0 {
		st.remaining--
		return http.StatusOK, st.token
	}
	return http.StatusOK, t
}

// deleteCustomerToken marks the token DELETED. Deleting it again is refused:
// DUPLICATE_REQUEST under the same merchant_unique_reference, else
// OPERATION_NOT_ALLOWED.
func (s *Server) deleteCustomerToken(r *http.Request, body []byte) (int, any) {
	cid, tid := r.PathValue("customer_id"), r.PathValue("token_id")
	if _, ok := s.customers[cid]; !ok {
		return customerNotFound()
	}
	var req pinelabs.DeleteTokenRequest
	if err := json.Unmarshal(body, &req); err != nil || req.MerchantUniqueReference == "" {
		return http.StatusBadRequest, errorBody("INVALID_REQUEST", "merchant_unique_reference is required")
	}
	t := s.savedToken(cid, tid)
	if t == nil {
		return http.StatusNotFound, errorBody("TOKEN_NOT_FOUND", "the customer has no token with this token_id")
	}
	if *t.Status == pinelabs.TokenStatusDELETED {
		if s.deletedBy[tid] == req.MerchantUniqueReference {
			return http.StatusUnprocessableEntity, errorBody("DUPLICATE_REQUEST", "the token was deleted under this merchant_unique_reference")
		}
		return http.StatusUnprocessableEntity, errorBody("OPERATION_NOT_ALLOWED", "the token is DELETED")
	}
	s.counts.TokenDeletions++
	s.deletedBy[tid] = req.MerchantUniqueReference
	t.Status = ptr(pinelabs.TokenStatusDELETED)
	return http.StatusOK, pinelabs.DeleteTokenResponse{
		TokenID:                 t.TokenID,
		CustomerID:              t.CustomerID,
		Status:                  t.Status,
		MerchantUniqueReference: &req.MerchantUniqueReference,
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
