package transport_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/transport"
)

// heldLimit keeps every key it has seen for the whole benchmark without ever making a call
// wait: one call a minute per key, so no bucket refills (a refilled key is forgotten), and a
// burst that never runs out (2^61 ns of calls, 38 million per key).
var heldLimit = transport.RateLimit{QPS: 1.0 / 60, Burst: 1 << 40}

// noWait is a context whose deadline has always passed, though it is never done: a call
// that would have to wait is refused at once, failing the benchmark instead of blocking it.
type noWait struct{ context.Context }

func (noWait) Deadline() (time.Time, bool) { return time.Now(), true }

func limiterKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "QueryAccountBalance mchid=" + strconv.Itoa(1900000000+i)
	}
	return keys
}

// BenchmarkLocalLimiterNewKey is the cost of a Wait for a key the limiter does not hold
// when it is full (MaxKeys keys, none refilled): what the old limiter paid a full scan for.
func BenchmarkLocalLimiterNewKey(b *testing.B) {
	for _, n := range []int{1000, 100000, 1000000} {
		b.Run("tracked="+strconv.Itoa(n), func(b *testing.B) {
			l := &transport.LocalLimiter{MaxKeys: n}
			keys := limiterKeys(2 * n) // going round twice MaxKeys keys, each call's key was pushed out
			var ctx context.Context = noWait{context.Background()}
			for _, k := range keys {
				if err := l.Wait(ctx, k, heldLimit); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := l.Wait(ctx, keys[i], heldLimit); err != nil {
					b.Fatal(err)
				}
				if i++; i == len(keys) {
					i = 0
				}
			}
		})
	}
}
