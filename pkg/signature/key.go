package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"log/slog"
	"strconv"
	"sync"
)

// Key is a merchant's callback secret, decoded once so that each
// verification only pays for the HMAC. A Key is safe for concurrent use and
// cheap to copy; the zero Key is unusable and makes every operation fail
// with ErrInvalidKey.
type Key struct {
	s *keyState
}

type keyState struct {
	pool sync.Pool // of *macState
}

// macState is everything one signing or verification needs, pooled so the
// verify path allocates nothing once warm: the keyed HMAC (whose Reset
// restores the precomputed pad state instead of rehashing the key), the
// buffer the canonical string is built in, and scratch space for sorting.
type macState struct {
	mac   hash.Hash
	buf   []byte
	pairs []pair
	sum   [sha256.Size]byte
	want  [sha256.Size]byte
}

// ParseKey decodes the merchant's secret key, given as hex digits of either
// case. Unlike the reference routine in the Pine Labs docs it refuses an odd
// number of digits or a non-hex character instead of silently dropping or
// mangling them, since a wrong key would otherwise only show up as every
// callback failing verification. The error never repeats the secret.
func ParseKey(hexSecret string) (Key, error) {
	if hexSecret == "" {
		return Key{}, withDetail(ErrInvalidKey, "empty")
	}
	if len(hexSecret)%2 != 0 {
		return Key{}, withDetail(ErrInvalidKey, "odd number of hex digits ("+strconv.Itoa(len(hexSecret))+")")
	}
	raw := make([]byte, len(hexSecret)/2)
	for i := 0; i < len(raw); i++ {
		hi, ok1 := unhex(hexSecret[2*i])
		lo, ok2 := unhex(hexSecret[2*i+1])
		if !ok1 || !ok2 {
			pos := 2 * i
			if ok1 {
				pos++
			}
			// The position is enough to find the typo; the character
			// itself would be a piece of the secret.
			return Key{}, withDetail(ErrInvalidKey, "non-hex character at offset "+strconv.Itoa(pos))
		}
		raw[i] = hi<<4 | lo
	}
	return newKey(raw), nil
}

func newKey(raw []byte) Key {
	ks := &keyState{}
	ks.pool.New = func() any {
		return &macState{mac: hmac.New(sha256.New, raw)}
	}
	return Key{s: ks}
}

// String keeps the key material out of logs when a Key ends up in a
// formatted message by accident.
func (k Key) String() string { return "signature.Key(redacted)" }

// GoString does the same for %#v.
func (k Key) GoString() string { return k.String() }

// LogValue does the same for log/slog, whose JSON handler would otherwise
// not call String.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

func (k Key) get() (*macState, error) {
	if k.s == nil {
		return nil, withDetail(ErrInvalidKey, "zero Key; use ParseKey")
	}
	return k.s.pool.Get().(*macState), nil
}

func (k Key) put(st *macState) {
	// Field values are dropped so the pool does not keep request data alive
	// (or readable) after the call returns.
	clear(st.pairs)
	st.pairs = st.pairs[:0]
	clear(st.buf)
	st.buf = st.buf[:0]
	k.s.pool.Put(st)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
