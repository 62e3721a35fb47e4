package transport

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// readSignedAnswer reads the signature headers from the map without canonicalizing.
func TestSignatureHeaderNamesAreCanonical(t *testing.T) {
	for _, h := range []string{protocol.HeaderTimestamp, protocol.HeaderNonce, protocol.HeaderSignature, protocol.HeaderSerial} {
		if c := http.CanonicalHeaderKey(h); c != h {
			t.Errorf("%q is not canonical (%q): read it with Header.Get", h, c)
		}
	}
}

// A nil KeyLookup trusts no key: an error naming it, not a panic.
func TestVerifyResponseNilKeyLookup(t *testing.T) {
	h := http.Header{}
	for _, k := range []string{protocol.HeaderTimestamp, protocol.HeaderNonce, protocol.HeaderSignature, protocol.HeaderSerial} {
		h.Set(k, "x")
	}
	err := VerifyResponse(nil, h, []byte("{}"), time.Now())
	var ve *VerificationError
	if !errors.As(err, &ve) || ve.Reason != ReasonUnknownSerial || !strings.Contains(ve.Error(), "KeyLookup") {
		t.Fatalf("VerifyResponse(nil, …) = %v, want a *VerificationError naming the KeyLookup", err)
	}
}
