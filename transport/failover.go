package transport

import (
	"net/url"
	"sync"
	"time"
)

// DefaultFailoverCooldown is how long requests stay on the backup host after the primary failed.
const DefaultFailoverCooldown = 30 * time.Second

// failover remembers which primary hosts failed recently; safe for concurrent use.
type failover struct {
	mu    sync.Mutex
	until map[string]time.Time // primary host → end of its cool-down
}

// cooling reports whether requests for primary should go straight to the backup at now.
func (f *failover) cooling(primary string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	until, ok := f.until[primary]
	if ok && !now.Before(until) {
		delete(f.until, primary)
		return false
	}
	return ok
}

// trip starts a cool-down for primary.
func (f *failover) trip(primary string, until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.until == nil {
		f.until = make(map[string]time.Time)
	}
	f.until[primary] = until
}

// withHost returns u with the scheme and host of base.
func withHost(u *url.URL, base *url.URL) *url.URL {
	out := *u
	out.Scheme, out.Host = base.Scheme, base.Host
	return &out
}
