package wxpaytest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // WeChat Pay mandates RSA-OAEP with SHA-1 for sensitive fields.
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"strings"
)

// probePrefix starts the signature of a signature probe, which clients must never accept.
const probePrefix = "WECHATPAY/SIGNTEST/"

// responseMessage is what a response signature covers: TIMESTAMP\nNONCE\nBODY\n.
func responseMessage(timestamp, nonce string, body []byte) []byte {
	msg := make([]byte, 0, len(timestamp)+len(nonce)+len(body)+3)
	msg = append(msg, timestamp...)
	msg = append(msg, '\n')
	msg = append(msg, nonce...)
	msg = append(msg, '\n')
	msg = append(msg, body...)
	return append(msg, '\n')
}

// signMessage returns base64(SHA256withRSA(msg)) under key.
func signMessage(key *rsa.PrivateKey, msg []byte) (string, error) {
	digest := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// decryptField reverses WeChat Pay's sensitive-field encryption: base64, then RSA-OAEP
// with SHA-1 and MGF1-SHA-1 and an empty label.
func decryptField(key *rsa.PrivateKey, ciphertext string) (string, error) {
	ct, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil {
		return "", errors.New("not standard base64")
	}
	pt, err := rsa.DecryptOAEP(sha1.New(), nil, key, ct, nil)
	if err != nil {
		return "", errors.New("does not decrypt (RSA-OAEP, SHA-1) with the key named by Wechatpay-Serial")
	}
	return string(pt), nil
}

// EncryptField encrypts a sensitive field as a client must (RSA-OAEP, SHA-1, base64) for the
// key that serial names; tests use it to build raw requests without package transport.
func (k *Keys) EncryptField(serial, plaintext string) (string, error) {
	key, ok := k.WechatPayKeyFor(serial)
	if !ok {
		return "", errors.New("wxpaytest: no WeChat Pay key has serial " + serial)
	}
	ct, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, &key.PublicKey, []byte(plaintext), nil)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}

// randomHex returns n random bytes as upper-case hex.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		panic("wxpaytest: crypto/rand failed: " + err.Error())
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// The headers WeChat Pay signs its answers with (and Wechatpay-Serial on requests).
const (
	headerTimestamp = "Wechatpay-Timestamp"
	headerNonce     = "Wechatpay-Nonce"
	headerSignature = "Wechatpay-Signature"
	headerSerial    = "Wechatpay-Serial"
	// headerSignatureType names the answer's signature scheme, as WeChat Pay sends it.
	headerSignatureType = "Wechatpay-Signature-Type"
	headerRequestID     = "Request-ID"
)
