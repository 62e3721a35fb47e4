package transport_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/wxpay-oapi/wxpay/transport"
)

// BenchmarkTransportObserver is BenchmarkTransportRoundTrip without an Observer ("nil") and
// with every hook set to a func that does nothing ("all-hooks"): what the hook costs a call.
func BenchmarkTransportObserver(b *testing.B) {
	noop := &transport.Observer{
		CallStart:           func(ctx context.Context, _ transport.CallStart) context.Context { return ctx },
		CallDone:            func(context.Context, transport.CallDone) {},
		AttemptStart:        func(ctx context.Context, _ transport.AttemptStart) context.Context { return ctx },
		AttemptDone:         func(context.Context, transport.AttemptDone) {},
		Retry:               func(context.Context, transport.Retry) {},
		Failover:            func(context.Context, transport.Failover) {},
		VerificationFailure: func(context.Context, transport.VerificationFailure) {},
		RateLimitWait:       func(context.Context, transport.RateLimitWait) {},
		CertificateDownload: func(context.Context, transport.CertificateDownload) {},
	}
	for _, bc := range []struct {
		name string
		obs  *transport.Observer
	}{{"nil", nil}, {"all-hooks", noop}} {
		b.Run(bc.name, func(b *testing.B) {
			k := theKeys(b)
			tr, err := transport.New(transport.Config{MchID: testMchID, CertificateSerialNo: testCertSerial, PrivateKey: k.merchant,
				WechatPayPublicKeyID: testPubKeyID, WechatPayPublicKey: &k.wechat.PublicKey, Base: newPresigned(b, ecomBody),
				RateLimits: map[string]transport.RateLimit{"QueryAccountBalance": {}}, Observer: bc.obs})
			if err != nil {
				b.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, "https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109?account_type=BASIC", nil)
			b.ReportAllocs()
			for b.Loop() {
				resp, err := tr.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
	}
}
