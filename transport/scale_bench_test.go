package transport_test

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/transport"
)

// BenchmarkNewTransports builds Transports with distinct merchant identities (MchID and
// certificate serial) and holds them all, reporting the live heap and the time each one
// adds: the cost of one more merchant in a process. The RSA keys are the caller's (loaded
// once, outside New) and are not counted; n=10000 is the service provider with 10,000 merchants.
func BenchmarkNewTransports(b *testing.B) {
	for _, n := range []int{1, 100, 1000, 10000} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			k := theKeys(b)
			cfgs := make([]transport.Config, n)
			for i := range cfgs {
				cfgs[i] = transport.Config{MchID: strconv.Itoa(1900000000 + i), CertificateSerialNo: "1DDE55AD98ED71D6EDD4A4A16996DE7B4777" + strconv.Itoa(1000+i%9000),
					PrivateKey: k.merchant, WechatPayPublicKeyID: testPubKeyID, WechatPayPublicKey: &k.wechat.PublicKey}
			}
			if _, err := transport.New(cfgs[0]); err != nil { // what is built once per process is not per merchant
				b.Fatal(err)
			}
			held := make([]*transport.Transport, n)
			var heap, elapsed float64
			b.StopTimer()
			for range b.N {
				clear(held)
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				b.StartTimer()
				start := time.Now()
				for i := range held {
					tr, err := transport.New(cfgs[i])
					if err != nil {
						b.Fatal(err)
					}
					held[i] = tr
				}
				elapsed += float64(time.Since(start))
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				heap += float64(after.HeapAlloc) - float64(before.HeapAlloc)
			}
			runtime.KeepAlive(held)
			b.ReportMetric(heap/float64(b.N)/float64(n), "heapB/transport")
			b.ReportMetric(elapsed/float64(b.N)/float64(n), "ns/transport")
		})
	}
}
