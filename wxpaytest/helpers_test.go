package wxpaytest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Generating RSA keys is slow: one identity serves every test of this binary.
var (
	keysOnce   sync.Once
	sharedKeys *Keys
	keysErr    error
)

func testKeys(t testing.TB) *Keys {
	t.Helper()
	keysOnce.Do(func() { sharedKeys, keysErr = NewKeys() })
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return sharedKeys
}

// newTestServer starts a server over the shared keys and closes it when the test ends.
func newTestServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	srv := NewServer(append([]Option{WithKeys(testKeys(t))}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// raw describes a hand-signed request that bypasses package transport.
type raw struct {
	method, uri string
	serial      string              // Wechatpay-Serial; "-" leaves it out
	auth        func(string) string // rewrites the Authorization header, if set
	when        time.Time           // signing time; zero is now
	nonce       string              // zero is a fresh one
	accept      []string            // Accept values; nil sends application/json, [""] none
}

type rawAnswer struct {
	status int
	header http.Header
	body   []byte
	err    struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Detail  map[string]any `json:"detail"`
	}
}

// do sends a raw request, signed with the merchant key by the test itself, and checks that
// the answer is signed by the key it names.
func (rq raw) do(t *testing.T, srv *Server) rawAnswer {
	t.Helper()
	k := srv.Keys()
	if rq.method == "" {
		rq.method = http.MethodGet
	}
	if rq.when.IsZero() {
		rq.when = time.Now()
	}
	if rq.nonce == "" {
		rq.nonce = randomHex(16)
	}
	req, err := http.NewRequest(rq.method, srv.URL+rq.uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := k.Authorize(rq.method, rq.uri, nil, rq.nonce, rq.when)
	if err != nil {
		t.Fatal(err)
	}
	if rq.auth != nil {
		auth = rq.auth(auth)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	switch rq.serial {
	case "":
		req.Header.Set("Wechatpay-Serial", k.PublicKeyID)
	case "-":
	default:
		req.Header.Set("Wechatpay-Serial", rq.serial)
	}
	switch {
	case rq.accept == nil:
		req.Header.Set("Accept", "application/json")
	case len(rq.accept) == 1 && rq.accept[0] == "":
	default:
		req.Header["Accept"] = rq.accept
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a rawAnswer
	a.status, a.header = resp.StatusCode, resp.Header
	if a.body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode >= 300 {
		if err := json.Unmarshal(a.body, &a.err); err != nil {
			t.Fatalf("error body %q is not WeChat Pay's error shape: %v", a.body, err)
		}
	}
	verifyAnswer(t, k, resp.Header, a.body)
	return a
}

// verifyAnswer checks a WeChat Pay answer's signature independently of both transport and the server.
func verifyAnswer(t *testing.T, k *Keys, h http.Header, body []byte) {
	t.Helper()
	key, ok := k.WechatPayKeyFor(h.Get("Wechatpay-Serial"))
	if !ok {
		t.Fatalf("answer names unknown Wechatpay-Serial %q", h.Get("Wechatpay-Serial"))
	}
	if h.Get("Request-ID") == "" || len(h.Get("Wechatpay-Nonce")) != 32 {
		t.Errorf("answer headers incomplete: %v", h)
	}
	sig, err := base64.StdEncoding.DecodeString(h.Get("Wechatpay-Signature"))
	if err != nil {
		t.Fatalf("Wechatpay-Signature not base64: %v", err)
	}
	msg := h.Get("Wechatpay-Timestamp") + "\n" + h.Get("Wechatpay-Nonce") + "\n" + string(body) + "\n"
	digest := sha256.Sum256([]byte(msg))
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("answer signature does not verify: %v", err)
	}
}

// wantError checks a raw answer's status and WeChat Pay error code, and that the message mentions each of mention.
func (a rawAnswer) wantError(t *testing.T, status int, code string, mention ...string) {
	t.Helper()
	if a.status != status || a.err.Code != code {
		t.Fatalf("got %d %s (%s), want %d %s", a.status, a.err.Code, a.body, status, code)
	}
	for _, m := range mention {
		if !strings.Contains(a.err.Message, m) {
			t.Errorf("message %q does not mention %q", a.err.Message, m)
		}
	}
}
