package transport

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// constSigner is a crypto.Signer whose signatures are a constant: nonces do not depend on
// the signature, and real RSA signing would make 100k calls take minutes under -race.
type constSigner struct{ pub *rsa.PublicKey }

func (s constSigner) Public() crypto.PublicKey { return s.pub }
func (s constSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return make([]byte, 256), nil
}

// nonceRecorder is an in-memory base: it records each request's nonce_str and answers with
// one genuinely signed answer, which the transport verifies every time.
type nonceRecorder struct {
	mu     sync.Mutex
	seen   map[string]int
	header http.Header
	body   []byte
}

func (r *nonceRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	auth := req.Header.Get("Authorization")
	i := strings.Index(auth, `nonce_str="`)
	nonce := auth[i+len(`nonce_str="`):]
	nonce = nonce[:strings.IndexByte(nonce, '"')]
	r.mu.Lock()
	r.seen[nonce]++
	r.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)), Request: req}, nil
}

func TestNoNonceReusedAcross100kCalls(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	merchant := newKey(t)
	wechat := newKey(t)
	body := []byte(`{"sub_mchid":"1900000109","available_amount":1}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	d := sha256.Sum256(protocol.ResponseMessage(ts, "N", body))
	sig, _ := rsa.SignPKCS1v15(nil, wechat, crypto.SHA256, d[:])
	rec := &nonceRecorder{seen: make(map[string]int, n), body: body, header: http.Header{
		"Content-Type": {"application/json"}, "Wechatpay-Timestamp": {ts}, "Wechatpay-Nonce": {"N"},
		"Wechatpay-Signature": {base64.StdEncoding.EncodeToString(sig)}, "Wechatpay-Serial": {"PUB_KEY_ID_1"}}}
	tr, err := New(Config{MchID: "1900000001", CertificateSerialNo: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
		Signer: constSigner{&merchant.PublicKey}, WechatPayPublicKeyID: "PUB_KEY_ID_1", WechatPayPublicKey: &wechat.PublicKey, Base: rec})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109", nil)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				resp, err := tr.RoundTrip(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	if len(rec.seen) != n {
		t.Errorf("%d calls used %d distinct nonces", n, len(rec.seen))
	}
	for nonce, k := range rec.seen {
		if k > 1 || len(nonce) != 32 {
			t.Fatalf("nonce %q used %d times", nonce, k)
		}
	}
}
