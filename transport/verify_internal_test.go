package transport

import (
	"net/http"
	"testing"

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
