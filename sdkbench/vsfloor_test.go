package sdkbench

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
	"time"
)

// floorMsg is a request's signing message, the size the floor signs for this query.
var floorMsg = []byte("GET\n" + requestURI + "\n1554208460\n" + answerNonce + "\n\n")

// floor is the unavoidable cost of one call: one RSA-2048 signature with the merchant key
// (the request) and one verification with the platform key (the answer), as in
// transport's BenchmarkFloor.
type floor struct {
	k   keyPair
	sig []byte
}

func newFloor(k keyPair) *floor {
	d := sha256.Sum256(floorMsg)
	sig, err := rsa.SignPKCS1v15(nil, k.platform, crypto.SHA256, d[:])
	if err != nil {
		panic(err)
	}
	return &floor{k: k, sig: sig}
}

func (f *floor) op(context.Context) error {
	d := sha256.Sum256(floorMsg)
	if _, err := rsa.SignPKCS1v15(rand.Reader, f.k.merchant, crypto.SHA256, d[:]); err != nil {
		return err
	}
	return rsa.VerifyPKCS1v15(&f.k.platform.PublicKey, crypto.SHA256, d[:], f.sig)
}

// BenchmarkVsFloor compares each client's call with the RSA floor on the same machine
// state: each iteration runs one floor op and one call, each timed on its own, in
// alternating order, and x/floor is the sum of call times over the sum of floor times.
// On a shared machine the load drifts between separate benchmark runs by more than the
// 1 % being measured; within a pair both halves see the same load. call-ns and floor-ns
// are the two means. ns/op and the -benchmem figures of these pairs count both halves:
// read allocs/op and B/op of one call from alone/<client>, which runs the call by itself.
func BenchmarkVsFloor(b *testing.B) {
	k := theKeys()
	fl := newFloor(k)
	ctx := context.Background()
	for _, c := range clients(b, k, newCanned(k, cannedBody, cannedBody)) {
		b.Run(c.name, func(b *testing.B) {
			var callT, floorT time.Duration
			i := 0
			for b.Loop() {
				if i&1 == 0 {
					floorT += timed(b, ctx, fl.op)
					callT += timed(b, ctx, c.call)
				} else {
					callT += timed(b, ctx, c.call)
					floorT += timed(b, ctx, fl.op)
				}
				i++
			}
			b.ReportMetric(float64(callT)/float64(floorT), "x/floor")
			b.ReportMetric(float64(callT.Nanoseconds())/float64(i), "call-ns")
			b.ReportMetric(float64(floorT.Nanoseconds())/float64(i), "floor-ns")
		})
	}
	b.Run("alone/floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := fl.op(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range clients(b, k, newCanned(k, cannedBody, cannedBody)) {
		b.Run("alone/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.call(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// timed runs f once and returns how long it took; an error fails the benchmark.
func timed(b *testing.B, ctx context.Context, f func(context.Context) error) time.Duration {
	t0 := time.Now()
	err := f(ctx)
	d := time.Since(t0)
	if err != nil {
		b.Fatal(err)
	}
	return d
}
