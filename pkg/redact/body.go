package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// sensitiveKeys maps a normalised JSON key (see normalise) to how its value
// is described: a card number keeps its last four digits, everything else
// only its length. Normalising lets card_number, cardNumber and Card-Number
// all match one entry.
var sensitiveKeys = map[string]func(string) string{
	"cardnumber":   Card,
	"cvv":          Secret,
	"cardcvv":      Secret,
	"cryptogram":   Secret,
	"token":        Secret,
	"accesstoken":  Secret,
	"refreshtoken": Secret,
	"clientsecret": Secret,
}

// longestSensitiveKey bounds the normalised keys worth looking up.
const longestSensitiveKey = len("refreshtoken")

// describer returns how the value under key is described, or nil for a key
// that is not sensitive.
func describer(key string) func(string) string {
	var buf [longestSensitiveKey]byte
	n := 0
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= utf8.RuneSelf:
			// Rare: let Unicode case folding decide (a Kelvin sign K lowers to k).
			return sensitiveKeys[normalise(key)]
		case c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(buf) {
			return nil
		}
		buf[n] = c
		n++
	}
	return sensitiveKeys[string(buf[:n])]
}

// normalise lowers key and drops its underscores and hyphens.
func normalise(key string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, key)
}

// JSONBody returns raw, an HTTP body as it went over the wire, fit for a log
// line or an error: the values of card_number, cvv, card_cvv, cryptogram,
// token, access_token, refresh_token and client_secret are replaced by their
// descriptions (Card or Secret), and any other string or number holding what
// looks like a card number (13 to 19 digits that pass the Luhn check) is
// masked as one. Keys match without regard to case, underscores or hyphens
// (cardNumber, Card-Number), and a sensitive key's array or object value has
// every string and number in it described.
//
// A body that is not JSON, or JSON cut short, is still safe to print: the
// part that parses is re-encoded and the rest is replaced by "…"; text that
// never parsed has every run of 12 or more digits masked.
func JSONBody(raw []byte) []byte {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		return maskDigitRuns(raw)
	}
	w := bodyWriter{out: make([]byte, 0, len(raw)+32)}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if len(w.stack) > 0 { // cut short between tokens
				return append(w.out, "…"...)
			}
			return w.out
		}
		if err != nil {
			// Cut short or malformed: what follows the last good token may
			// be half a card number, so none of it is kept.
			return append(w.out, "…"...)
		}
		w.token(tok)
		if dec.More() || len(w.stack) > 0 {
			continue
		}
		// One complete top-level value; anything after it is not JSON this
		// writer understands.
		if rest := bytes.TrimSpace(trimmed[dec.InputOffset():]); len(rest) > 0 {
			return append(w.out, "…"...)
		}
	}
}

type frame struct {
	object bool
	n      int // values written so far (for objects: keys)
	key    string
	// describe is set inside the value of a sensitive key: every string
	// and number in the container is described with it.
	describe func(string) string
}

type bodyWriter struct {
	out   []byte
	stack []frame
	// wantKey is true when the next string token in an object is a key.
	wantKey bool
}

func (w *bodyWriter) top() *frame {
	if len(w.stack) == 0 {
		return nil
	}
	return &w.stack[len(w.stack)-1]
}

// beforeValue writes the separator a value needs and returns the key it sits
// under ("" in an array or at the top level).
func (w *bodyWriter) beforeValue() string {
	f := w.top()
	if f == nil {
		return ""
	}
	if f.object {
		w.wantKey = true
		return f.key
	}
	if f.n > 0 {
		w.out = append(w.out, ',')
	}
	f.n++
	return ""
}

// describer returns how a value under key is described: by the key itself
// if it is sensitive, else as the enclosing sensitive value says, if any.
func (w *bodyWriter) describer(key string) func(string) string {
	if f := describer(key); f != nil {
		return f
	}
	if f := w.top(); f != nil {
		return f.describe
	}
	return nil
}

func (w *bodyWriter) token(tok json.Token) {
	if d, ok := tok.(json.Delim); ok {
		switch d {
		case '{', '[':
			describe := w.describer(w.beforeValue())
			w.out = append(w.out, byte(d))
			w.stack = append(w.stack, frame{object: d == '{', describe: describe})
			w.wantKey = d == '{'
		default:
			w.out = append(w.out, byte(d))
			w.stack = w.stack[:len(w.stack)-1]
			f := w.top()
			w.wantKey = f != nil && f.object
		}
		return
	}
	if f := w.top(); f != nil && f.object && w.wantKey {
		key, _ := tok.(string)
		if f.n > 0 {
			w.out = append(w.out, ',')
		}
		f.n++
		f.key = key
		if holdsCard(key) {
			key = Card(key)
		}
		w.out = appendString(w.out, key)
		w.out = append(w.out, ':')
		w.wantKey = false
		return
	}
	describe := w.describer(w.beforeValue())
	switch v := tok.(type) {
	case string:
		switch {
		case describe != nil:
			v = describe(v)
		case holdsCard(v):
			v = Card(v)
		}
		w.out = appendString(w.out, v)
	case json.Number:
		switch {
		case describe != nil:
			w.out = appendString(w.out, describe(string(v)))
		case holdsCard(string(v)):
			w.out = appendString(w.out, Card(string(v)))
		default:
			w.out = append(w.out, v...)
		}
	case bool:
		if v {
			w.out = append(w.out, "true"...)
		} else {
			w.out = append(w.out, "false"...)
		}
	case nil:
		w.out = append(w.out, "null"...)
	}
}

func appendString(dst []byte, s string) []byte {
	b, err := json.Marshal(s)
	if err != nil { // a Go string always encodes
		return append(dst, `""`...)
	}
	return append(dst, b...)
}

// holdsCard reports whether s contains a run of 13 to 19 digits that passes
// the Luhn check: a card number in a field that should not hold one.
func holdsCard(s string) bool {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if n := j - i; n >= 13 && n <= 19 && luhn(s[i:j]) {
			return true
		}
		i = j
	}
	return false
}

func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// maskDigitRuns replaces every run of 12 or more digits in text that is not
// JSON (an HTML error page, a proxy's message) with its Card description.
// Without keys to go by, any long number is treated as a possible card.
func maskDigitRuns(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		if !isDigit(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j-i >= 12 {
			out = append(out, b[last:i]...)
			out = append(out, Card(string(b[i:j]))...)
			last = j
		}
		i = j
	}
	if out == nil {
		return bytes.Clone(b)
	}
	return append(out, b[last:]...)
}

// Excerpt is JSONBody(raw) cut to at most max bytes on a character
// boundary, with "…" marking a cut: the part of an unreadable response an
// error may quote.
func Excerpt(raw []byte, max int) string {
	b := JSONBody(raw)
	if len(b) <= max {
		return string(b)
	}
	cut := max - len("…")
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && cut < len(b) && b[cut]&0xC0 == 0x80 {
		cut--
	}
	return string(b[:cut]) + "…"
}

// Text masks free text that may echo payment data, such as an error message
// from a server: every run of 12 or more digits is described as Card
// describes it.
func Text(s string) string {
	return string(maskDigitRuns([]byte(s)))
}
