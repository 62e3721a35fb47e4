package protocol

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// AuthScheme is the Authorization scheme of WeChat Pay APIv3 requests.
const AuthScheme = "WECHATPAY2-SHA256-RSA2048"

// RequestMessage returns the bytes a request signature covers: METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n,
// where url is the path plus "?" and the query exactly as sent on the wire.
func RequestMessage(method, url string, timestamp int64, nonce string, body []byte) []byte {
	ts := strconv.FormatInt(timestamp, 10)
	msg := make([]byte, 0, len(method)+len(url)+len(ts)+len(nonce)+len(body)+5)
	msg = append(msg, method...)
	msg = append(msg, '\n')
	msg = append(msg, url...)
	msg = append(msg, '\n')
	msg = append(msg, ts...)
	msg = append(msg, '\n')
	msg = append(msg, nonce...)
	msg = append(msg, '\n')
	msg = append(msg, body...)
	return append(msg, '\n')
}

// Sign returns base64(SHA256withRSA(message)) made by signer, which must hold an RSA key.
func Sign(signer crypto.Signer, message []byte) (string, error) {
	digest := sha256.Sum256(message)
	sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("transport: signing the request: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Authorization returns the Authorization header value for a signed request.
func Authorization(mchID, serialNo, nonce string, timestamp int64, signature string) string {
	var b strings.Builder
	b.Grow(len(AuthScheme) + len(mchID) + len(serialNo) + len(nonce) + len(signature) + 80)
	b.WriteString(AuthScheme)
	b.WriteString(` mchid="`)
	b.WriteString(mchID)
	b.WriteString(`",nonce_str="`)
	b.WriteString(nonce)
	b.WriteString(`",timestamp="`)
	var ts [20]byte
	b.Write(strconv.AppendInt(ts[:0], timestamp, 10))
	b.WriteString(`",serial_no="`)
	b.WriteString(serialNo)
	b.WriteString(`",signature="`)
	b.WriteString(signature)
	b.WriteString(`"`)
	return b.String()
}

// NewNonce returns a 32-character random string (upper-case hex of 16 bytes from r).
func NewNonce(r io.Reader) (string, error) {
	var raw [16]byte
	if _, err := io.ReadFull(r, raw[:]); err != nil {
		return "", fmt.Errorf("transport: reading randomness for the nonce: %w", err)
	}
	const digits = "0123456789ABCDEF"
	var out [32]byte
	for i, c := range raw {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&0xf]
	}
	return string(out[:]), nil
}
