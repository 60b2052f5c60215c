package contract_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pinegen/pinelabs/internal/contract"
)

// recorder keeps the errors a Checker reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestChecker(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, path, body string
		status           int
		wantErr          string
	}{
		{"conforming order", "/api/pay/v1/orders/v1-1", `{"data":{"order_id":"v1-1","status":"CREATED"}}`, 200, ""},
		{"conforming error", "/api/pay/v1/orders/v1-1", `{"code":"ORDER_NOT_FOUND","message":"no"}`, 404, ""},
		{"wrong type", "/api/pay/v1/orders/v1-1", `{"data":{"order_id":17}}`, 200, "order_id"},
		{"not JSON", "/api/pay/v1/orders/v1-1", `<html>`, 200, "answered 200"},
		{"path not in the spec", "/api/pay/v1/nothing", `{}`, 200, "not in the spec"},
		{"page outside the API", "/sandbox/page", `<html>`, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			h := contract.New(t).Handler(rec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			srv := httptest.NewServer(h)
			defer srv.Close()
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != tc.body || resp.StatusCode != tc.status {
				t.Errorf("the response was changed on its way: %d %q", resp.StatusCode, b)
			}
			got := strings.Join(rec.errs, "\n")
			switch {
			case tc.wantErr == "" && got != "":
				t.Errorf("reported a conforming response: %s", got)
			case tc.wantErr != "" && !strings.Contains(got, tc.wantErr):
				t.Errorf("reported %q, want a report mentioning %q", got, tc.wantErr)
			}
		})
	}
}
