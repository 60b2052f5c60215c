package signature

import "crypto/hmac"

const hexUpper = "0123456789ABCDEF"

// Sign returns the signature of fs as 64 uppercase hex digits, the form the
// Pine Labs reference routine produces. It is mostly useful for tests and
// sandboxes that need to fake a callback.
func (k Key) Sign(fs Fields) (string, error) {
	st, err := k.get()
	if err != nil {
		return "", err
	}
	defer k.put(st)
	st.loadFields(fs)
	return st.sign()
}

// SignMap is Sign for a map. A map cannot hold a repeated name, but it can
// hold both status and payment_status, which follow the Fields rules.
func (k Key) SignMap(m map[string]string) (string, error) {
	st, err := k.get()
	if err != nil {
		return "", err
	}
	defer k.put(st)
	st.loadMap(m)
	return st.sign()
}

func (st *macState) sign() (string, error) {
	if err := st.canonicalize(); err != nil {
		return "", err
	}
	sum := st.computeMAC()
	var out [2 * len(st.sum)]byte
	for i, b := range sum {
		out[2*i] = hexUpper[b>>4]
		out[2*i+1] = hexUpper[b&0x0f]
	}
	return string(out[:]), nil
}

// computeMAC returns the HMAC of st.buf, written into st.sum's own storage
// so that no slice is allocated per call.
func (st *macState) computeMAC() []byte {
	st.mac.Reset()
	st.mac.Write(st.buf)
	return st.mac.Sum(st.sum[:0])
}

// Verify checks sig against fs. The signature may be in either hex case. A
// field named "signature" inside fs is ignored: sig is what is checked.
//
// The error is ErrMissingSignature, ErrMalformedSignature or
// ErrSignatureMismatch for a bad signature, or one of the field-set errors
// described on Fields.
func (k Key) Verify(fs Fields, sig string) error {
	st, err := k.get()
	if err != nil {
		return err
	}
	defer k.put(st)
	st.loadFields(fs)
	return st.verify(sig)
}

// VerifyMap is Verify for a map; a "signature" entry is ignored in favour
// of sig.
func (k Key) VerifyMap(m map[string]string, sig string) error {
	st, err := k.get()
	if err != nil {
		return err
	}
	defer k.put(st)
	st.loadMap(m)
	return st.verify(sig)
}

func (st *macState) verify(sig string) error {
	if sig == "" {
		return ErrMissingSignature
	}
	if !decodeSignature(&st.want, sig) {
		return ErrMalformedSignature
	}
	if err := st.canonicalize(); err != nil {
		return err
	}
	if !hmac.Equal(st.computeMAC(), st.want[:]) {
		return ErrSignatureMismatch
	}
	return nil
}

// decodeSignature decodes 64 hex digits of either case. Comparing decoded
// bytes, not strings, is what lets both cases verify while the comparison
// itself stays constant-time.
func decodeSignature(dst *[32]byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, lo := hexValue[s[2*i]], hexValue[s[2*i+1]]
		if hi|lo == badHex {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

// badHex marks a non-hex byte in hexValue; it has the high bit set, which
// no digit value has, so one OR of two lookups tests both.
const badHex = 0xff

// hexValue maps each byte to its hex digit value or badHex: a table lookup
// is cheaper than the comparisons of unhex on the verify path.
var hexValue = func() (t [256]byte) {
	for i := range t {
		v, ok := unhex(byte(i))
		if !ok {
			v = badHex
		}
		t[i] = v
	}
	return t
}()
