package redislimit_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/redislimit"
	"github.com/wxpay-oapi/wxpay/transport"
)

func newLimiter(t *testing.T, srv *redisServer, edit func(*redislimit.Config)) (*redislimit.Limiter, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg := redislimit.Config{Client: srv.Client(), Logger: slog.New(slog.NewJSONHandler(logs, nil)), RetryInterval: 50 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	l, err := redislimit.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l, logs
}

// within waits once with a deadline d away; it reports the error and whether Wait returned
// before the deadline.
func within(l transport.Limiter, key string, limit transport.RateLimit, d time.Duration) (error, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	err := l.Wait(ctx, key, limit)
	return err, ctx.Err() == nil
}

func TestBurstIsSharedByInstances(t *testing.T) {
	srv := startRedis(t)
	a, _ := newLimiter(t, srv, nil)
	b, _ := newLimiter(t, srv, nil)
	limit := transport.RateLimit{QPS: 1, Burst: 5}
	for i, l := range []*redislimit.Limiter{a, a, a, b, b} {
		if err, early := within(l, "op mchid=1", limit, time.Second); err != nil || !early {
			t.Fatalf("request %d of the burst of 5: %v", i+1, err)
		}
	}
	// Each instance used less than its burst: only a shared bucket refuses the sixth.
	err, early := within(b, "op mchid=1", limit, 500*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) || !early {
		t.Fatalf("sixth request within 500 ms at 1 qps: %v (returned before the deadline: %v); want a fast DeadlineExceeded", err, early)
	}
	// Another key has a bucket of its own.
	if err, _ := within(a, "op mchid=2", limit, time.Second); err != nil {
		t.Fatalf("another key: %v", err)
	}
}

func TestFractionalQPS(t *testing.T) {
	srv := startRedis(t)
	l, _ := newLimiter(t, srv, nil)
	limit := transport.RateLimit{QPS: 2.5, Burst: 1} // one request every 400 ms
	if err, _ := within(l, "k", limit, time.Second); err != nil {
		t.Fatal(err)
	}
	// Rounded up to 3 qps the next would come after 333 ms; at 2.5 it cannot by 360 ms.
	if err, early := within(l, "k", limit, 360*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) || !early {
		t.Fatalf("second request within 360 ms at 2.5 qps: %v; want a fast DeadlineExceeded", err)
	}
	// Truncated to 2 qps it would come after 500 ms; at 2.5 it comes by 470 ms.
	if err, _ := within(l, "k", limit, 470*time.Millisecond); err != nil {
		t.Fatalf("second request within 470 ms at 2.5 qps: %v", err)
	}
}

func TestWaitHonoursTheContext(t *testing.T) {
	srv := startRedis(t)
	l, _ := newLimiter(t, srv, nil)
	limit := transport.RateLimit{QPS: 0.5, Burst: 1}
	if err, _ := within(l, "k", limit, time.Second); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if err := l.Wait(ctx, "k", limit); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled while waiting 2 s: %v", err)
	}
	if err := l.Wait(context.Background(), "k", transport.RateLimit{}); err != nil {
		t.Fatalf("QPS 0 means no limit: %v", err)
	}
}

func TestPrefix(t *testing.T) {
	srv := startRedis(t)
	limit := transport.RateLimit{QPS: 1, Burst: 1}
	a, _ := newLimiter(t, srv, func(c *redislimit.Config) { c.Prefix = "fleet-a:" })
	b, _ := newLimiter(t, srv, func(c *redislimit.Config) { c.Prefix = "fleet-b:" })
	for _, l := range []*redislimit.Limiter{a, b} {
		if err, _ := within(l, "op mchid=1", limit, 300*time.Millisecond); err != nil {
			t.Fatalf("different prefixes share a bucket: %v", err)
		}
	}
	keys, err := srv.Client().Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"rate:fleet-a:op mchid=1": true, "rate:fleet-b:op mchid=1": true}
	if len(keys) != 2 || !want[keys[0]] || !want[keys[1]] {
		t.Errorf("keys in Redis %q, want %v", keys, want)
	}
	d, _ := newLimiter(t, srv, nil)
	if err, _ := within(d, "x", limit, time.Second); err != nil {
		t.Fatal(err)
	}
	if n, _ := srv.Client().Exists(context.Background(), "rate:"+redislimit.DefaultPrefix+"x").Result(); n != 1 {
		t.Errorf("default prefix: key rate:%sx not in Redis", redislimit.DefaultPrefix)
	}
}

func TestOutageFallsBackAndResumes(t *testing.T) {
	srv := startRedis(t)
	l, logs := newLimiter(t, srv, nil)
	limit := transport.RateLimit{QPS: 50, Burst: 5}
	if err, _ := within(l, "k", limit, time.Second); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	start := time.Now()
	for i := 0; i < 30; i++ { // 30 at 50 qps, burst 5: about half a second, on the local bucket
		if err, _ := within(l, "k", limit, 5*time.Second); err != nil {
			t.Fatalf("request %d during the outage: %v", i, err)
		}
	}
	// The local fallback still limits: 25 requests past its burst of 5 take 500 ms at 50 qps.
	if elapsed := time.Since(start); elapsed < 400*time.Millisecond {
		t.Errorf("30 requests took %v during the outage: the fallback did not limit", elapsed)
	}
	if n := logs.count("Redis unreachable"); n != 1 {
		t.Errorf("%d outage records, want 1:\n%s", n, logs)
	}
	srv.Start()
	time.Sleep(100 * time.Millisecond) // past RetryInterval
	for i := 0; i < 3; i++ {
		if err, _ := within(l, "k", limit, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if n := logs.count("Redis reachable again"); n != 1 {
		t.Errorf("%d recovery records, want 1:\n%s", n, logs)
	}
	if n, _ := srv.Client().Exists(context.Background(), "rate:wxpay:k").Result(); n != 1 {
		t.Error("after the outage the bucket is not back in Redis")
	}
}

func TestNewChecksConfig(t *testing.T) {
	if _, err := redislimit.New(redislimit.Config{}); err == nil {
		t.Error("New accepted a nil Client")
	}
}
