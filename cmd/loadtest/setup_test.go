package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakeAPI answers the three setup calls; override changes one answer.
func fakeAPI(t *testing.T, override func(w http.ResponseWriter, r *http.Request) bool) *httptest.Server {
	mux := http.NewServeMux()
	check := func(r *http.Request) {
		if r.Header.Get("Request-ID") == "" {
			t.Errorf("%s %s: no Request-ID", r.Method, r.URL.Path)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", r.Header.Get("Request-Timestamp")); err != nil {
			t.Errorf("%s %s: Request-Timestamp: %v", r.Method, r.URL.Path, err)
		}
	}
	mux.HandleFunc("POST /api/auth/v1/token", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		var req map[string]string
		json.NewDecoder(r.Body).Decode(&req)
		if req["client_id"] != "id" || req["client_secret"] != "secret" || req["grant_type"] != "client_credentials" {
			http.Error(w, `{"code":"UNAUTHORIZED"}`, http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"access_token":"tok","expires_in":3600}`))
	})
	mux.HandleFunc("POST /api/pay/v1/orders", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		if override != nil && override(w, r) {
			return
		}
		var req map[string]any
		json.NewDecoder(r.Body).Decode(&req)
		if r.Header.Get("Authorization") != "Bearer tok" || req["merchant_order_reference"] != "run1-setup" {
			http.Error(w, `{"code":"INVALID_REQUEST"}`, http.StatusBadRequest)
			return
		}
		w.Write([]byte(`{"data":{"order_id":"v1-1"}}`))
	})
	mux.HandleFunc("GET /api/pay/v1/orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		check(r)
		if override != nil && override(w, r) {
			return
		}
		w.Write([]byte(`{"data":{"order_id":"v1-1"}}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestPrepare(t *testing.T) {
	t.Parallel()
	body := []byte(`{"merchant_order_reference":"` + refPlaceholder + `"}`)
	creds := credentials{ClientID: "id", ClientSecret: "secret"}
	tests := []struct {
		name     string
		creds    credentials
		override func(w http.ResponseWriter, r *http.Request) bool
		wantErr  string
	}{
		{name: "ok", creds: creds},
		{name: "bad credentials", creds: credentials{ClientID: "id", ClientSecret: "nope"}, wantErr: "token: POST"},
		{
			name:  "order without id",
			creds: creds,
			override: func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != "POST" {
					return false
				}
				w.Write([]byte(`{"data":{}}`))
				return true
			},
			wantErr: "no data.order_id",
		},
		{
			name:  "redirect is not success",
			creds: creds,
			override: func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != "GET" {
					return false
				}
				http.Redirect(w, r, "/elsewhere", http.StatusMovedPermanently)
				return true
			},
			wantErr: "answered 301",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fakeAPI(t, tc.override)
			p, err := prepare(context.Background(), srv.URL, tc.creds, body, "run1")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("prepare error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p != (prepared{Token: "tok", OrderID: "v1-1"}) {
				t.Errorf("prepare = %+v", p)
			}
		})
	}
}
