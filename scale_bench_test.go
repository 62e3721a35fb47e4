package wxpay_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// merchantKeys are the RSA keys the many merchants of BenchmarkManyMerchants sign with, in
// turn: generating 1,000 RSA-2048 keys would take minutes, and a key is the caller's cost
// (loaded once), not the library's. Each merchant still has its own MchID and serial.
var merchantKeys = sync.OnceValues(func() ([]*rsa.PrivateKey, error) {
	keys := make([]*rsa.PrivateKey, 8)
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	return keys, nil
})

// merchantClients starts a wxpaytest server knowing n merchants and returns one generated
// client per merchant, each over its own transport.Transport, all sharing one http.Transport.
func merchantClients(b *testing.B, n int) []*generated.ClientWithResponses {
	b.Helper()
	k, err := secKeys()
	if err != nil {
		b.Fatal(err)
	}
	keys, err := merchantKeys()
	if err != nil {
		b.Fatal(err)
	}
	srv := wxpaytest.NewServer(wxpaytest.WithKeys(k))
	b.Cleanup(srv.Close)
	base := &http.Transport{MaxIdleConnsPerHost: 256}
	b.Cleanup(base.CloseIdleConnections)
	clients := make([]*generated.ClientWithResponses, n)
	for i := range clients {
		cfg, err := srv.AddMerchant(strconv.Itoa(1800000000+i), fmt.Sprintf("%040X", i+1), keys[i%len(keys)])
		if err != nil {
			b.Fatal(err)
		}
		cfg.Base = base
		tr, err := transport.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		if clients[i], err = generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr})); err != nil {
			b.Fatal(err)
		}
	}
	return clients
}

// queryLoop calls QueryECommerceBalance from conc goroutines per GOMAXPROCS
// (b.SetParallelism), going round clients, and reports calls/s and the 99th-percentile latency.
func queryLoop(b *testing.B, clients []*generated.ClientWithResponses, conc int) {
	at := generated.AccountTypeBasic
	params := &generated.QueryECommerceBalanceParams{AccountType: &at}
	var (
		next atomic.Int64
		mu   sync.Mutex
		lat  []time.Duration
	)
	b.SetParallelism(conc)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 256)
		for pb.Next() {
			c := clients[int(next.Add(1))%len(clients)]
			start := time.Now()
			bal, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), wxpaytest.DemoSubMchID, params))
			if err == nil && bal.AvailableAmount != 10000 {
				err = fmt.Errorf("available %d, want 10000", bal.AvailableAmount)
			}
			if err != nil {
				b.Error(err) // not Fatal: this is not the benchmark's goroutine
				return
			}
			local = append(local, time.Since(start))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	b.StopTimer()
	if len(lat) > 0 {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	}
}

// BenchmarkManyMerchants is a service provider calling WeChat Pay for many merchants at
// once: 1,000 Transports with distinct identities (MchID, serial), sharing one
// http.Transport, call one wxpaytest server from 8 goroutines per GOMAXPROCS, beside the
// same load from a single merchant. Each run starts a fresh server, so both see the same
// server state (its replay cache and request log grow with every call).
func BenchmarkManyMerchants(b *testing.B) {
	for _, n := range []int{1, 1000} {
		b.Run("merchants="+strconv.Itoa(n), func(b *testing.B) {
			queryLoop(b, merchantClients(b, n), 8)
		})
	}
}
