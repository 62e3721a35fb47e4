// Package redislimit shares a WeChat Pay rate limit across a fleet: a transport.Limiter on
// Redis, so that every instance sending for the same target merchant draws on one budget.
//
// WeChat Pay limits requests per target merchant (the channel quota query: 100 qps per
// mchid), not per process. With a transport.LocalLimiter each of N instances sends up to the
// limit, N times the limit together, and collects 429 FREQUENCY_LIMITED. A Limiter from this
// package keeps one GCRA bucket per limiter key in Redis, updated atomically by one Lua
// script (github.com/go-redis/redis_rate), on Redis's clock.
//
// What it guarantees, in each state:
//
//   - Redis reachable (shared): for each key, the whole fleet together is allowed at most
//     Burst requests at once and QPS per second after that (fractional rates included):
//     at most Burst + QPS·t requests in any interval of length t.
//   - Redis unreachable (local): calls do not stop. Each instance falls back to its own
//     in-process limiter (by default a transport.LocalLimiter), so each still keeps the limit
//     on its own, but N instances together may send up to N times the limit. The outage is
//     logged once, when it starts; while it lasts, one call per RetryInterval tries Redis again.
//   - Redis back: the first call that reaches it logs that sharing resumed, and from then
//     on every instance is back on the shared bucket. In the moments around a change of
//     state a key may get up to one extra Burst (the bucket it moves to starts full).
//
// A Wait waits with its context, and returns at once an error wrapping
// context.DeadlineExceeded when the context's deadline would pass before the limit allows
// the request (as golang.org/x/time/rate does).
package redislimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/wxpay-oapi/wxpay/transport"
)

// DefaultPrefix starts every key this package writes, unless Config.Prefix says otherwise.
const DefaultPrefix = "wxpay:"

// DefaultRetryInterval is how often, while Redis is unreachable, a call tries it again.
const DefaultRetryInterval = time.Second

// Config configures a Limiter.
type Config struct {
	// Client is the Redis client (a *redis.Client, *redis.ClusterClient or *redis.Ring);
	// required. Its DialTimeout and ReadTimeout bound how long a call waits for an
	// unresponsive Redis before falling back: set them short (say 100 ms) on a fleet.
	// go-redis also reports failed dials itself, through redis.SetLogger's logger.
	Client redis.UniversalClient
	// Prefix starts each Redis key, before the transport's limiter key (operation and keyed
	// parameter, e.g. "QueryAccountBalance mchid=1900016681"); "" means DefaultPrefix.
	// redis_rate adds its own "rate:" in front, so the key in Redis is "rate:"+Prefix+key.
	// Instances share a budget exactly when they use the same Redis and the same Prefix.
	Prefix string
	// Fallback limits calls while Redis is unreachable; nil means a transport.NewLocalLimiter.
	Fallback transport.Limiter
	// RetryInterval is how often a call tries Redis again while it is unreachable; 0 means
	// DefaultRetryInterval.
	RetryInterval time.Duration
	// Logger receives one record when Redis becomes unreachable and one when it is back;
	// nil means slog.Default().
	Logger *slog.Logger
}

// Limiter is a transport.Limiter shared through Redis, falling back to a local limiter
// while Redis is unreachable. It is safe for concurrent use. Create it with New.
type Limiter struct {
	rate     *redis_rate.Limiter
	prefix   string
	fallback transport.Limiter
	retry    time.Duration
	log      *slog.Logger

	down      atomic.Bool // Redis failed last time it was asked
	mu        sync.Mutex  // guards nextProbe and the changes of down
	nextProbe time.Time   // while down: when a call may try Redis again
}

var _ transport.Limiter = (*Limiter)(nil)

// New returns a Limiter for cfg.
func New(cfg Config) (*Limiter, error) {
	if cfg.Client == nil {
		return nil, errors.New("redislimit: Config.Client is nil: pass a *redis.Client (redis.NewClient) for the Redis the fleet shares")
	}
	if cfg.RetryInterval < 0 {
		return nil, errors.New("redislimit: Config.RetryInterval is negative: use 0 for the default of 1 s")
	}
	l := &Limiter{rate: redis_rate.NewLimiter(cfg.Client), prefix: cfg.Prefix, fallback: cfg.Fallback,
		retry: cfg.RetryInterval, log: cfg.Logger}
	if l.prefix == "" {
		l.prefix = DefaultPrefix
	}
	if l.fallback == nil {
		l.fallback = transport.NewLocalLimiter()
	}
	if l.retry == 0 {
		l.retry = DefaultRetryInterval
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	return l, nil
}

// Wait blocks until key may send one more request under limit, on the bucket shared through
// Redis (or, while Redis is unreachable, on the local fallback). It returns an error when
// ctx ends first, or at once, wrapping context.DeadlineExceeded, when ctx's deadline would
// pass before then.
func (l *Limiter) Wait(ctx context.Context, key string, limit transport.RateLimit) error {
	if limit.QPS <= 0 || math.IsNaN(limit.QPS) || math.IsInf(limit.QPS, 1) {
		return nil
	}
	lim := gcra(limit)
	for l.shared() {
		res, err := l.rate.Allow(ctx, l.prefix+key, lim)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("redislimit: waiting for the rate limit of %s: %w", key, ctx.Err())
			}
			l.unreachable(ctx, err)
			break
		}
		l.reachable(ctx)
		if res.Allowed > 0 {
			return nil
		}
		wait := res.RetryAfter
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return fmt.Errorf("redislimit: the rate limit of %s allows the next request in %v, after the context's deadline: %w",
				key, wait.Round(time.Millisecond), context.DeadlineExceeded)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("redislimit: waiting for the rate limit of %s: %w", key, ctx.Err())
		case <-t.C:
		}
	}
	return l.fallback.Wait(ctx, key, limit)
}

// gcra turns a RateLimit into redis_rate's terms: one request per emission interval of
// 1/QPS seconds (so fractional rates keep their value), Burst at once (0 means 1, as in
// transport.RateLimit; GCRA with a burst of 0 would allow nothing).
func gcra(limit transport.RateLimit) redis_rate.Limit {
	period := float64(time.Second) / limit.QPS
	if period > float64(math.MaxInt64) {
		period = float64(math.MaxInt64)
	}
	return redis_rate.Limit{Rate: 1, Period: max(time.Duration(period), 1), Burst: max(1, limit.Burst)}
}

// shared reports whether this call should ask Redis: yes unless Redis is down and the next
// probe is not due (then the caller that takes the probe asks, the others go local).
func (l *Limiter) shared() bool {
	if !l.down.Load() {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Before(l.nextProbe) {
		return false
	}
	l.nextProbe = now.Add(l.retry)
	return true
}

// unreachable records a failed Redis call; the first of an outage is logged.
func (l *Limiter) unreachable(ctx context.Context, err error) {
	l.mu.Lock()
	was := l.down.Swap(true)
	l.nextProbe = time.Now().Add(l.retry)
	l.mu.Unlock()
	if !was {
		l.log.LogAttrs(ctx, slog.LevelWarn, "redislimit: Redis unreachable; limiting on this instance alone until it is back",
			slog.String("error", err.Error()), slog.Duration("retry_interval", l.retry))
	}
}

// reachable records a successful Redis call; the first after an outage is logged.
func (l *Limiter) reachable(ctx context.Context) {
	if !l.down.Load() {
		return
	}
	l.mu.Lock()
	was := l.down.Swap(false)
	l.mu.Unlock()
	if was {
		l.log.LogAttrs(ctx, slog.LevelInfo, "redislimit: Redis reachable again; the rate limit is shared again")
	}
}
