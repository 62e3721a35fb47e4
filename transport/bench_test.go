package transport_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// BenchmarkFloor is the unavoidable cost of one call: one RSA-2048 signature (the request)
// and one RSA-2048 verification (the answer).
func BenchmarkFloor(b *testing.B) {
	k := theKeys(b)
	msg := []byte("GET\n/v3/ecommerce/fund/balance/1900000109?account_type=BASIC\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n")
	d := sha256.Sum256(msg)
	sig, _ := rsa.SignPKCS1v15(nil, k.wechat, crypto.SHA256, d[:])
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(msg)
		if _, err := rsa.SignPKCS1v15(rand.Reader, k.merchant, crypto.SHA256, d[:]); err != nil {
			b.Fatal(err)
		}
		if err := rsa.VerifyPKCS1v15(&k.wechat.PublicKey, crypto.SHA256, d[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// presigned is an in-memory base RoundTripper answering every request with one signed answer.
type presigned struct {
	header http.Header
	body   []byte
}

func newPresigned(b *testing.B, body string) *presigned {
	k := theKeys(b)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", "593BEC0C930BF1AFEB40B4A08C8FB242")
	h.Set("Wechatpay-Signature", signWith(k.wechat, ts, "593BEC0C930BF1AFEB40B4A08C8FB242", []byte(body)))
	h.Set("Wechatpay-Serial", testPubKeyID)
	h.Set("Request-ID", "08F78BB5AF0610D302A8F2D15628A3FE5E")
	return &presigned{header: h, body: []byte(body)}
}

func (p *presigned) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: p.header, Body: io.NopCloser(bytes.NewReader(p.body)),
		ContentLength: int64(len(p.body)), Request: req}, nil
}

func benchTransport(b *testing.B, body string) *transport.Transport {
	k := theKeys(b)
	tr, err := transport.New(transport.Config{MchID: testMchID, CertificateSerialNo: testCertSerial, PrivateKey: k.merchant,
		WechatPayPublicKeyID: testPubKeyID, WechatPayPublicKey: &k.wechat.PublicKey, Base: newPresigned(b, body),
		// The channel API's 100 qps limit would measure the limiter, not the code.
		RateLimits: map[string]transport.RateLimit{"QueryAccountBalance": {}}})
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

const ecomBody = `{"sub_mchid":"1900000109","available_amount":10000,"pending_amount":1,"account_type":"BASIC"}`

// BenchmarkTransportRoundTrip is one signed request and one verified answer through the
// Transport over an in-memory base: the floor plus our overhead.
func BenchmarkTransportRoundTrip(b *testing.B) {
	tr := benchTransport(b, ecomBody)
	req, _ := http.NewRequest(http.MethodGet, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109?account_type=BASIC", nil)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := tr.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}

// BenchmarkClientQueryECommerceBalance adds the generated client and wxpay.Result.
func BenchmarkClientQueryECommerceBalance(b *testing.B) {
	tr := benchTransport(b, ecomBody)
	c, _ := generated.NewClientWithResponses("https://api.mch.weixin.qq.com", generated.WithHTTPClient(&http.Client{Transport: tr}))
	at := generated.AccountTypeBasic
	params := &generated.QueryECommerceBalanceParams{AccountType: &at}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "1900000109", params)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientQueryAccountBalance adds Encrypt (RSA-OAEP) to each call.
func BenchmarkClientQueryAccountBalance(b *testing.B) {
	tr := benchTransport(b, `{"in_transit_reduction_exist":false,"balance":1}`)
	c, _ := generated.NewClientWithResponses("https://api.mch.weixin.qq.com", generated.WithHTTPClient(&http.Client{Transport: tr}))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		ct, err := tr.Encrypt("8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := wxpay.Result(c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: ct})); err != nil {
			b.Fatal(err)
		}
	}
}
