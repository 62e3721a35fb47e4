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

	"github.com/wxpay-oapi/wxpay/protocol"
)

// KeyLookup returns the verification key that a Wechatpay-Serial names, or false when none is trusted.
type KeyLookup func(serial string) (*rsa.PublicKey, bool)

// VerifyResponse checks a WeChat Pay answer's signature headers and body at time now:
// all four headers present, the serial trusted, the timestamp within MaxClockSkew,
// no signature probe, and a valid SHA256withRSA signature. It returns a *VerificationError.
func VerifyResponse(keys KeyLookup, header http.Header, body []byte, now time.Time) error {
	fail := func(r Reason, detail string) error {
		return &VerificationError{Reason: r, Serial: header.Get(protocol.HeaderSerial), RequestID: header.Get(protocol.HeaderRequestID), Detail: detail}
	}
	for _, h := range [...]string{protocol.HeaderTimestamp, protocol.HeaderNonce, protocol.HeaderSignature, protocol.HeaderSerial} {
		if header.Get(h) == "" {
			e := fail(ReasonMissingHeader, "").(*VerificationError)
			e.Header = h
			return e
		}
	}
	ts, nonce, sig, serial := header.Get(protocol.HeaderTimestamp), header.Get(protocol.HeaderNonce), header.Get(protocol.HeaderSignature), header.Get(protocol.HeaderSerial)
	if strings.ContainsAny(nonce, "\r\n") { // would shift the signed message's lines
		return fail(ReasonBadSignature, "Wechatpay-Nonce contains a line break")
	}
	if strings.HasPrefix(sig, protocol.ProbePrefix) {
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
	if skew := now.Sub(time.Unix(secs, 0)); skew > protocol.MaxClockSkew || skew < -protocol.MaxClockSkew {
		return fail(ReasonStale, "off by "+skew.Round(time.Second).String())
	}
	bp := getBuffer() // the signature, then the signed message after it
	defer putBuffer(bp, *bp)
	raw, err := base64.StdEncoding.AppendDecode((*bp)[:0], stringBytes(sig))
	if err != nil {
		return fail(ReasonBadSignature, "not base64")
	}
	msg := protocol.AppendResponseMessage(raw[len(raw):], ts, nonce, body)
	digest := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], raw); err != nil {
		return fail(ReasonBadSignature, "")
	}
	return nil
}
