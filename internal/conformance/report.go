package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Report writes findings as tables, one per kind in a fixed order, one row
// per finding: operation, path, what the spec says, what the server sent
// and an excerpt of the body.
func Report(w io.Writer, findings []Finding) error {
	if len(findings) == 0 {
		_, err := fmt.Fprintln(w, "no findings: the server and the spec agree")
		return err
	}
	byKind := map[Kind][]Finding{}
	var order []Kind
	for _, f := range findings {
		if _, seen := byKind[f.Kind]; !seen && !knownKind(f.Kind) {
			order = append(order, f.Kind) // a kind added later still shows
		}
		byKind[f.Kind] = append(byKind[f.Kind], f)
	}
	order = append(kinds[:len(kinds):len(kinds)], order...)

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	first := true
	for _, k := range order {
		group := byKind[k]
		if len(group) == 0 {
			continue
		}
		if !first {
			fmt.Fprintln(tw)
		}
		first = false
		fmt.Fprintf(tw, "%s (%d)\n", k, len(group))
		fmt.Fprintln(tw, "OPERATION\tPATH\tSPEC SAYS\tSERVER SENT\tEXCERPT")
		for _, f := range group {
			path := f.Path
			if path == "" {
				path = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(f.Operation), cell(path), cell(f.Spec), cell(f.Server), cell(f.Excerpt))
		}
	}
	fmt.Fprintf(tw, "\n%d %s\n", len(findings), plural(len(findings), "finding", "findings"))
	return tw.Flush()
}

func knownKind(k Kind) bool {
	for _, known := range kinds {
		if k == known {
			return true
		}
	}
	return false
}

// cell keeps a value on one line of its column: tabs and newlines from a
// server's text would break the table.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r', '\v', '\f':
			return ' '
		}
		return r
	}, s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteJSON writes {"findings": [...], "count": n}; findings is [] rather
// than null when there are none, so a consumer can always range over it.
func WriteJSON(w io.Writer, findings []Finding) error {
	if findings == nil {
		findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Findings []Finding `json:"findings"`
		Count    int       `json:"count"`
	}{findings, len(findings)})
}
