// Package specdiff compares spec/pinelabs.yaml with its version at a git
// revision using oasdiff and fails on breaking changes that nobody has
// acknowledged in spec/breaking-changes.yaml.
//
// The acknowledgement file is YAML with one list, acknowledged, whose entries
// name one breaking change each and say why it is acceptable:
//
//	acknowledged:
//	  - method: PUT
//	    path: /orders/{order_id}/cancel
//	    change: api-path-removed-without-deprecation
//	    reason: Pine Labs retired the endpoint; cancellation now goes through ...
//
// change is either oasdiff's full message text (it then covers that one
// change) or oasdiff's change id (it then covers every change of that kind on
// that operation, including later ones, for as long as the entry stays).
// Changes outside paths, such as a removed component schema, are acknowledged
// with section (components, security or info) instead of method and path.
// Every entry needs a non-empty reason.
//
// spec-diff runs oasdiff changelog once per comparison, in JSON, and does the
// rest itself: it prints the changelog and matches the ERR-level changes
// against these entries, so the reasons can be shown next to the changes.
package specdiff

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Ack is one entry of the acknowledgement file.
type Ack struct {
	// Method is the HTTP method of the operation, e.g. POST.
	Method string `yaml:"method"`
	// Path is the path template exactly as in the spec, e.g. /orders/{order_id}.
	Path string `yaml:"path"`
	// Section replaces Method and Path for a change outside paths:
	// components, security or info.
	Section string `yaml:"section"`
	// Change is oasdiff's change id or the full text of its message.
	Change string `yaml:"change"`
	// Reason says why the breaking change is acceptable. It is required.
	Reason string `yaml:"reason"`

	// Line is where the entry starts in the file, for messages.
	Line int `yaml:"-"`
}

// AckFile is the parsed acknowledgement file.
type AckFile struct {
	Acknowledged []Ack `yaml:"acknowledged"`
}

var sections = map[string]bool{"components": true, "security": true, "info": true}

var methods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true,
	http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true,
	http.MethodOptions: true, http.MethodTrace: true,
}

// String names the entry in messages.
func (a Ack) String() string {
	where := strings.TrimSpace(strings.ToUpper(a.Method) + " " + a.Path)
	if a.Section != "" {
		where = a.Section
	}
	return fmt.Sprintf("line %d (%s: %s)", a.Line, where, a.Change)
}

// ParseAcks parses and checks the contents of an acknowledgement file.
func ParseAcks(data []byte) ([]Ack, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, nil // only comments
	}
	var file AckFile
	if err := doc.Decode(&file); err != nil {
		return nil, fmt.Errorf("not an acknowledgement file: %w", err)
	}
	// Reject unknown keys, so that a misspelt "reason" is reported as such
	// rather than as an entry without one.
	root := doc.Content[0]
	if err := checkKeys(root, map[string]bool{"acknowledged": true}); err != nil {
		return nil, err
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "acknowledged" {
			list = root.Content[i+1]
		}
	}
	var problems []string
	for i := range file.Acknowledged {
		a := &file.Acknowledged[i]
		if list != nil && i < len(list.Content) {
			item := list.Content[i]
			a.Line = item.Line
			if err := checkKeys(item, map[string]bool{"method": true, "path": true, "section": true, "change": true, "reason": true}); err != nil {
				problems = append(problems, err.Error())
			}
		}
		a.Method = strings.ToUpper(strings.TrimSpace(a.Method))
		a.Path = strings.TrimSpace(a.Path)
		a.Section = strings.ToLower(strings.TrimSpace(a.Section))
		a.Change = strings.TrimSpace(a.Change)
		a.Reason = strings.TrimSpace(a.Reason)
		for _, p := range a.problems() {
			problems = append(problems, fmt.Sprintf("entry at %s: %s", a, p))
		}
	}
	if len(problems) > 0 {
		return nil, errors.New("invalid acknowledgements:\n  - " + strings.Join(problems, "\n  - "))
	}
	return file.Acknowledged, nil
}

func (a Ack) problems() []string {
	var out []string
	if a.Reason == "" {
		out = append(out, "reason is missing or empty; say why this breaking change is acceptable")
	}
	if a.Change == "" {
		out = append(out, "change is missing; give oasdiff's change id or its message text")
	}
	switch {
	case a.Section != "":
		if !sections[a.Section] {
			out = append(out, fmt.Sprintf("section %q is not one of components, security, info", a.Section))
		}
		if a.Method != "" || a.Path != "" {
			out = append(out, "give either section or method and path, not both")
		}
	default:
		if !methods[a.Method] {
			out = append(out, fmt.Sprintf("method %q is not an HTTP method", a.Method))
		}
		if !strings.HasPrefix(a.Path, "/") {
			out = append(out, fmt.Sprintf("path %q must start with /", a.Path))
		}
	}
	return out
}

func checkKeys(m *yaml.Node, allowed map[string]bool) error {
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping", m.Line)
	}
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		if !allowed[k.Value] {
			return fmt.Errorf("line %d: unknown key %q", k.Line, k.Value)
		}
	}
	return nil
}

// Matches reports whether the acknowledgement covers the change.
func (a Ack) Matches(c Change) bool {
	if a.Section != "" {
		if c.Path != "" || !strings.EqualFold(a.Section, c.Section) {
			return false
		}
	} else if !strings.EqualFold(a.Method, c.Operation) || !strings.EqualFold(a.Path, c.Path) {
		// Methods and paths compare without case, as oasdiff's do.
		return false
	}
	return a.Change == c.ID || strings.EqualFold(squash(a.Change), squash(c.Text))
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// Reconcile splits the ERR-level changes into those some acknowledgement
// covers and those none does, and returns the acknowledgements that cover
// nothing in this diff.
func Reconcile(changes []Change, acks []Ack) (acked, unacked []Change, unused []Ack) {
	used := make([]bool, len(acks))
	for _, c := range changes {
		if c.Level != LevelErr {
			continue
		}
		hit := false
		for i, a := range acks {
			if a.Matches(c) {
				used[i], hit = true, true
			}
		}
		if hit {
			acked = append(acked, c)
		} else {
			unacked = append(unacked, c)
		}
	}
	for i, a := range acks {
		if !used[i] {
			unused = append(unused, a)
		}
	}
	return acked, unacked, unused
}

// Stub is a YAML entry a developer can paste into the acknowledgement file
// to accept the change, with the reason left to fill in. It names the change
// by its text, which covers this change only; an id would also cover any
// later change of the same kind on the operation while the entry stays.
func (c Change) Stub() string {
	var b strings.Builder
	if c.Path == "" {
		fmt.Fprintf(&b, "  - section: %s\n", c.Section)
	} else {
		fmt.Fprintf(&b, "  - method: %s\n    path: %s\n", c.Operation, strconv.Quote(c.Path))
	}
	fmt.Fprintf(&b, "    change: %s # %s\n", strconv.Quote(c.Text), c.ID)
	b.WriteString("    reason: \"\" # required: why this break is acceptable\n")
	return b.String()
}
