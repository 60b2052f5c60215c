// Package challenge plays the customer at a challenge page that speaks the
// challenge protocol of DESIGN.md: a page offering approve, whose answer is
// a self-submitting form to the merchant's callback URL.
package challenge

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// maxPage caps what is read of a challenge page.
const maxPage = 1 << 20

// A Browser is the customer's browser: it keeps cookies across the
// challenge's pages and follows no script, only the protocol's forms.
type Browser struct {
	http *http.Client
}

// NewBrowser returns a Browser with its own cookie jar whose requests each
// time out after timeout.
func NewBrowser(timeout time.Duration) *Browser {
	jar, _ := cookiejar.New(nil) // cookiejar.New never fails without options
	return &Browser{http: &http.Client{Jar: jar, Timeout: timeout}}
}

// A Form is the self-submitting form the approval answers with: where it
// posts and its hidden fields (order_id, status, signature, …).
type Form struct {
	Action *url.URL
	Fields url.Values
}

// OffersApprove reports whether GET challengeURL is a page of the challenge
// protocol: HTML offering action=approve.
func (b *Browser) OffersApprove(ctx context.Context, challengeURL string) bool {
	u, err := url.Parse(challengeURL)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, challengeURL, nil)
	if err != nil {
		return false
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxPage))
	if resp.StatusCode != http.StatusOK || !isHTML(resp) {
		return false
	}
	for _, t := range scanTags(string(body)) {
		if (t.name == "input" || t.name == "button") && t.attrs["name"] == "action" && t.attrs["value"] == "approve" {
			return true
		}
	}
	return false
}

// Approve posts action=approve to challengeURL and returns the form the
// answer page would submit.
func (b *Browser) Approve(ctx context.Context, challengeURL string) (*Form, error) {
	resp, err := b.post(ctx, challengeURL, url.Values{"action": {"approve"}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxPage))
	if resp.StatusCode != http.StatusOK || !isHTML(resp) {
		return nil, fmt.Errorf("approving answered %s, not an HTML page", resp.Status)
	}
	var form *Form
	for _, t := range scanTags(string(body)) {
		switch {
		case t.name == "form":
			if form != nil {
				return nil, errors.New("the approval page holds more than one form")
			}
			if !strings.EqualFold(t.attrs["method"], "post") {
				return nil, errors.New("the approval page's form does not post")
			}
			action, err := resp.Request.URL.Parse(t.attrs["action"])
			if err != nil {
				return nil, errors.New("the approval page's form has an unusable action")
			}
			form = &Form{Action: action, Fields: url.Values{}}
		case t.name == "input" && form != nil && strings.EqualFold(t.attrs["type"], "hidden") && t.attrs["name"] != "":
			form.Fields.Add(t.attrs["name"], t.attrs["value"])
		}
	}
	if form == nil {
		return nil, errors.New("the approval page holds no form")
	}
	return form, nil
}

// Submit does what the browser does with the self-submitting form: posts
// its fields to its action. The caller closes the response's body.
func (b *Browser) Submit(ctx context.Context, f *Form) (*http.Response, error) {
	return b.post(ctx, f.Action.String(), f.Fields)
}

func (b *Browser) post(ctx context.Context, target string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.http.Do(req)
}

func isHTML(resp *http.Response) bool {
	return strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/html")
}

// tag is an HTML start tag: the name in lowercase and its attributes, names
// in lowercase and values unescaped.
type tag struct {
	name  string
	attrs map[string]string
}

var (
	tagRE  = regexp.MustCompile(`(?is)<(form|input|button)\b((?:[^>"']|"[^"]*"|'[^']*')*)>`)
	attrRE = regexp.MustCompile(`([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?`)
)

// scanTags finds the form, input and button tags of page, which is all the
// challenge protocol asks a browser to understand. It is no HTML parser,
// only enough for the pages the protocol describes.
func scanTags(page string) []tag {
	var tags []tag
	for _, m := range tagRE.FindAllStringSubmatch(page, -1) {
		t := tag{name: strings.ToLower(m[1]), attrs: map[string]string{}}
		for _, a := range attrRE.FindAllStringSubmatch(m[2], -1) {
			name := strings.ToLower(a[1])
			if _, dup := t.attrs[name]; !dup { // the first wins, as in a browser
				t.attrs[name] = html.UnescapeString(a[2] + a[3] + a[4])
			}
		}
		tags = append(tags, t)
	}
	return tags
}
