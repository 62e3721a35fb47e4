package wxpaytest

import (
	"bytes"
	"crypto/rsa"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/spec/conformance"
	"github.com/wxpay-oapi/wxpay/transport"
)

// conformanceKeys returns the vectors and a Keys holding their TEST ONLY identity.
func conformanceKeys(t *testing.T) (*conformance.Vectors, *Keys) {
	t.Helper()
	v, err := conformance.Load()
	if err != nil {
		t.Fatal(err)
	}
	load := func(pemText string) *rsa.PrivateKey {
		k, err := transport.LoadPrivateKey([]byte(pemText))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	cert, err := transport.LoadCertificate([]byte(v.Keys.Platform.CertificatePEM))
	if err != nil {
		t.Fatal(err)
	}
	k := &Keys{
		MchID: v.Keys.Merchant.MchID, CertificateSerialNo: v.Keys.Merchant.SerialNo, MerchantKey: load(v.Keys.Merchant.PrivateKeyPEM),
		PublicKeyID: v.Keys.WechatPay.PublicKeyID, WechatPayKey: load(v.Keys.WechatPay.PrivateKeyPEM),
		PlatformKey: load(v.Keys.Platform.PrivateKeyPEM), PlatformCertificate: cert,
		APIv3Key: transport.NewSecret([]byte(v.Keys.APIv3Key)),
	}
	if err := k.check(); err != nil {
		t.Fatal(err)
	}
	return v, k
}

// TestConformanceRequests holds the server's request checks to the request-signing
// vectors: the signing string, the Authorization a merchant sends, acceptance of each
// vector's request at its timestamp (and through a running server for the requests of
// openapi.yaml's operations), and refusal of a reused nonce.
func TestConformanceRequests(t *testing.T) {
	v, keys := conformanceKeys(t)
	for _, r := range v.Requests {
		t.Run(r.Name, func(t *testing.T) {
			now := time.Unix(r.Timestamp, 0)
			if got := string(requestMessage(r.Method, r.URL, strconv.FormatInt(r.Timestamp, 10), r.Nonce, []byte(r.Body))); got != r.SigningString {
				t.Errorf("signing string %q, want %q", got, r.SigningString)
			}
			auth, err := keys.Authorize(r.Method, r.URL, []byte(r.Body), r.Nonce, now)
			if err != nil || auth != r.Authorization {
				t.Errorf("Authorize = %q, %v; want %q", auth, err, r.Authorization)
			}
			var nonces nonceCache
			if _, err := checkAuthorization(keys, &nonces, r.Authorization, r.Method, r.URL, []byte(r.Body), now); err != nil {
				t.Errorf("the vector's request is refused: %v", err)
			}
			if _, err := checkAuthorization(keys, &nonces, r.Authorization, r.Method, r.URL, []byte(r.Body), now.Add(time.Second)); err == nil {
				t.Error("the same nonce was accepted twice: a retry must be signed afresh")
			}
			if r.Operation == "" {
				return
			}
			srv := NewUnstartedServer(WithKeys(keys))
			srv.now = func() time.Time { return now }
			srv.Start()
			defer srv.Close()
			req, err := http.NewRequest(r.Method, srv.URL+r.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", r.Authorization)
			req.Header.Set("Accept", "application/json")
			if r.Operation == "QueryAccountBalance" {
				req.Header.Set("Wechatpay-Serial", v.OAEP[0].Serial) // the key bal_account_no is encrypted for
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s %s: %d %s", r.Method, r.URL, resp.StatusCode, body)
			}
		})
	}
}

// TestConformanceAnswers holds the server's answer signatures to the valid answer vectors:
// PKCS#1 v1.5 is deterministic, so the signature must be exact.
func TestConformanceAnswers(t *testing.T) {
	v, keys := conformanceKeys(t)
	n := 0
	for _, a := range v.Answers {
		if a.Expect != "valid" {
			continue
		}
		key, ok := keys.WechatPayKeyFor(a.Headers["Wechatpay-Serial"])
		if !ok {
			t.Fatalf("%s: no key for %s", a.Name, a.Headers["Wechatpay-Serial"])
		}
		msg := responseMessage(a.Headers["Wechatpay-Timestamp"], a.Headers["Wechatpay-Nonce"], []byte(a.Body))
		if string(msg) != a.SigningString {
			t.Errorf("%s: signing string %q, want %q", a.Name, msg, a.SigningString)
		}
		sig, err := signMessage(key, msg)
		if err != nil || sig != a.Headers["Wechatpay-Signature"] {
			t.Errorf("%s: signature %q, %v; want %q", a.Name, sig, err, a.Headers["Wechatpay-Signature"])
		}
		n++
	}
	if n == 0 {
		t.Fatal("no valid answer vectors")
	}
}

// TestConformanceFieldDecryption holds the server's RSA-OAEP decryption to the vectors.
func TestConformanceFieldDecryption(t *testing.T) {
	v, keys := conformanceKeys(t)
	for _, o := range v.OAEP {
		key, ok := keys.WechatPayKeyFor(o.Serial)
		if !ok {
			t.Fatalf("%s: no key for %s", o.Name, o.Serial)
		}
		if got, err := decryptField(key, o.Ciphertext); err != nil || got != o.Plaintext {
			t.Errorf("%s: decrypted %q, %v; want %q", o.Name, got, err, o.Plaintext)
		}
	}
}

// TestConformanceCertificateEncryption holds the server's AES-256-GCM sealing of platform
// certificates to the vectors (with the vector's nonce, the ciphertext is exact).
func TestConformanceCertificateEncryption(t *testing.T) {
	v, _ := conformanceKeys(t)
	for _, a := range v.AEAD {
		if a.Expect != "ok" {
			continue
		}
		got, err := sealAEADNonce([]byte(a.Key), a.Nonce, a.AssociatedData, []byte(a.Plaintext))
		if err != nil || got.Ciphertext != a.Ciphertext || got.Algorithm != a.Algorithm {
			t.Errorf("%s: sealed %+v, %v; want ciphertext %q", a.Name, got, err, a.Ciphertext)
		}
	}
	if !bytes.Contains([]byte(v.AEAD[0].Plaintext), []byte("BEGIN CERTIFICATE")) {
		t.Error("the AEAD vector's plaintext is not a certificate PEM")
	}
}
