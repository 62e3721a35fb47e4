package transport

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultLimiterMaxKeys is how many keys a LocalLimiter tracks unless MaxKeys says otherwise.
const DefaultLimiterMaxKeys = 1 << 20

// limiterShards is how many independently locked maps a LocalLimiter spreads its keys over.
const limiterShards = 64

// limiterSweep is how many tracked keys a LocalLimiter examines each time it starts
// tracking a new one, forgetting those whose bucket has refilled.
const limiterSweep = 2

// LocalLimiter is the in-process Limiter: a generic cell rate algorithm (GCRA, the token
// bucket expressed as one "theoretical arrival time" per key), so each key costs one map
// entry and a call costs the same with 1 key or 1,000,000. Its zero value is ready to use;
// it must not be copied after first use.
//
// A key is held as a 64-bit hash (seeded per LocalLimiter, so about 40 bytes whatever its
// length; two keys would share a bucket only if their hashes collided, odds about n²/2^65
// among n keys). A key is forgotten once its bucket has refilled, which changes nothing: a
// forgotten key and a full bucket allow the same burst. Forgetting is amortised: each new
// key examines two tracked keys, never the whole map. At most MaxKeys keys are tracked;
// when every tracked key's bucket is still refilling, a new key pushes out the one tracked
// longest, whose next call then gets a full burst.
type LocalLimiter struct {
	// MaxKeys bounds the keys tracked; 0 means DefaultLimiterMaxKeys. It is split evenly
	// across 64 shards (rounded up), and read on first use: set it before.
	MaxKeys int

	once     sync.Once
	seed     maphash.Seed
	epoch    time.Time
	perShard int
	shards   *[limiterShards]limiterShard // allocated on first use: every Transport holds a LocalLimiter

	now     func() int64 // nanoseconds since epoch; nil reads the monotonic clock (tests set it)
	scanned atomic.Int64 // tracked keys examined to forget or push out one (tests read it)
}

// limiterShard holds some of the keys: each key's theoretical arrival time, and the keys
// in the order they are examined for forgetting (each key appears exactly once).
type limiterShard struct {
	mu    sync.Mutex
	tat   map[uint64]int64 // key's hash → when its bucket is full again, in ns since epoch
	queue []uint64         // queue[head:] is the examination order, oldest first
	head  int
}

// NewLocalLimiter returns an empty in-process Limiter.
func NewLocalLimiter() *LocalLimiter { return &LocalLimiter{} }

func (l *LocalLimiter) init() {
	l.once.Do(func() {
		l.seed = maphash.MakeSeed()
		l.epoch = time.Now()
		maxKeys := l.MaxKeys
		if maxKeys <= 0 {
			maxKeys = DefaultLimiterMaxKeys
		}
		l.perShard = (maxKeys + limiterShards - 1) / limiterShards
		l.shards = new([limiterShards]limiterShard)
		for i := range l.shards {
			l.shards[i].tat = make(map[uint64]int64)
		}
	})
}

func (l *LocalLimiter) clock() int64 {
	if l.now != nil {
		return l.now()
	}
	return int64(time.Since(l.epoch))
}

// Wait blocks until key may send one request under limit, or ctx ends. It fails at once,
// without spending the key's budget, when ctx's deadline comes before that.
func (l *LocalLimiter) Wait(ctx context.Context, key string, limit RateLimit) error {
	if !(limit.QPS > 0) { // also NaN
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	l.init()
	interval := emissionInterval(limit.QPS)
	tolerance := min(satMul(interval, int64(max(1, limit.Burst))), maxLimiterSpan)
	h := maphash.String(l.seed, key)
	sh := &l.shards[h>>58] // the top 6 bits pick one of the 64 shards

	sh.mu.Lock()
	now := l.clock()
	tat, tracked := sh.tat[h]
	tat = max(tat, now)
	next := satAdd(tat, interval)
	wait := time.Duration(next - now - tolerance) // next ≥ now, tolerance ≥ 0: no overflow
	if wait > 0 {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			sh.mu.Unlock()
			return &rateLimitDeadlineError{wait: wait}
		}
	}
	if !tracked {
		l.makeRoom(sh, now)
		sh.queue = append(sh.queue, h)
	}
	sh.tat[h] = next
	sh.mu.Unlock()

	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		// Give the slot back, as far as later calls have not been placed after it.
		sh.mu.Lock()
		if tat, ok := sh.tat[h]; ok {
			sh.tat[h] = tat - interval
		}
		sh.mu.Unlock()
		return ctx.Err()
	}
}

// makeRoom examines the first limiterSweep keys of sh's queue, forgetting those whose bucket
// has refilled and moving the others to the back; then, while sh is full, pushes out the
// key at the front. sh.mu is held.
func (l *LocalLimiter) makeRoom(sh *limiterShard, now int64) {
	for i := 0; i < limiterSweep && sh.head < len(sh.queue); i++ {
		k := sh.pop()
		l.scanned.Add(1)
		if sh.tat[k] <= now {
			delete(sh.tat, k)
		} else {
			sh.queue = append(sh.queue, k)
		}
	}
	for len(sh.tat) >= l.perShard && sh.head < len(sh.queue) {
		l.scanned.Add(1)
		delete(sh.tat, sh.pop())
	}
}

// pop removes and returns the key at the front of the queue, compacting the queue once
// half of it is spent (amortised O(1)).
func (sh *limiterShard) pop() uint64 {
	k := sh.queue[sh.head]
	sh.head++
	if sh.head >= 1024 && sh.head*2 >= len(sh.queue) {
		n := copy(sh.queue, sh.queue[sh.head:])
		sh.queue = sh.queue[:n]
		sh.head = 0
	}
	return k
}

// tracked returns how many keys l holds (tests read it).
func (l *LocalLimiter) tracked() int {
	l.init()
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.tat)
		sh.mu.Unlock()
	}
	return n
}

// maxLimiterSpan (about 73 years) caps the interval between requests and a burst's span, so
// that a theoretical arrival time stays far enough below math.MaxInt64 that a call after a
// saturated one still waits.
const maxLimiterSpan = 1 << 61

// emissionInterval is the time between two requests at qps, in ns: at least 0, and at
// most maxLimiterSpan for a rate too small to express.
func emissionInterval(qps float64) int64 {
	ns := float64(time.Second) / qps
	if ns >= maxLimiterSpan {
		return maxLimiterSpan
	}
	return int64(ns)
}

// satAdd is a+b for a, b ≥ 0, saturating at math.MaxInt64.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// satMul is a*b for a, b ≥ 0, saturating at math.MaxInt64.
func satMul(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

// rateLimitDeadlineError says the rate limit's next slot comes after the context's deadline.
type rateLimitDeadlineError struct{ wait time.Duration }

func (e *rateLimitDeadlineError) Error() string {
	return fmt.Sprintf("the next request this rate limit allows is %s away, after the context's deadline", e.wait.Round(time.Millisecond))
}

// Is makes the error match context.DeadlineExceeded: the deadline is what cannot be met.
func (e *rateLimitDeadlineError) Is(target error) bool { return target == context.DeadlineExceeded }
