package specdiff

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseAcks(t *testing.T) {
	t.Parallel()
	good := `
# comment
acknowledged:
  - method: put
    path: /orders/{order_id}/cancel
    change: api-path-removed-without-deprecation
    reason: The endpoint was never live.
  - section: components
    change: removed the schema 'Legacy'
    reason: Unused.
`
	acks, err := ParseAcks([]byte(good))
	if err != nil {
		t.Fatalf("ParseAcks: %v", err)
	}
	if len(acks) != 2 || acks[0].Method != "PUT" || acks[0].Line != 4 || acks[1].Section != "components" {
		t.Fatalf("ParseAcks = %+v", acks)
	}

	for _, empty := range []string{"", "# nothing yet\n", "acknowledged: []\n", "acknowledged:\n"} {
		if acks, err := ParseAcks([]byte(empty)); err != nil || len(acks) != 0 {
			t.Errorf("ParseAcks(%q) = %v, %v; want no entries", empty, acks, err)
		}
	}

	bad := map[string]string{
		"no reason": `acknowledged:
  - {method: POST, path: /orders, change: request-property-became-required}`,
		"blank reason": `acknowledged:
  - {method: POST, path: /orders, change: request-property-became-required, reason: "  "}`,
		"misspelt reason": `acknowledged:
  - {method: POST, path: /orders, change: request-property-became-required, reasn: typo}`,
		"no change":        `acknowledged: [{method: POST, path: /orders, reason: r}]`,
		"no method":        `acknowledged: [{path: /orders, change: x, reason: r}]`,
		"relative path":    `acknowledged: [{method: POST, path: orders, change: x, reason: r}]`,
		"bad section":      `acknowledged: [{section: paths, change: x, reason: r}]`,
		"section and path": `acknowledged: [{section: components, method: GET, path: /x, change: x, reason: r}]`,
		"unknown top key":  `acknowledged: []` + "\nignored: []",
		"not a list":       `acknowledged: {method: GET}`,
		"not yaml":         "acknowledged: [",
	}
	for name, text := range bad {
		if _, err := ParseAcks([]byte(text)); err == nil {
			t.Errorf("%s: ParseAcks accepted %q", name, text)
		} else if name == "no reason" && !strings.Contains(err.Error(), "reason") {
			t.Errorf("%s: error %q does not mention the reason", name, err)
		}
	}
}

func TestReconcile(t *testing.T) {
	t.Parallel()
	removed := Change{ID: "api-path-removed-without-deprecation", Text: "api path removed without deprecation",
		Level: LevelErr, Operation: "PUT", Path: "/orders/{order_id}/cancel", Section: "paths"}
	enumA := Change{ID: "request-property-enum-value-removed", Text: "removed the enum value `A` of the request property `kind`",
		Level: LevelErr, Operation: "POST", Path: "/orders", Section: "paths"}
	enumB := enumA
	enumB.Text = "removed the enum value `B` of the request property `kind`"
	warn := Change{ID: "response-property-became-optional", Text: "w", Level: LevelWarn, Operation: "GET", Path: "/orders", Section: "paths"}
	schema := Change{ID: "api-schema-removed", Text: "removed the schema `Old`", Level: LevelErr, Section: "components"}
	changes := []Change{removed, enumA, enumB, warn, schema}

	acks := []Ack{
		{Method: "PUT", Path: "/orders/{order_id}/cancel", Change: "api-path-removed-without-deprecation", Reason: "r"},
		// By text, with different case and spacing: covers enumA only.
		{Method: "POST", Path: "/orders", Change: "Removed the enum value `A`   of the request property `kind`", Reason: "r"},
		{Section: "components", Change: "api-schema-removed", Reason: "r"},
		{Method: "GET", Path: "/nothing", Change: "api-path-removed-without-deprecation", Reason: "r"},
	}
	acked, unacked, unused := Reconcile(changes, acks)
	if len(acked) != 3 || acked[0] != removed || acked[1] != enumA || acked[2] != schema {
		t.Errorf("acked = %v", acked)
	}
	if len(unacked) != 1 || unacked[0] != enumB {
		t.Errorf("unacked = %v; want only the second enum value", unacked)
	}
	if len(unused) != 1 || unused[0].Path != "/nothing" {
		t.Errorf("unused = %v", unused)
	}

	// A stub printed for a failure parses back, once given a reason.
	stub := strings.Replace(enumB.Stub(), `reason: ""`, "reason: because", 1)
	back, err := ParseAcks([]byte("acknowledged:\n" + stub))
	if err != nil || len(back) != 1 || !back[0].Matches(enumB) {
		t.Errorf("stub %q parsed to %v, %v", stub, back, err)
	}
	if _, err := ParseAcks([]byte("acknowledged:\n" + enumB.Stub())); err == nil {
		t.Errorf("a stub without a reason was accepted")
	}
}

func TestWriteChangelog(t *testing.T) {
	t.Parallel()
	// Trimmed from oasdiff v1.30.0's changelog --format json.
	const report = `[
{"id":"request-property-became-required","text":"the request property ` + "`notes`" + ` became required","level":3,"operation":"POST","operationId":"createOrder","path":"/orders","section":"paths","revisionSource":{"file":"working/pinelabs.yaml","line":124,"column":58},"fingerprint":"d1967bc04779"},
{"id":"api-path-removed-without-deprecation","text":"api path removed without deprecation","level":3,"operation":"PUT","path":"/orders/{order_id}/cancel","section":"paths","baseSource":{"file":"base/pinelabs.yaml","line":60,"column":5}},
{"id":"response-property-became-optional","text":"w","comment":"clients may break","level":2,"operation":"GET","path":"/orders","section":"paths"},
{"id":"api-version-not-bumped","text":"a breaking change was detected but the version is still ` + "`1.0.0`" + `","level":1,"section":"info","fingerprint":"d3f96cd643c1"}
]`
	var changes []Change
	if err := json.Unmarshal([]byte(report), &changes); err != nil {
		t.Fatal(err)
	}
	want := "4 changes: 2 error, 1 warning, 1 info\n" +
		"\nerror\t[request-property-became-required] at working/pinelabs.yaml:124:58\n\tin API POST /orders\n\t\tthe request property `notes` became required\n" +
		"\nerror\t[api-path-removed-without-deprecation] at base/pinelabs.yaml:60:5\n\tin API PUT /orders/{order_id}/cancel\n\t\tapi path removed without deprecation\n" +
		"\nwarning\t[response-property-became-optional]\n\tin API GET /orders\n\t\tw\n\t\tclients may break\n" +
		"\ninfo\t[api-version-not-bumped]\n\tin info\n\t\ta breaking change was detected but the version is still `1.0.0`\n"
	var b strings.Builder
	writeChangelog(&b, changes)
	if b.String() != want {
		t.Errorf("writeChangelog =\n%s\nwant\n%s", b.String(), want)
	}

	b.Reset()
	writeChangelog(&b, nil)
	if b.String() != "No changes to report\n" {
		t.Errorf("writeChangelog(nil) = %q", b.String())
	}
}
