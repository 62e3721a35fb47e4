package wxpay_test

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
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

// queryLoop calls QueryECommerceBalance from conc goroutines, going round clients, and
// reports calls/s, the 99th-percentile latency, and the live heap (as of each GC during
// the run, at its highest) above the heap before it, per call in flight.
func queryLoop(b *testing.B, clients []*generated.ClientWithResponses, conc int) {
	at := generated.AccountTypeBasic
	params := &generated.QueryECommerceBalanceParams{AccountType: &at}
	lat := make([][]time.Duration, conc)
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	runtime.GC()
	metrics.Read(live)
	base, peak := live[0].Value.Uint64(), uint64(0)
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // the live heap, sampled without stopping the world
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				metrics.Read(live)
				peak = max(peak, live[0].Value.Uint64())
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for g := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > b.N {
					return
				}
				c := clients[i%len(clients)]
				start := time.Now()
				bal, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), wxpaytest.DemoSubMchID, params))
				if err == nil && bal.AvailableAmount != 10000 {
					err = fmt.Errorf("available %d, want 10000", bal.AvailableAmount)
				}
				if err != nil {
					b.Error(err) // not Fatal: this is not the benchmark's goroutine
					return
				}
				lat[g] = append(lat[g], time.Since(start))
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(done)
	<-sampled
	all := slices.Concat(lat...)
	if len(all) > 0 {
		slices.Sort(all)
		b.ReportMetric(float64(all[len(all)*99/100])/1e6, "p99-ms")
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	}
	if peak > base {
		b.ReportMetric(float64(peak-base)/float64(conc), "heapB/inflight")
	}
}

// BenchmarkManyMerchants is a service provider calling WeChat Pay for many merchants at
// once: 1,000 Transports with distinct identities (MchID, serial), sharing one
// http.Transport, call a wxpaytest server with 16 calls in flight, beside a single
// merchant calling its own server under the same load. On a shared machine the load
// drifts, so the two alternate in rounds of 100 calls within one benchmark (which goes
// first alternates too) and b.N calls go to each; each has a server of its own that gets as many calls, so both see the same
// server state (its replay cache grows with every call). It reports calls/s and the
// 99th-percentile latency of each, and their ratios (1,000 merchants over 1).
func BenchmarkManyMerchants(b *testing.B) {
	const conc, round = 16, 100
	one, many := merchantClients(b, 1), merchantClients(b, 1000)
	var (
		elapsed [2]time.Duration
		lat     [2][]time.Duration
		off     atomic.Int64 // goes round the merchants across rounds
	)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += round {
		n := min(round, b.N-done)
		order := [2]int{0, 1}
		if done/round%2 == 1 { // every other round the 1,000 go first: neither inherits the other's garbage every time
			order = [2]int{1, 0}
		}
		for _, k := range order {
			clients := [2][]*generated.ClientWithResponses{one, many}[k]
			start := time.Now()
			l, err := runCalls(clients, conc, n, &off)
			elapsed[k] += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			lat[k] = append(lat[k], l...)
		}
	}
	b.StopTimer()
	var rate, p99 [2]float64
	for k := range 2 {
		slices.Sort(lat[k])
		rate[k] = float64(b.N) / elapsed[k].Seconds()
		p99[k] = float64(lat[k][len(lat[k])*99/100]) / 1e6
	}
	b.ReportMetric(rate[0], "calls/s-1")
	b.ReportMetric(rate[1], "calls/s-1000")
	b.ReportMetric(p99[0], "p99-ms-1")
	b.ReportMetric(p99[1], "p99-ms-1000")
	b.ReportMetric(rate[1]/rate[0], "calls/s-ratio")
	b.ReportMetric(p99[1]/p99[0], "p99-ratio")
}

// runCalls makes n QueryECommerceBalance calls from conc goroutines, each going to the next
// of clients (counting from *next), and returns each call's latency.
func runCalls(clients []*generated.ClientWithResponses, conc, n int, next *atomic.Int64) ([]time.Duration, error) {
	at := generated.AccountTypeBasic
	params := &generated.QueryECommerceBalanceParams{AccountType: &at}
	lat := make([]time.Duration, n)
	var (
		taken atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range min(conc, n) {
		wg.Go(func() {
			for {
				i := int(taken.Add(1)) - 1
				if i >= n {
					return
				}
				c := clients[int(next.Add(1))%len(clients)]
				start := time.Now()
				bal, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), wxpaytest.DemoSubMchID, params))
				if err == nil && bal.AvailableAmount != 10000 {
					err = fmt.Errorf("available %d, want 10000", bal.AvailableAmount)
				}
				if err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
					return
				}
				lat[i] = time.Since(start)
			}
		})
	}
	wg.Wait()
	return lat, first
}

// BenchmarkConcurrentCalls is one merchant's Transport with 1 to 256 calls in flight
// against wxpaytest (client and server share the CPUs): throughput, latency, and the
// live heap each call in flight holds.
func BenchmarkConcurrentCalls(b *testing.B) {
	for _, n := range []int{1, 16, 256} {
		b.Run("calls="+strconv.Itoa(n), func(b *testing.B) {
			queryLoop(b, merchantClients(b, 1), n)
		})
	}
}
