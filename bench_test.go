package wxpay_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// BenchmarkLoopback is one QueryECommerceBalance end to end — generated client, Transport
// (sign, verify, schema), HTTP over 127.0.0.1, and wxpaytest (verify, sign) — serially and
// from GOMAXPROCS goroutines at once (b.RunParallel). Client and server share the machine,
// so each call costs two RSA-2048 signatures and two verifications of its CPU.
func BenchmarkLoopback(b *testing.B) {
	k, err := secKeys()
	if err != nil {
		b.Fatal(err)
	}
	srv := wxpaytest.NewServer(wxpaytest.WithKeys(k))
	defer srv.Close()
	base := &http.Transport{MaxIdleConnsPerHost: 256}
	defer base.CloseIdleConnections()
	cfg := srv.TransportConfig()
	cfg.Base = base
	tr, err := transport.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	c, err := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		b.Fatal(err)
	}
	at := generated.AccountTypeBasic
	params := &generated.QueryECommerceBalanceParams{AccountType: &at}
	call := func() error {
		bal, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), wxpaytest.DemoSubMchID, params))
		if err == nil && bal.AvailableAmount != 10000 {
			err = fmt.Errorf("available %d, want 10000", bal.AvailableAmount)
		}
		return err
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := call(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := call(); err != nil {
					b.Error(err) // not Fatal: this is not the benchmark's goroutine
					return
				}
			}
		})
	})
	srv.ResetRequests() // the request log grows with every call
}
