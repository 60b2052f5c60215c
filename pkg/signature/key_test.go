package signature

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestKeyLogValue logs a Key through slog's text and JSON handlers, on its
// own, in a group and as a pointer, and requires the redacted form in place
// of the key each time. The failure messages never include the output.
func TestKeyLogValue(t *testing.T) {
	t.Parallel()
	k := mustKey(t, testKeyHex)
	if got := k.LogValue(); got.Kind() != slog.KindString || got.String() != "signature.Key(redacted)" {
		t.Errorf("LogValue() is not the redacted form")
	}
	keyBytes, err := hex.DecodeString(testKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	leaks := map[string]string{
		"hex":     testKeyHex[:12],
		"HEX":     strings.ToUpper(testKeyHex[:12]),
		"raw":     string(keyBytes[:6]),
		"decimal": strings.Trim(fmt.Sprint(keyBytes[:6]), "[]"),
	}
	for _, h := range []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
	}{
		{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
		{"json", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
	} {
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			log := slog.New(h.new(&buf))
			log.Info("value", "key", k)
			log.Info("pointer", "key", &k)
			log.Info("group", slog.Group("g", slog.Any("key", k)))
			log.With("key", k).Info("with")
			out := buf.String()
			if n := strings.Count(out, "signature.Key(redacted)"); n != 4 {
				t.Errorf("redacted form appears %d times, want 4", n)
			}
			for name, s := range leaks {
				if strings.Contains(out, s) {
					t.Errorf("%s handler output shows the key (%s)", h.name, name)
				}
			}
		})
	}
}
