package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

var sample = []Finding{
	{Kind: KindTransition, Operation: "getOrder", Spec: "from PROCESSED only to PARTIALLY_REFUNDED, FULLY_REFUNDED", Server: "PROCESSED → CREATED", Excerpt: "order v1-1: PROCESSED → CREATED"},
	{Kind: KindUnknownField, Operation: "getOrder", Path: "data.foo", Spec: "no such property", Server: `"bar"`, Excerpt: `{"foo":"bar"}`},
	{Kind: KindUnknownEnum, Operation: "getOrder", Path: "data.status", Spec: "one of CREATED, PENDING (open enum)", Server: `"REVERSED"`, Excerpt: "{\"status\":\"REVERSED\",\n\"x\":1}"},
}

func TestReport(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := Report(&b, sample); err != nil {
		t.Fatal(err)
	}
	want := `unknown-field (1)
OPERATION  PATH      SPEC SAYS         SERVER SENT  EXCERPT
getOrder   data.foo  no such property  "bar"        {"foo":"bar"}

unknown-enum (1)
OPERATION  PATH         SPEC SAYS                            SERVER SENT  EXCERPT
getOrder   data.status  one of CREATED, PENDING (open enum)  "REVERSED"   {"status":"REVERSED", "x":1}

transition (1)
OPERATION  PATH  SPEC SAYS                                                  SERVER SENT          EXCERPT
getOrder   -     from PROCESSED only to PARTIALLY_REFUNDED, FULLY_REFUNDED  PROCESSED → CREATED  order v1-1: PROCESSED → CREATED

3 findings
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestReportEmpty(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := Report(&b, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "no findings: the server and the spec agree\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReportWriteError(t *testing.T) {
	t.Parallel()
	if err := Report(failingWriter{}, sample); err == nil {
		t.Error("Report hid a write error")
	}
	if err := WriteJSON(failingWriter{}, sample); err == nil {
		t.Error("WriteJSON hid a write error")
	}
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJSON(&b, sample[:1]); err != nil {
		t.Fatal(err)
	}
	want := `{
  "findings": [
    {
      "kind": "transition",
      "operation": "getOrder",
      "path": "",
      "spec": "from PROCESSED only to PARTIALLY_REFUNDED, FULLY_REFUNDED",
      "server": "PROCESSED → CREATED",
      "excerpt": "order v1-1: PROCESSED → CREATED"
    }
  ],
  "count": 1
}
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	b.Reset()
	if err := WriteJSON(&b, nil); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Findings []Finding `json:"findings"`
		Count    int       `json:"count"`
	}
	if err := json.Unmarshal(b.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.Findings == nil || decoded.Count != 0 || !strings.Contains(b.String(), `"findings": []`) {
		t.Errorf("no findings should be an empty list and a count of 0: %s", b.String())
	}
}

// Findings of a real check round-trip through the JSON report unchanged.
func TestWriteJSONRoundTrip(t *testing.T) {
	t.Parallel()
	m := order()
	data(m)["foo"] = testPAN
	data(m)["status"] = "REVERSED"
	findings := getOrder(t, 200, encodeBody(t, m))
	var b bytes.Buffer
	if err := WriteJSON(&b, findings); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), testPAN) {
		t.Errorf("the card number shows in the JSON report:\n%s", b.String())
	}
	var decoded struct {
		Findings []Finding `json:"findings"`
		Count    int       `json:"count"`
	}
	if err := json.Unmarshal(b.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.Count != len(findings) || len(decoded.Findings) != len(findings) {
		t.Fatalf("count %d, %d findings; want %d", decoded.Count, len(decoded.Findings), len(findings))
	}
	for i := range findings {
		if decoded.Findings[i] != findings[i] {
			t.Errorf("finding %d: got %+v, want %+v", i, decoded.Findings[i], findings[i])
		}
	}
	b.Reset()
	if err := Report(&b, findings); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), testPAN) {
		t.Errorf("the card number shows in the table:\n%s", b.String())
	}
}
