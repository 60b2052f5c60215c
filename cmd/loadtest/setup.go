package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// refPlaceholder marks where orders.lua puts each request's
// merchant_order_reference in the create-order body.
const refPlaceholder = "@@REF@@"

// bodyTemplate turns a create-order example into the body the load sends:
// compact, the reference replaced by refPlaceholder, and no callback URLs.
func bodyTemplate(example []byte) ([]byte, error) {
	var body map[string]any
	if err := json.Unmarshal(example, &body); err != nil {
		return nil, fmt.Errorf("create-order example: %w", err)
	}
	if _, ok := body["merchant_order_reference"]; !ok {
		return nil, errors.New("create-order example has no merchant_order_reference")
	}
	body["merchant_order_reference"] = refPlaceholder
	// Without callback URLs no server is given anywhere to call: Prism
	// fires createOrder's callback at callback_url, and the sandbox needs
	// one only once a customer passes a challenge, which the load never
	// reaches.
	delete(body, "callback_url")
	delete(body, "failure_callback_url")
	return json.Marshal(body)
}

// credentials are what the sandbox is started with and the token call sends.
type credentials struct {
	ClientID, ClientSecret, SecretKey string
}

// prepared is what orders.lua needs from setup.
type prepared struct {
	Token   string
	OrderID string
}

// prepare gets an access token and creates the order the load reads back,
// checking on the way that the target accepts both calls as the load will
// make them.
func prepare(ctx context.Context, baseURL string, c credentials, body []byte, runID string) (prepared, error) {
	var p prepared
	hc := &http.Client{
		Timeout: 30 * time.Second,
		// wrk follows no redirect, so neither does setup: a 3xx here
		// is a failure, as it would be under load.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	var tok struct {
		AccessToken string `json:"access_token"`
	}
	tokenBody, _ := json.Marshal(map[string]string{
		"client_id":     c.ClientID,
		"client_secret": c.ClientSecret,
		"grant_type":    "client_credentials",
	})
	if err := call(ctx, hc, "POST", baseURL+"/api/auth/v1/token", "", runID+"-token", tokenBody, &tok); err != nil {
		return p, fmt.Errorf("token: %w", err)
	}
	if tok.AccessToken == "" {
		return p, errors.New("token: the answer has no access_token")
	}
	p.Token = tok.AccessToken

	var order struct {
		Data struct {
			OrderID string `json:"order_id"`
		} `json:"data"`
	}
	ref := runID + "-setup"
	create := bytes.Replace(body, []byte(refPlaceholder), []byte(ref), 1)
	if err := call(ctx, hc, "POST", baseURL+"/api/pay/v1/orders", p.Token, ref, create, &order); err != nil {
		return p, fmt.Errorf("createOrder: %w", err)
	}
	if order.Data.OrderID == "" {
		return p, errors.New("createOrder: the answer has no data.order_id")
	}
	p.OrderID = order.Data.OrderID
	if err := call(ctx, hc, "GET", baseURL+"/api/pay/v1/orders/"+p.OrderID, p.Token, runID+"-get", nil, nil); err != nil {
		return p, fmt.Errorf("getOrder: %w", err)
	}
	return p, nil
}

// call makes one request with the headers every call carries and decodes a
// 2xx answer into out; any other status is an error quoting the body.
func call(ctx context.Context, hc *http.Client, method, url, token, requestID string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Request-ID", requestID)
	req.Header.Set("Request-Timestamp", time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s %s answered %s: %.400s", method, url, resp.Status, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, url, err)
	}
	return nil
}
