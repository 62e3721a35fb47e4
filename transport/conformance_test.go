package transport

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // WeChat Pay's RSA-OAEP uses SHA-1.
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/protocol"
	"github.com/wxpay-oapi/wxpay/spec/conformance"
)

// vectorTransport returns the conformance vectors and a Transport holding their TEST ONLY
// identity, whose clock reads now and whose nonces come from nonceHex; base answers.
func vectorTransport(t *testing.T, base http.RoundTripper, now int64, nonceHex string) (*conformance.Vectors, *Transport) {
	t.Helper()
	v, err := conformance.Load()
	if err != nil {
		t.Fatal(err)
	}
	key, err := LoadPrivateKey([]byte(v.Keys.Merchant.PrivateKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadPublicKey([]byte(v.Keys.WechatPay.PublicKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := LoadCertificate([]byte(v.Keys.Platform.CertificatePEM))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(Config{
		MchID: v.Keys.Merchant.MchID, CertificateSerialNo: v.Keys.Merchant.SerialNo, PrivateKey: key,
		WechatPayPublicKeyID: v.Keys.WechatPay.PublicKeyID, WechatPayPublicKey: pub,
		PlatformCertificates: []*x509.Certificate{cert}, Base: base, MaxAttempts: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	tr.now = func() time.Time { return time.Unix(now, 0) }
	if nonceHex != "" {
		raw, err := hex.DecodeString(nonceHex)
		if err != nil {
			t.Fatal(err)
		}
		tr.random = bytes.NewReader(raw)
	}
	return v, tr
}

// capture records the requests it is sent and answers each with a fixed answer.
type capture struct {
	mu      sync.Mutex
	reqs    []*http.Request
	status  int
	headers map[string]string
	body    string
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, req)
	c.mu.Unlock()
	h := http.Header{}
	for k, v := range c.headers {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: c.status, Header: h, Body: io.NopCloser(strings.NewReader(c.body)), Request: req}, nil
}

// TestConformanceRequestSigning holds the signing functions to every request vector, and
// the whole client — the generated client over a Transport — to those of openapi.yaml's
// operations: the URL it sends, and its Authorization, byte for byte.
func TestConformanceRequestSigning(t *testing.T) {
	v, err := conformance.Load()
	if err != nil {
		t.Fatal(err)
	}
	key, err := LoadPrivateKey([]byte(v.Keys.Merchant.PrivateKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range v.Requests {
		t.Run(r.Name, func(t *testing.T) {
			msg := protocol.RequestMessage(r.Method, r.URL, r.Timestamp, r.Nonce, []byte(r.Body))
			if string(msg) != r.SigningString {
				t.Errorf("RequestMessage = %q, want %q", msg, r.SigningString)
			}
			sig, err := protocol.Sign(key, msg)
			if err != nil || sig != r.Signature {
				t.Errorf("Sign = %q, %v; want %q", sig, err, r.Signature)
			}
			if got := protocol.Authorization(v.Keys.Merchant.MchID, v.Keys.Merchant.SerialNo, r.Nonce, r.Timestamp, sig); got != r.Authorization {
				t.Errorf("Authorization = %q, want %q", got, r.Authorization)
			}
			if r.Operation == "" {
				return
			}
			base := &capture{status: http.StatusUnauthorized, body: `{"code":"SIGN_ERROR","message":"验证不通过"}`}
			_, tr := vectorTransport(t, base, r.Timestamp, r.Nonce)
			c, err := generated.NewClient("https://api.mch.weixin.qq.com", generated.WithHTTPClient(&http.Client{Transport: tr}))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			var resp *http.Response
			switch r.Operation {
			case "QueryECommerceBalance":
				var p generated.QueryECommerceBalanceParams
				if strings.Contains(r.URL, "account_type=BASIC") {
					basic := generated.AccountTypeBasic
					p.AccountType = &basic
				}
				resp, err = c.QueryECommerceBalance(ctx, "1900000109", &p)
			case "QueryAccountBalance":
				resp, err = c.QueryAccountBalance(ctx, &generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: v.OAEP[0].Ciphertext})
			case "ListCertificates":
				resp, err = c.ListCertificates(ctx)
			default:
				t.Fatalf("no call for operation %s", r.Operation)
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if len(base.reqs) != 1 {
				t.Fatalf("%d requests sent", len(base.reqs))
			}
			sent := base.reqs[0]
			if got := sent.URL.RequestURI(); got != r.URL {
				t.Errorf("sent URL %q, want %q", got, r.URL)
			}
			if got := sent.Header.Get("Authorization"); got != r.Authorization {
				t.Errorf("sent Authorization %q, want %q", got, r.Authorization)
			}
		})
	}
}

// outcomeOf names a verification result as the vectors do.
func outcomeOf(err error) string {
	if err == nil {
		return "valid"
	}
	var ve *VerificationError
	if !errors.As(err, &ve) {
		return "error: " + err.Error()
	}
	switch ve.Reason {
	case ReasonBadSignature:
		return "bad_signature"
	case ReasonProbe:
		return "probe"
	case ReasonStale:
		return "stale"
	case ReasonUnknownSerial:
		return "unknown_serial"
	}
	return string(ve.Reason)
}

// TestConformanceAnswerVerification holds VerifyResponse to every signed-answer vector, and
// a Transport to every answer vector: what it delivers, and what it refuses.
func TestConformanceAnswerVerification(t *testing.T) {
	v, err := conformance.Load()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := LoadPublicKey([]byte(v.Keys.WechatPay.PublicKeyPEM))
	cert, _ := LoadCertificate([]byte(v.Keys.Platform.CertificatePEM))
	lookup := func(serial string) (*rsa.PublicKey, bool) {
		switch serial {
		case v.Keys.WechatPay.PublicKeyID:
			return pub, true
		case v.Keys.Platform.SerialNo:
			return cert.PublicKey.(*rsa.PublicKey), true
		}
		return nil, false
	}
	for _, a := range v.Answers {
		t.Run(a.Name, func(t *testing.T) {
			h := http.Header{}
			for k, val := range a.Headers {
				h.Set(k, val)
			}
			if a.Status >= 200 && a.Status <= 299 {
				if string(protocol.ResponseMessage(h.Get(protocol.HeaderTimestamp), h.Get(protocol.HeaderNonce), []byte(a.Body))) != a.SigningString {
					t.Errorf("ResponseMessage differs from the vector's signing string")
				}
				if got := outcomeOf(VerifyResponse(lookup, h, []byte(a.Body), time.Unix(a.Now, 0))); got != a.Expect {
					t.Errorf("VerifyResponse: %s, want %s", got, a.Expect)
				}
			}
			base := &capture{status: a.Status, headers: a.Headers, body: a.Body}
			_, tr := vectorTransport(t, base, a.Now, "")
			req, _ := http.NewRequest(http.MethodGet, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109", nil)
			resp, err := tr.RoundTrip(req)
			switch a.Expect {
			case "valid", "not_signed":
				if err != nil {
					t.Fatalf("RoundTrip: %v", err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != a.Status || string(got) != a.Body {
					t.Errorf("delivered %d %q, want %d %q", resp.StatusCode, got, a.Status, a.Body)
				}
			default:
				if resp != nil {
					resp.Body.Close()
					t.Fatalf("delivered a %d answer that must be refused (%s)", resp.StatusCode, a.Expect)
				}
				if got := outcomeOf(err); got != a.Expect {
					t.Errorf("RoundTrip: %s, want %s", got, a.Expect)
				}
			}
		})
	}
}

// TestConformanceFieldEncryption checks EncryptOAEP's output has the vectors' form —
// standard padded base64 of one RSA block — and decrypts, as the vectors' ciphertexts do,
// with the TEST ONLY WeChat Pay private key (OAEP is randomized: no exact ciphertext).
func TestConformanceFieldEncryption(t *testing.T) {
	v, err := conformance.Load()
	if err != nil {
		t.Fatal(err)
	}
	priv, err := LoadPrivateKey([]byte(v.Keys.WechatPay.PrivateKeyPEM))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range v.OAEP {
		if o.Key != "wechatpay_public_key" {
			continue
		}
		ct, err := protocol.EncryptOAEP(rand.Reader, &priv.PublicKey, o.Plaintext)
		if err != nil {
			t.Fatal(err)
		}
		if len(ct) != len(o.Ciphertext) || !strings.HasSuffix(ct, "=") {
			t.Errorf("%s: ciphertext of %d characters, the vector's has %d (standard base64, padded)", o.Name, len(ct), len(o.Ciphertext))
		}
		for _, c := range []string{ct, o.Ciphertext} {
			raw, err := base64.StdEncoding.DecodeString(c)
			if err != nil {
				t.Fatal(err)
			}
			pt, err := rsa.DecryptOAEP(sha1.New(), nil, priv, raw, nil)
			if err != nil || string(pt) != o.Plaintext {
				t.Errorf("%s: decrypts to %q, %v; want %q", o.Name, pt, err, o.Plaintext)
			}
		}
	}
	for _, q := range v.Percent {
		if got := url.QueryEscape(q.Value); got != q.Encoded {
			t.Errorf("%s: the generated client's query encoding gives %q, want %q", q.Name, got, q.Encoded)
		}
	}
}

// TestConformanceCertificateDecryption holds DecryptAEAD to the AES-256-GCM vectors.
func TestConformanceCertificateDecryption(t *testing.T) {
	v, err := conformance.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range v.AEAD {
		pt, err := protocol.DecryptAEAD([]byte(a.Key), a.Nonce, a.AssociatedData, a.Ciphertext)
		switch a.Expect {
		case "ok":
			if err != nil || string(pt) != a.Plaintext {
				t.Errorf("%s: %v", a.Name, err)
			}
			if _, err := LoadCertificate(pt); err != nil {
				t.Errorf("%s: the plaintext is not a certificate: %v", a.Name, err)
			}
		default:
			if err == nil {
				t.Errorf("%s: decrypted, want an authentication failure", a.Name)
			}
		}
	}
}

// TestConformanceKeyFormats holds the key loaders to the PEM forms of the vectors.
func TestConformanceKeyFormats(t *testing.T) {
	v, err := conformance.Load()
	if err != nil {
		t.Fatal(err)
	}
	merchant, _ := LoadPrivateKey([]byte(v.Keys.Merchant.PrivateKeyPEM))
	wechatpay, _ := LoadPublicKey([]byte(v.Keys.WechatPay.PublicKeyPEM))
	platform, _ := LoadCertificate([]byte(v.Keys.Platform.CertificatePEM))
	for _, f := range v.KeyFormats {
		var got, want *rsa.PublicKey
		switch f.Kind {
		case "private_key":
			k, err := LoadPrivateKey([]byte(f.PEM))
			if err != nil {
				t.Errorf("%s: %v", f.Name, err)
				continue
			}
			got = &k.PublicKey
		case "public_key":
			k, err := LoadPublicKey([]byte(f.PEM))
			if err != nil {
				t.Errorf("%s: %v", f.Name, err)
				continue
			}
			got = k
		case "certificate":
			c, err := LoadCertificate([]byte(f.PEM))
			if err != nil {
				t.Errorf("%s: %v", f.Name, err)
				continue
			}
			got = c.PublicKey.(*rsa.PublicKey)
		}
		switch f.Equals {
		case "merchant":
			want = &merchant.PublicKey
		case "wechatpay_public_key":
			want = wechatpay
		case "platform_certificate":
			want = platform.PublicKey.(*rsa.PublicKey)
		}
		if got == nil || want == nil || !got.Equal(want) {
			t.Errorf("%s: not the %s key", f.Name, f.Equals)
		}
	}
}
