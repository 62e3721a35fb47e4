package transport

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxClockSkew is how far a response's Wechatpay-Timestamp may be from now, either way.
const MaxClockSkew = 5 * time.Minute

// ProbePrefix starts the signature of WeChat Pay's signature probes, which must never verify.
const ProbePrefix = "WECHATPAY/SIGNTEST/"

// The headers a WeChat Pay answer is signed with.
const (
	HeaderTimestamp = "Wechatpay-Timestamp"
	HeaderNonce     = "Wechatpay-Nonce"
	HeaderSignature = "Wechatpay-Signature"
	HeaderSerial    = "Wechatpay-Serial"
	HeaderRequestID = "Request-ID"
)

// KeyLookup returns the verification key that a Wechatpay-Serial names, or false when none is trusted.
type KeyLookup func(serial string) (*rsa.PublicKey, bool)

// ResponseMessage returns the bytes a response signature covers: TIMESTAMP\nNONCE\nBODY\n.
func ResponseMessage(timestamp, nonce string, body []byte) []byte {
	return appendResponseMessage(make([]byte, 0, len(timestamp)+len(nonce)+len(body)+3), timestamp, nonce, body)
}

func appendResponseMessage(msg []byte, timestamp, nonce string, body []byte) []byte {
	msg = append(msg, timestamp...)
	msg = append(msg, '\n')
	msg = append(msg, nonce...)
	msg = append(msg, '\n')
	msg = append(msg, body...)
	return append(msg, '\n')
}

// VerifyResponse checks a WeChat Pay answer's signature headers and body at time now:
// all four headers present, the serial trusted, the timestamp within MaxClockSkew,
// no signature probe, and a valid SHA256withRSA signature. It returns a *VerificationError.
func VerifyResponse(keys KeyLookup, header http.Header, body []byte, now time.Time) error {
	fail := func(r Reason, detail string) error {
		return &VerificationError{Reason: r, Serial: header.Get(HeaderSerial), RequestID: header.Get(HeaderRequestID), Detail: detail}
	}
	for _, h := range [...]string{HeaderTimestamp, HeaderNonce, HeaderSignature, HeaderSerial} {
		if header.Get(h) == "" {
			e := fail(ReasonMissingHeader, "").(*VerificationError)
			e.Header = h
			return e
		}
	}
	ts, nonce, sig, serial := header.Get(HeaderTimestamp), header.Get(HeaderNonce), header.Get(HeaderSignature), header.Get(HeaderSerial)
	if strings.ContainsAny(nonce, "\r\n") { // would shift the signed message's lines
		return fail(ReasonBadSignature, "Wechatpay-Nonce contains a line break")
	}
	if strings.HasPrefix(sig, ProbePrefix) {
		return fail(ReasonProbe, "")
	}
	key, ok := keys(serial)
	if !ok {
		return fail(ReasonUnknownSerial, "configure this key or platform certificate, or enable certificate download")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fail(ReasonBadTimestamp, "not Unix seconds")
	}
	if skew := now.Sub(time.Unix(secs, 0)); skew > MaxClockSkew || skew < -MaxClockSkew {
		return fail(ReasonStale, "off by "+skew.Round(time.Second).String())
	}
	bp := getBuffer() // the signature, then the signed message after it
	defer putBuffer(bp, *bp)
	raw, err := base64.StdEncoding.AppendDecode((*bp)[:0], stringBytes(sig))
	if err != nil {
		return fail(ReasonBadSignature, "not base64")
	}
	msg := appendResponseMessage(raw[len(raw):], ts, nonce, body)
	digest := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], raw); err != nil {
		return fail(ReasonBadSignature, "")
	}
	return nil
}
