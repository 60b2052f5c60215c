// Package sigvectors reads the signature test vectors that make-vectors.sh,
// next to this file, computes with openssl, for the tests of every package
// that signs or verifies.
package sigvectors

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Field is one name=value line of a callback vector, kept as written.
type Field struct{ Name, Value string }

// Callback is a callback vector: a hex key, the fields in the order given,
// the canonical string and the HMAC as openssl printed it (lowercase hex).
type Callback struct {
	Name, Key, Canonical, HMAC string
	Fields                     []Field
}

// Webhook is a webhook vector: the secret and how it is used (raw or
// base64), the signed parts and the header value.
type Webhook struct {
	Name, Mode, Secret, ID, Timestamp, Body, Signature string
}

// ReadCallbacks reads a callback vector file.
func ReadCallbacks(path string) ([]Callback, error) {
	var out []Callback
	var cur Callback
	err := readLines(path, func(word, rest string) error {
		switch word {
		case "vector":
			cur = Callback{Name: rest}
		case "key":
			cur.Key = rest
		case "field":
			name, value, ok := strings.Cut(rest, "=")
			if !ok {
				return fmt.Errorf("vector %s: field without '='", cur.Name)
			}
			cur.Fields = append(cur.Fields, Field{Name: name, Value: value})
		case "canonical":
			cur.Canonical = rest
		case "hmac":
			cur.HMAC = rest
		case "end":
			out = append(out, cur)
		default:
			return fmt.Errorf("unknown line %q", word)
		}
		return nil
	})
	return out, err
}

// ReadWebhooks reads a webhook vector file.
func ReadWebhooks(path string) ([]Webhook, error) {
	var out []Webhook
	var cur Webhook
	err := readLines(path, func(word, rest string) error {
		switch word {
		case "webhook":
			cur = Webhook{Name: rest}
		case "mode":
			cur.Mode = rest
		case "secret":
			cur.Secret = rest
		case "id":
			cur.ID = rest
		case "timestamp":
			cur.Timestamp = rest
		case "body":
			cur.Body = rest
		case "signature":
			cur.Signature = rest
		case "end":
			out = append(out, cur)
		default:
			return fmt.Errorf("unknown line %q", word)
		}
		return nil
	})
	return out, err
}

func readLines(path string, each func(word, rest string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// Values keep their leading and trailing spaces: no trimming.
		word, rest, _ := strings.Cut(line, " ")
		if err := each(word, rest); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return sc.Err()
}
