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
	a, err := readSignedAnswer(header)
	if err != nil {
		return err
	}
	if keys == nil { // no key is trusted; a nil func would panic
		return a.fail(ReasonUnknownSerial, "no KeyLookup given: pass one that returns the trusted WeChat Pay keys")
	}
	key, ok := keys(a.serial)
	if !ok {
		return a.unknownSerial()
	}
	return a.verify(func(digest, sig []byte) error { return rsa.VerifyPKCS1v15(key, crypto.SHA256, digest, sig) }, body, now)
}

// signedAnswer is an answer's signature headers, read and checked for presence.
type signedAnswer struct {
	header                       http.Header
	ts, nonce, signature, serial string
}

// readSignedAnswer reads the four signature headers: all present, no line break in the
// nonce, no signature probe.
func readSignedAnswer(header http.Header) (signedAnswer, error) {
	a := signedAnswer{header: header}
	// The names are canonical (TestSignatureHeaderNamesAreCanonical): the map is read
	// directly, as Header.Get does after canonicalizing.
	a.ts, a.nonce, a.signature, a.serial = first(header, protocol.HeaderTimestamp), first(header, protocol.HeaderNonce),
		first(header, protocol.HeaderSignature), first(header, protocol.HeaderSerial)
	for _, h := range [...]struct{ name, v string }{{protocol.HeaderTimestamp, a.ts}, {protocol.HeaderNonce, a.nonce},
		{protocol.HeaderSignature, a.signature}, {protocol.HeaderSerial, a.serial}} {
		if h.v == "" {
			e := a.fail(ReasonMissingHeader, "").(*VerificationError)
			e.Header = h.name
			return a, e
		}
	}
	if strings.ContainsAny(a.nonce, "\r\n") { // would shift the signed message's lines
		return a, a.fail(ReasonBadSignature, "Wechatpay-Nonce contains a line break")
	}
	if strings.HasPrefix(a.signature, protocol.ProbePrefix) {
		return a, a.fail(ReasonProbe, "")
	}
	return a, nil
}

// first is header.Get(name) for a canonical name.
func first(header http.Header, name string) string {
	if vs := header[name]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func (a *signedAnswer) fail(r Reason, detail string) error {
	return answerFailure(a.header, r, detail)
}

// unknownSerial is the error for a Wechatpay-Serial that names no trusted key.
func (a *signedAnswer) unknownSerial() error {
	return a.fail(ReasonUnknownSerial, "configure this key or platform certificate, or enable certificate download")
}

// verify checks the timestamp against now and the signature over body with check, which
// verifies a PKCS #1 v1.5 signature of a SHA-256 digest with the key the serial names.
func (a *signedAnswer) verify(check func(digest, sig []byte) error, body []byte, now time.Time) error {
	secs, err := strconv.ParseInt(a.ts, 10, 64)
	if err != nil {
		return a.fail(ReasonBadTimestamp, "not Unix seconds")
	}
	if skew := now.Sub(time.Unix(secs, 0)); skew > protocol.MaxClockSkew || skew < -protocol.MaxClockSkew {
		return a.fail(ReasonStale, "off by "+skew.Round(time.Second).String())
	}
	bp := getBuffer() // the signature, then the signed message after it
	defer putBuffer(bp, *bp)
	raw, err := base64.StdEncoding.AppendDecode((*bp)[:0], stringBytes(a.signature))
	if err != nil {
		return a.fail(ReasonBadSignature, "not base64")
	}
	msg := protocol.AppendResponseMessage(raw[len(raw):], a.ts, a.nonce, body)
	digest := sha256.Sum256(msg)
	if err := check(digest[:], raw); err != nil {
		return a.fail(ReasonBadSignature, "")
	}
	return nil
}

// verifySignature is VerifyResponse with the Transport's keys at now. For a serial it does
// not know, WeChat Pay may have rotated its certificate: with certificate download it
// downloads, then verifies the answer again — also when a concurrent call did the download
// a moment ago.
func (t *Transport) verifySignature(req *http.Request, header http.Header, body []byte, now time.Time) error {
	a, err := readSignedAnswer(header)
	if err != nil {
		return err
	}
	k, ok := t.keys.lookup(a.serial, now)
	if ok {
		return a.verify(k.prepared.verifySHA256, body, now)
	}
	var rerr error
	if t.certs != nil {
		rerr = t.certs.refresh(req.Context(), req.URL, false)
		if k, ok = t.keys.lookup(a.serial, now); ok {
			return a.verify(k.prepared.verifySHA256, body, now)
		}
	}
	ve := a.unknownSerial().(*VerificationError)
	if rerr != nil && rerr != errTooSoon {
		ve.Detail, ve.Err = "downloading the platform certificates failed: "+rerr.Error(), rerr
	}
	t.keys.outOfDateError(ve, now)
	return ve
}
