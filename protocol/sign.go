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
	"unsafe"
)

// AuthScheme is the Authorization scheme of WeChat Pay APIv3 requests.
const AuthScheme = "WECHATPAY2-SHA256-RSA2048"

// RequestMessage returns the bytes a request signature covers: METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n,
// where url is the path plus "?" and the query exactly as sent on the wire.
func RequestMessage(method, url string, timestamp int64, nonce string, body []byte) []byte {
	return AppendRequestMessage(make([]byte, 0, len(method)+len(url)+20+len(nonce)+len(body)+5), method, url, timestamp, nonce, body)
}

// AppendRequestMessage appends RequestMessage(method, url, timestamp, nonce, body) to msg,
// so a caller can assemble it in a buffer of its own.
func AppendRequestMessage(msg []byte, method, url string, timestamp int64, nonce string, body []byte) []byte {
	msg = append(msg, method...)
	msg = append(msg, '\n')
	msg = append(msg, url...)
	msg = append(msg, '\n')
	msg = strconv.AppendInt(msg, timestamp, 10)
	msg = append(msg, '\n')
	msg = append(msg, nonce...)
	msg = append(msg, '\n')
	msg = append(msg, body...)
	return append(msg, '\n')
}

// Sign returns base64(SHA256withRSA(message)) made by signer, which must hold an RSA key.
func Sign(signer crypto.Signer, message []byte) (string, error) {
	sig, err := SignRaw(signer, message)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// SignRaw returns SHA256withRSA(message) made by signer: the signature's bytes, which Sign
// base64-encodes and AuthorizationWithSignature writes into the header.
func SignRaw(signer crypto.Signer, message []byte) ([]byte, error) {
	digest := sha256.Sum256(message)
	sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("transport: signing the request: %w", err)
	}
	return sig, nil
}

// Authorization returns the Authorization header value for a signed request.
func Authorization(mchID, serialNo, nonce string, timestamp int64, signature string) string {
	return authorization(mchID, serialNo, nonce, timestamp, signature, nil)
}

// AuthorizationWithSignature is Authorization with the signature given as SignRaw's bytes:
// they are base64-encoded straight into the header value, which is the one allocation.
func AuthorizationWithSignature(mchID, serialNo, nonce string, timestamp int64, signature []byte) string {
	return authorization(mchID, serialNo, nonce, timestamp, "", signature)
}

// authorization builds the header value with the signature as text (sig) or as bytes (raw).
func authorization(mchID, serialNo, nonce string, timestamp int64, sig string, raw []byte) string {
	sigLen := len(sig)
	if raw != nil {
		sigLen = base64.StdEncoding.EncodedLen(len(raw))
	}
	var b strings.Builder
	b.Grow(len(AuthScheme) + len(mchID) + len(serialNo) + len(nonce) + sigLen + 80)
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
	if raw != nil {
		writeBase64(&b, raw)
	} else {
		b.WriteString(sig)
	}
	b.WriteString(`"`)
	return b.String()
}

// writeBase64 writes the standard base64 encoding of raw to b through a buffer on the
// stack: 192 bytes (a multiple of 3, so no padding until the last piece) at a time.
func writeBase64(b *strings.Builder, raw []byte) {
	var piece [256]byte
	for len(raw) > 0 {
		n := min(len(raw), 192)
		base64.StdEncoding.Encode(piece[:], raw[:n])
		b.Write(piece[:base64.StdEncoding.EncodedLen(n)])
		raw = raw[n:]
	}
}

// NewNonce returns a 32-character random string (upper-case hex of 16 bytes from r).
func NewNonce(r io.Reader) (string, error) {
	// One allocation: the 16 random bytes are read into the second half of the string's
	// bytes and spelled out in hex from the front, where byte i's two digits (at 2i and
	// 2i+1) only ever overwrite random bytes already spelled out (16+j for j < i).
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b[16:]); err != nil {
		return "", fmt.Errorf("transport: reading randomness for the nonce: %w", err)
	}
	const digits = "0123456789ABCDEF"
	for i := range 16 {
		c := b[16+i]
		b[2*i], b[2*i+1] = digits[c>>4], digits[c&0xf]
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), nil // b is not written again
}
