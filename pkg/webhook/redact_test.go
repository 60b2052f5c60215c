package webhook

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// keySpellings lists the ways fmt, slog or an encoder could spell key, or
// the HMAC pads derived from it, which give the key away just as well.
// Each is cut to its first bytes so that truncated output is caught too.
func keySpellings(key []byte) map[string]string {
	const n = 6
	head := key[:min(n, len(key))]
	out := map[string]string{
		"raw":       string(head),
		"hex":       hex.EncodeToString(head),
		"HEX":       strings.ToUpper(hex.EncodeToString(head)),
		"go-syntax": strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%#v", head), "[]byte{"), "}"),
		"quoted":    strings.Trim(fmt.Sprintf("%q", head), `"`),
	}
	for name, b := range map[string][]byte{"key": key, "ipad": xorEach(key, 0x36), "opad": xorEach(key, 0x5c)} {
		d := b[:min(n, len(b))]
		out[name+"-decimal"] = strings.Trim(fmt.Sprint(d), "[]")
	}
	// base64 only lines up from the start of the key, so encode it whole
	// and look for a prefix of the text.
	for name, enc := range map[string]*base64.Encoding{
		"base64": base64.StdEncoding, "base64url": base64.URLEncoding,
	} {
		out[name] = enc.EncodeToString(key)[:8]
	}
	return out
}

func xorEach(b []byte, x byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[i] = b[i] ^ x
	}
	return out
}

// TestVerifierNeverPrintsKey and TestSignerNeverPrintsKey format each
// type every way fmt and slog can and require that no spelling of its key
// appears. The failure messages name the verb and the spelling, never the
// output, which could hold the secret.
func TestVerifierNeverPrintsKey(t *testing.T) {
	t.Parallel()
	neverPrintsKey(t, "webhook.Verifier(redacted)", func(secret string, opts ...Option) (any, any, error) {
		v, err := NewVerifier(secret, opts...)
		if err != nil {
			return nil, nil, err
		}
		return v, *v, nil
	})
}

func TestSignerNeverPrintsKey(t *testing.T) {
	t.Parallel()
	neverPrintsKey(t, "webhook.Signer(redacted)", func(secret string, opts ...Option) (any, any, error) {
		s, err := NewSigner(secret, opts...)
		if err != nil {
			return nil, nil, err
		}
		// Signing first leaves keyed state in the pool, which formatting
		// must not reach either.
		s.Sign("msg_redact", time.Unix(testTS, 0), []byte(orderBody))
		return s, *s, nil
	})
}

// neverPrintsKey builds a value with build, for a base64 and a raw secret,
// and checks every formatting of the pointer and the value it returns.
func neverPrintsKey(t *testing.T, redacted string, build func(secret string, opts ...Option) (ptr, val any, err error)) {
	const rawSecret = "s3cr3t-raw-webhook-key"
	secrets := []struct {
		name   string
		key    []byte
		opts   []Option
		secret string
	}{
		{"base64", testKey(t), nil, testSecret},
		{"raw", []byte(rawSecret), []Option{WithRawSecret()}, rawSecret},
	}
	for _, c := range secrets {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ptr, val, err := build(c.secret, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			outputs := map[string]string{}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
				outputs["pointer "+verb] = fmt.Sprintf(verb, ptr)
				outputs["value "+verb] = fmt.Sprintf(verb, val)
			}
			outputs["Sprint"] = fmt.Sprint(ptr, val)
			outputs["in struct"] = fmt.Sprintf("%+v", struct{ P any }{ptr})
			for _, h := range []struct {
				name string
				new  func(*bytes.Buffer) slog.Handler
			}{
				{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
				{"json", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
			} {
				var buf bytes.Buffer
				log := slog.New(h.new(&buf))
				log.Info("pointer", "it", ptr)
				log.Info("value", "it", val)
				log.Info("group", slog.Group("g", slog.Any("it", ptr)))
				outputs["slog "+h.name] = buf.String()
				// The redacted form must actually be there: a handler that
				// printed nothing would pass the check below too.
				if strings.Count(buf.String(), redacted) != 3 {
					t.Errorf("slog %s handler: redacted form missing", h.name)
				}
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				for _, form := range []string{"pointer ", "value "} {
					if got := outputs[form+verb]; got != redacted {
						t.Errorf("%s of %s is not the redacted form", verb, form)
					}
				}
			}
			spellings := keySpellings(c.key)
			for _, what := range slices.Sorted(maps.Keys(outputs)) {
				for _, name := range slices.Sorted(maps.Keys(spellings)) {
					if strings.Contains(outputs[what], spellings[name]) {
						t.Errorf("%s shows the key (%s)", what, name)
					}
				}
			}
		})
	}
}
