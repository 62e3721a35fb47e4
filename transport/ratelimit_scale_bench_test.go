package transport_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/wxpay-oapi/wxpay/transport"
)

// BenchmarkRateLimitKeys is the in-process limiter holding 1 to 1,000,000 rate-limit keys
// (QueryAccountBalance's key is the target mchid, so a platform querying many merchants
// holds one bucket per merchant): the live heap each key adds after one pass over all of
// them, and the time of a Wait going round the keys. With heldLimit every key stays held and
// Wait never sleeps, so the time is the limiter's bookkeeping (a call that would have to wait
// fails the benchmark instead, through noWait).
func BenchmarkRateLimitKeys(b *testing.B) {
	limit := heldLimit
	var ctx context.Context = noWait{context.Background()}
	for _, n := range []int{1, 1000, 100000, 1000000} {
		b.Run("keys="+strconv.Itoa(n), func(b *testing.B) {
			keys := make([]string, n)
			for i := range keys {
				keys[i] = "QueryAccountBalance mchid=" + strconv.Itoa(1900000000+i)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			l := transport.NewLocalLimiter()
			for _, k := range keys {
				if err := l.Wait(ctx, k, limit); err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if err := l.Wait(ctx, keys[i], limit); err != nil {
					b.Fatal(err)
				}
				if i++; i == n {
					i = 0
				}
			}
			runtime.KeepAlive(l)
			b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/float64(n), "heapB/key") // after ResetTimer, which drops metrics
		})
	}
}
