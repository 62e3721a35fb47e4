package main

import (
	"context"
	"sync"
	"time"
)

// throttle is the bulk run's shared brake: it bounds the calls in flight, and a 429 seen
// by any call (any attempt, through the transport's Observer) halves that bound for the
// whole run and pauses new calls briefly, instead of every worker hammering on. Each call
// that finishes without one lets the bound grow back by about one per round of calls
// (additive increase, multiplicative decrease). Safe for concurrent use.
type throttle struct {
	mu       sync.Mutex
	max      int
	limit    float64   // calls allowed in flight now, 1 ≤ limit ≤ max
	inFlight int       // calls in flight
	until    time.Time // no new call starts before this
	lastCut  time.Time // the last time limit was halved
	changed  chan struct{}
	now      func() time.Time

	slowdowns int // 429s seen
}

// throttlePause is how long new calls wait after a 429, and how often the bound may be
// halved: one burst of 429s from the calls already in flight counts once.
const throttlePause = time.Second

func newThrottle(max int) *throttle {
	return &throttle{max: max, limit: float64(max), changed: make(chan struct{}), now: time.Now}
}

// acquire waits for a slot; it returns ctx's error when ctx ends first.
func (t *throttle) acquire(ctx context.Context) error {
	for {
		t.mu.Lock()
		now := t.now()
		wait := t.until.Sub(now)
		if wait <= 0 && t.inFlight < int(t.limit) {
			t.inFlight++
			t.mu.Unlock()
			return nil
		}
		ch := t.changed
		t.mu.Unlock()
		var (
			tm    *time.Timer
			timer <-chan time.Time
		)
		if wait > 0 {
			tm = time.NewTimer(wait)
			timer = tm.C
		}
		select {
		case <-ctx.Done():
		case <-ch:
		case <-timer:
		}
		if tm != nil {
			tm.Stop()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// release frees a slot; the bound grows by 1/limit (one per round of calls).
func (t *throttle) release() {
	t.mu.Lock()
	t.inFlight--
	if t.limit < float64(t.max) {
		t.limit = min(float64(t.max), t.limit+1/t.limit)
	}
	t.signal()
	t.mu.Unlock()
}

// slowDown is told about a 429: halve the bound (at most once per throttlePause) and
// hold new calls for throttlePause. (A Retry-After is the transport's to honour, capped,
// on the retry of the call that got it.)
func (t *throttle) slowDown() {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.slowdowns++
	if now.Sub(t.lastCut) >= throttlePause {
		t.limit = max(1, t.limit/2)
		t.lastCut = now
	}
	if until := now.Add(throttlePause); until.After(t.until) {
		t.until = until
	}
	t.signal()
}

// state returns the current bound and how many 429s were seen.
func (t *throttle) state() (limit, slowdowns int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return int(t.limit), t.slowdowns
}

// signal wakes the waiters; t.mu is held.
func (t *throttle) signal() {
	close(t.changed)
	t.changed = make(chan struct{})
}
