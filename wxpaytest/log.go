package wxpaytest

import (
	"net/url"
	"sync"
	"time"
)

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
	// after decryption) has been seen, 1-based: a client's retry has Attempt 2.
	Attempt    int
	Status     int    // the HTTP status answered; 0 when the connection was dropped
	Code       string // the WeChat Pay error code answered, "" for a 2xx
	SignedWith string // the Wechatpay-Serial the answer named
	RequestID  string // the Request-ID answered
	Fault      string // the fault applied (Fault.String), "" for none
}

// requestLog records requests and counts repeats; safe for concurrent use.
type requestLog struct {
	mu       sync.Mutex
	list     []Request
	attempts map[string]int
}

// add counts one more request under key, sets its attempt number and appends it to the log.
func (l *requestLog) add(key string, r *Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.attempts == nil {
		l.attempts = make(map[string]int)
	}
	l.attempts[key]++
	r.Attempt = l.attempts[key]
	l.list = append(l.list, *r)
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]Request, len(s.log.list))
	copy(out, s.log.list)
	return out
}

// ResetRequests empties the request log and forgets attempt counts.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.list = nil
	s.log.attempts = nil
}
