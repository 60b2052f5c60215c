package challenge_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pinegen/pinelabs/internal/challenge"
)

// page serves a challenge page at / whose approval answers with answer.
func page(t *testing.T, contentType, offer, answer string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		if r.Method == http.MethodPost {
			r.ParseForm()
			if r.PostForm.Get("action") != "approve" {
				http.Error(w, "no action", http.StatusBadRequest)
				return
			}
			io.WriteString(w, answer)
			return
		}
		io.WriteString(w, offer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

const offer = `<form method="post"><input name="otp"><button name="action" value="approve">Approve</button><button name=action value=decline>Decline</button></form>`

func TestBrowserApproves(t *testing.T) {
	t.Parallel()
	answer := `<body onload="document.forms[0].submit()"><FORM method='POST' action="https://merchant.example/cb?x=1&amp;y=2">
<input type="hidden" name="order_id" value="v1-1">
<input type=hidden name=status value=AUTHORIZED>
<input type="hidden" name="signature" value="AB&amp;CD">
<input type="text" name="ignored" value="x">
</FORM>`
	u := page(t, "text/html; charset=utf-8", offer, answer)
	b := challenge.NewBrowser(5 * time.Second)
	ctx := context.Background()
	if !b.OffersApprove(ctx, u) {
		t.Fatal("OffersApprove = false for a page offering approve")
	}
	form, err := b.Approve(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if got := form.Action.String(); got != "https://merchant.example/cb?x=1&y=2" {
		t.Errorf("Action = %s", got)
	}
	want := map[string]string{"order_id": "v1-1", "status": "AUTHORIZED", "signature": "AB&CD"}
	if len(form.Fields) != len(want) {
		t.Errorf("Fields = %v, want only the hidden ones", form.Fields)
	}
	for k, v := range want {
		if got := form.Fields.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestBrowserRefusesWhatIsNotTheProtocol(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := challenge.NewBrowser(5 * time.Second)
	cases := []struct {
		name, contentType, offer, answer string
		offers                           bool
	}{
		{"not-html", "application/json", offer, "", false},
		{"no-approve", "text/html", `<form method="post"><input name="otp"></form>`, "", false},
		{"answer-without-form", "text/html", offer, `<p>done</p>`, true},
		{"answer-form-gets", "text/html", offer, `<form method="get" action="/cb"></form>`, true},
		{"two-forms", "text/html", offer, `<form method="post" action="/a"></form><form method="post" action="/b"></form>`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			u := page(t, c.contentType, c.offer, c.answer)
			if got := b.OffersApprove(ctx, u); got != c.offers {
				t.Fatalf("OffersApprove = %v, want %v", got, c.offers)
			}
			if !c.offers {
				return
			}
			if form, err := b.Approve(ctx, u); err == nil {
				t.Errorf("Approve accepted %q: %+v", c.answer, form)
			}
		})
	}
	if b.OffersApprove(ctx, "mailto:someone@example.com") {
		t.Error("OffersApprove = true for a URL that is not http(s)")
	}
}
