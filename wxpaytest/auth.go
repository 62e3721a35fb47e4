package wxpaytest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// authScheme is the only Authorization scheme WeChat Pay APIv3 accepts.
const authScheme = "WECHATPAY2-SHA256-RSA2048"

// maxClockSkew is how far a request's timestamp may be from the server's clock, either way.
const maxClockSkew = 5 * time.Minute

// Authorization is a parsed WECHATPAY2-SHA256-RSA2048 Authorization header.
type Authorization struct {
	MchID     string // mchid: the calling merchant
	NonceStr  string // nonce_str: the request's random string
	Timestamp string // timestamp: Unix seconds, exactly as sent (decimal digits)
	SerialNo  string // serial_no: the merchant API certificate serial
	Signature string // signature: base64 SHA256withRSA over the request message
}

// Time returns the Timestamp as a time.
func (a Authorization) Time() time.Time {
	secs, _ := strconv.ParseInt(a.Timestamp, 10, 64)
	return time.Unix(secs, 0)
}

// ParseAuthorization parses `WECHATPAY2-SHA256-RSA2048 k="v",…` with the five fields mchid,
// nonce_str, timestamp, serial_no and signature, in any order, each exactly once; spaces are
// allowed around the commas. It rejects anything else with an error saying what is wrong.
func ParseAuthorization(header string) (Authorization, error) {
	var a Authorization
	scheme, rest, ok := strings.Cut(header, " ")
	if !ok || scheme != authScheme {
		return a, fmt.Errorf("scheme must be %s", authScheme)
	}
	fields := map[string]*string{
		"mchid": &a.MchID, "nonce_str": &a.NonceStr, "timestamp": &a.Timestamp,
		"serial_no": &a.SerialNo, "signature": &a.Signature,
	}
	seen := make(map[string]bool, len(fields))
	for {
		rest = strings.TrimLeft(rest, " ")
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			return a, errors.New(`expected key="value"`)
		}
		dst, known := fields[key]
		switch {
		case !known:
			return a, fmt.Errorf("unknown field %q", truncate(key, 32))
		case seen[key]:
			return a, fmt.Errorf("field %s appears twice", key)
		case !strings.HasPrefix(after, `"`):
			return a, fmt.Errorf("field %s: value must be in double quotes", key)
		}
		seen[key] = true
		value, tail, ok := strings.Cut(after[1:], `"`)
		if !ok {
			return a, fmt.Errorf("field %s: missing closing quote", key)
		}
		if value == "" {
			return a, fmt.Errorf("field %s is empty", key)
		}
		*dst = value
		tail = strings.TrimLeft(tail, " ")
		if tail == "" {
			break
		}
		if tail[0] != ',' {
			return a, fmt.Errorf("field %s: expected a comma after the value", key)
		}
		rest = tail[1:]
	}
	for _, key := range []string{"mchid", "nonce_str", "timestamp", "serial_no", "signature"} {
		if !seen[key] {
			return a, fmt.Errorf("field %s is missing", key)
		}
	}
	if len(a.Timestamp) > 18 || strings.Trim(a.Timestamp, "0123456789") != "" {
		return a, errors.New("timestamp must be Unix seconds")
	}
	return a, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// requestMessage is what a request signature covers: METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n.
func requestMessage(method, uri, timestamp, nonce string, body []byte) []byte {
	var b strings.Builder
	b.Grow(len(method) + len(uri) + len(timestamp) + len(nonce) + len(body) + 5)
	for _, part := range []string{method, uri, timestamp, nonce, string(body)} {
		b.WriteString(part)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// verifySignature checks a base64 SHA256withRSA signature over msg.
func verifySignature(pub *rsa.PublicKey, msg []byte, signature string) error {
	raw, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return errors.New("signature is not standard base64")
	}
	digest := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], raw); err != nil {
		return errors.New("signature does not match (SHA256withRSA over METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n with the merchant API key)")
	}
	return nil
}

// authError is a failed Authorization check: 401 SIGN_ERROR with Reason in the message.
type authError struct{ Reason string }

func (e *authError) Error() string { return "Authorization: " + e.Reason }

// checkAuthorization runs WeChat Pay's checks on a request's Authorization header, for
// the merchant of keys only.
func checkAuthorization(keys *Keys, nonces *nonceCache, header, method, uri string, body []byte, now time.Time) (Authorization, error) {
	return checkAuthorizationOf(func(mchID string) (merchantKey, bool) {
		return merchantKey{keys.CertificateSerialNo, &keys.MerchantKey.PublicKey}, mchID == keys.MchID
	}, nonces, header, method, uri, body, now)
}

// merchantKey is what a merchant's requests are checked against: its certificate serial
// and the public half of its merchant API key.
type merchantKey struct {
	serial string
	pub    *rsa.PublicKey
}

// checkAuthorizationOf runs WeChat Pay's checks on a request's Authorization header, for
// the merchants merchant knows.
func checkAuthorizationOf(merchant func(mchID string) (merchantKey, bool), nonces *nonceCache, header, method, uri string, body []byte, now time.Time) (Authorization, error) {
	if header == "" {
		return Authorization{}, &authError{"header is missing"}
	}
	a, err := ParseAuthorization(header)
	if err != nil {
		return a, &authError{err.Error()}
	}
	m, ok := merchant(a.MchID)
	if !ok {
		return a, &authError{fmt.Sprintf("mchid %q is not this server's merchant", truncate(a.MchID, 40))}
	}
	if !strings.EqualFold(a.SerialNo, m.serial) { // hex, in any case
		return a, &authError{fmt.Sprintf("serial_no %q is not the merchant API certificate's serial", truncate(a.SerialNo, 64))}
	}
	if skew := now.Sub(a.Time()); skew > maxClockSkew || skew < -maxClockSkew {
		return a, &authError{fmt.Sprintf("timestamp %s is more than 5 minutes from the server's clock (off by %s)", a.Timestamp, skew.Round(time.Second))}
	}
	if err := verifySignature(m.pub, requestMessage(method, uri, a.Timestamp, a.NonceStr, body), a.Signature); err != nil {
		return a, &authError{err.Error()}
	}
	if !nonces.add(a.MchID+"\x00"+a.NonceStr, now) {
		return a, &authError{fmt.Sprintf("nonce_str %q was already used within the last 5 minutes (replayed request)", truncate(a.NonceStr, 64))}
	}
	return a, nil
}

// nonceCache remembers the nonces seen in the replay window; safe for concurrent use.
type nonceCache struct {
	mu        sync.Mutex
	seen      map[string]time.Time // nonce → when it may be forgotten
	nextPrune time.Time
}

// add records a nonce at now and reports whether it was new.
func (c *nonceCache) add(nonce string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = make(map[string]time.Time)
	}
	if until, ok := c.seen[nonce]; ok && now.Before(until) {
		return false
	}
	// A request is accepted up to maxClockSkew after its timestamp, which itself may be
	// up to maxClockSkew ahead: remember each nonce for twice the window.
	c.seen[nonce] = now.Add(2 * maxClockSkew)
	if !now.Before(c.nextPrune) { // at most once per window: memory stays bounded by the window's traffic
		c.nextPrune = now.Add(maxClockSkew)
		for n, until := range c.seen {
			if !now.Before(until) {
				delete(c.seen, n)
			}
		}
	}
	return true
}

// forget drops a nonce, so that the same request may be sent again (after a dropped connection).
func (c *nonceCache) forget(nonce string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.seen, nonce)
}

// Authorize returns the Authorization header a merchant holding k would send for a request
// (uri is the path plus "?" and the query, exactly as sent); tests use it to build raw,
// correctly signed requests without package transport.
func (k *Keys) Authorize(method, uri string, body []byte, nonce string, now time.Time) (string, error) {
	ts := strconv.FormatInt(now.Unix(), 10)
	sig, err := signMessage(k.MerchantKey, requestMessage(method, uri, ts, nonce, body))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(`%s mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"`,
		authScheme, k.MchID, nonce, ts, k.CertificateSerialNo, sig), nil
}
