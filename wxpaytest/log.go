package wxpaytest

import (
	"crypto/sha256"
	"net/url"
	"sync"
	"time"
)

// DefaultRequestLogSize is how many requests the request log keeps unless WithRequestLogSize
// says otherwise: the newest ones, the oldest being dropped (and counted by DroppedRequests).
const DefaultRequestLogSize = 1000

// Request is one request the server received, as recorded in its request log.
type Request struct {
	Operation string     // operationId, "" when the request matched no operation
	Time      time.Time  // when the request arrived
	Method    string     // HTTP method
	Path      string     // the path as received (escaped)
	RawQuery  string     // the query as received, encrypted fields still encrypted
	Query     url.Values // the query parameters, encrypted fields decrypted (once the request got that far)
	// Decrypted holds the plaintext of each field marked x-wechatpay-encrypted, by name.
	Decrypted map[string]string
	// Attempt counts how many times this same request (operation, path and parameters,
	// after decryption) has been seen in a row, 1-based: a client's retry has Attempt 2.
	// An answer no client retries (a status below 500 other than 429) ends the series, so
	// the same query sent again later, by another run of a program, has Attempt 1. The
	// count also restarts once the log holds no request with the same key.
	Attempt    int
	Status     int    // the HTTP status answered; 0 when the connection was dropped
	Code       string // the WeChat Pay error code answered, "" for a 2xx
	SignedWith string // the Wechatpay-Serial the answer named
	RequestID  string // the Request-ID answered
	Fault      string // the fault applied (Fault.String), "" for none
}

// requestLog keeps the newest size requests in a ring and counts repeats; safe for
// concurrent use. Its memory is bounded by size: attempt counts are kept only for keys
// the ring still holds, under a digest of the key (a key can be as long as a query).
type requestLog struct {
	mu       sync.Mutex
	size     int
	ring     []logEntry // grows to size, then wraps; ring[next] is the oldest once full
	next     int
	seq      uint64 // requests added so far
	dropped  int
	attempts map[logKey]attemptCount
}

type logKey [sha256.Size]byte

type logEntry struct {
	req Request
	key logKey
	seq uint64
}

type attemptCount struct {
	n    int    // requests seen with this key
	last uint64 // seq of the newest, so dropping an older one leaves the count alone
}

func newRequestLog(size int) *requestLog {
	return &requestLog{size: max(size, 0), attempts: make(map[logKey]attemptCount)}
}

// add counts one more request under key, sets its attempt number and appends it to the
// log, dropping the oldest request when the log is full.
func (l *requestLog) add(key string, r *Request) {
	k := logKey(sha256.Sum256([]byte(key)))
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	c := l.attempts[k]
	c.n++
	c.last = l.seq
	r.Attempt = c.n
	if l.size == 0 {
		l.dropped++
		return
	}
	if final(r.Status) {
		delete(l.attempts, k) // the series ended: the next one is a new request
	} else {
		l.attempts[k] = c
	}
	e := logEntry{req: *r, key: k, seq: l.seq}
	if len(l.ring) < l.size {
		l.ring = append(l.ring, e)
		return
	}
	old := l.ring[l.next]
	if a, ok := l.attempts[old.key]; ok && a.last == old.seq {
		delete(l.attempts, old.key) // no request with this key is left in the log
	}
	l.ring[l.next] = e
	l.next = (l.next + 1) % l.size
	l.dropped++
}

// Requests returns a copy of the request log, oldest first: the newest requests, at most
// the log's size (DefaultRequestLogSize unless WithRequestLogSize was given).
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]Request, 0, len(s.log.ring))
	for _, e := range s.log.ring[s.log.next:] {
		out = append(out, e.req)
	}
	for _, e := range s.log.ring[:s.log.next] {
		out = append(out, e.req)
	}
	return out
}

// DroppedRequests returns how many requests the request log has dropped, oldest first, to
// stay within its size since the server started or ResetRequests was last called.
func (s *Server) DroppedRequests() int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.dropped
}

// ResetRequests empties the request log, forgets attempt counts and zeroes DroppedRequests.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.ring = nil
	s.log.next = 0
	s.log.dropped = 0
	s.log.attempts = make(map[logKey]attemptCount)
}

// final reports whether a client's retry policy stops at status: every answer but a 429,
// a 5xx or none at all (a dropped connection, or a client that gave up).
func final(status int) bool {
	return status != 0 && status != 429 && status < 500
}
