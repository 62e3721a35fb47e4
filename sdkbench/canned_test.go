package sdkbench

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth"
	"github.com/wechatpay-apiv3/wechatpay-go/core/consts"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// The one identity, request and answer every client in the comparison shares.
const (
	mchID       = "1900000001"
	certSerial  = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"
	pubKeyID    = "PUB_KEY_ID_0114232134912410000000000000"
	subMchID    = "1900000109"
	accountType = "BASIC"
	answerNonce = "593BEC0C930BF1AFEB40B4A08C8FB242"
	// cannedBody is the e-commerce balance answer (as in transport/bench_test.go).
	cannedBody = `{"sub_mchid":"1900000109","available_amount":10000,"pending_amount":1,"account_type":"BASIC"}`
	baseURL    = "https://api.mch.weixin.qq.com"
	requestURI = "/v3/ecommerce/fund/balance/1900000109?account_type=BASIC"
)

// keyPair holds the merchant's signing key and WeChat Pay's platform key (RSA-2048 both),
// generated once per process.
type keyPair struct{ merchant, platform *rsa.PrivateKey }

var theKeys = sync.OnceValue(func() keyPair {
	gen := func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	}
	return keyPair{merchant: gen(), platform: gen()}
})

// canned is the in-memory base RoundTripper of every client: it answers each request with
// one answer signed by the platform key (timestamp taken when it is built) and sends no
// byte anywhere. body is what it serves; it signs signed (the same unless a test tampers).
type canned struct {
	header http.Header
	body   []byte
}

func newCanned(k keyPair, signed, body string) *canned {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	d := sha256.Sum256([]byte(ts + "\n" + answerNonce + "\n" + signed + "\n"))
	sig, err := rsa.SignPKCS1v15(nil, k.platform, crypto.SHA256, d[:])
	if err != nil {
		panic(err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", answerNonce)
	h.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(sig))
	h.Set("Wechatpay-Serial", pubKeyID)
	h.Set("Request-ID", "08F78BB5AF0610D302A8F2D15628A3FE5E")
	return &canned{header: h, body: []byte(body)}
}

func (c *canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: c.header, Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: req}, nil
}

// balance is what each client decodes, in one shape the test can compare.
type balance struct {
	SubMchID        string
	AvailableAmount int64
	PendingAmount   int64
	AccountType     string
}

// client is one implementation under comparison. call is what the benchmarks time: one
// query, answer verified and (except for the Transport alone) decoded. decode makes the
// same call and returns what the client delivered, for the test.
type client struct {
	name   string
	call   func(context.Context) error
	decode func(context.Context) (balance, error)
}

// clients builds each implementation over base, with the same keys and identity.
func clients(tb testing.TB, k keyPair, base http.RoundTripper) []client {
	return clientsSigning(tb, k, base, signing{merchant: k.merchant})
}

// signing is what the clients sign requests with: the merchant key, or (nosign_test.go)
// signers that skip the RSA operation.
type signing struct {
	merchant crypto.Signer // a Transport's Config.Signer
	sdk      auth.Signer   // wechatpay-go's; nil for its own, the merchant key's SHA256WithRSASigner
}

// clientsSigning is clients with requests signed by s.
func clientsSigning(tb testing.TB, k keyPair, base http.RoundTripper, s signing) []client {
	tb.Helper()
	return []client{wxpayClient(tb, k, base, s), wxpayTransport(tb, k, base, s), wechatpayGo(tb, k, base, s)}
}

func newTransport(tb testing.TB, k keyPair, base http.RoundTripper, s signing) *transport.Transport {
	tb.Helper()
	cfg := transport.Config{MchID: mchID, CertificateSerialNo: certSerial,
		WechatPayPublicKeyID: pubKeyID, WechatPayPublicKey: &k.platform.PublicKey, Base: base}
	if key, ok := s.merchant.(*rsa.PrivateKey); ok {
		cfg.PrivateKey = key // as README loads it
	} else {
		cfg.Signer = s.merchant
	}
	tr, err := transport.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { tr.Close() })
	return tr
}

// wxpayClient is the generated client and wxpay.Result, built as README recommends.
func wxpayClient(tb testing.TB, k keyPair, base http.RoundTripper, s signing) client {
	tb.Helper()
	c, err := wxpay.NewClientWithTransport(baseURL, newTransport(tb, k, base, s))
	if err != nil {
		tb.Fatal(err)
	}
	at := generated.AccountType(accountType)
	params := &generated.QueryECommerceBalanceParams{AccountType: &at}
	decode := func(ctx context.Context) (balance, error) {
		bal, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, subMchID, params))
		if err != nil {
			return balance{}, err
		}
		b := balance{SubMchID: bal.SubMchID, AvailableAmount: bal.AvailableAmount}
		if bal.PendingAmount != nil {
			b.PendingAmount = *bal.PendingAmount
		}
		if bal.AccountType != nil {
			b.AccountType = string(*bal.AccountType)
		}
		return b, nil
	}
	return client{name: "wxpay", decode: decode, call: func(ctx context.Context) error { _, err := decode(ctx); return err }}
}

// wxpayTransport is Transport.RoundTrip alone on a prepared request: signing, sending and
// verifying, without the generated client. The test decodes the verified body itself.
func wxpayTransport(tb testing.TB, k keyPair, base http.RoundTripper, s signing) client {
	tb.Helper()
	tr := newTransport(tb, k, base, s)
	req, err := http.NewRequest(http.MethodGet, baseURL+requestURI, nil)
	if err != nil {
		tb.Fatal(err)
	}
	call := func(ctx context.Context) error {
		resp, err := tr.RoundTrip(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
	decode := func(ctx context.Context) (balance, error) {
		resp, err := tr.RoundTrip(req.WithContext(ctx))
		if err != nil {
			return balance{}, err
		}
		defer resp.Body.Close()
		var v sdkBalance
		if err := decodeJSON(resp.Body, &v); err != nil {
			return balance{}, err
		}
		return v.balance(), nil
	}
	return client{name: "wxpay-transport", call: call, decode: decode}
}

// sdkBalance is the answer's model the way wechatpay-go's generated services write theirs.
type sdkBalance struct {
	SubMchid        *string `json:"sub_mchid,omitempty"`
	AvailableAmount *int64  `json:"available_amount,omitempty"`
	PendingAmount   *int64  `json:"pending_amount,omitempty"`
	AccountType     *string `json:"account_type,omitempty"`
}

func (v *sdkBalance) balance() balance {
	var b balance
	if v.SubMchid != nil {
		b.SubMchID = *v.SubMchid
	}
	if v.AvailableAmount != nil {
		b.AvailableAmount = *v.AvailableAmount
	}
	if v.PendingAmount != nil {
		b.PendingAmount = *v.PendingAmount
	}
	if v.AccountType != nil {
		b.AccountType = *v.AccountType
	}
	return b
}

// wechatpayGo is the official Go SDK in public-key mode, the call written the way its
// generated services (e.g. services/profitsharing's QueryOrder) write a GET: path parameter
// through url.PathEscape(core.ParameterToString(…)), url.Values query, Client.Request, which
// signs, sends and validates the answer's signature, then core.UnMarshalResponse.
func wechatpayGo(tb testing.TB, k keyPair, base http.RoundTripper, s signing) client {
	tb.Helper()
	opts := []core.ClientOption{
		option.WithWechatPayPublicKeyAuthCipher(mchID, certSerial, k.merchant, pubKeyID, &k.platform.PublicKey),
		option.WithHTTPClient(&http.Client{Transport: base}),
	}
	if s.sdk != nil {
		opts = append(opts, option.WithSigner(s.sdk)) // applied after the auth cipher's signer: replaces it
	}
	c, err := core.NewClient(context.Background(), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	sub, at := subMchID, accountType
	decode := func(ctx context.Context) (balance, error) {
		path := consts.WechatPayAPIServer + "/v3/ecommerce/fund/balance/{sub_mchid}"
		path = strings.Replace(path, "{"+"sub_mchid"+"}", url.PathEscape(core.ParameterToString(sub, "")), -1)
		query := url.Values{}
		query.Add("account_type", core.ParameterToString(at, ""))
		contentType := core.SelectHeaderContentType([]string{})
		result, err := c.Request(ctx, http.MethodGet, path, http.Header{}, query, nil, contentType)
		if err != nil {
			return balance{}, err
		}
		resp := new(sdkBalance)
		if err := core.UnMarshalResponse(result.Response, resp); err != nil {
			return balance{}, err
		}
		return resp.balance(), nil
	}
	return client{name: "wechatpay-go", decode: decode, call: func(ctx context.Context) error { _, err := decode(ctx); return err }}
}
