package wxpaytest

import (
	"net/http"
	"time"
)

// The HTTP server's defaults, so that a long-running server (wxpay mock, shared by other
// teams for hours) cannot be held open by connections that never finish their headers,
// by idle keep-alive connections or by huge headers.
const (
	// DefaultReadHeaderTimeout is how long a connection may take to send a request's
	// headers, and then its body (if any); a connection that has not by then is closed.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultIdleTimeout is how long a keep-alive connection may wait for its next request.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxHeaderBytes bounds a request's line and headers; beyond it the server answers
	// 431 Request Header Fields Too Large.
	DefaultMaxHeaderBytes = 64 << 10
)

// limits are the bounds on the server's memory and connections.
type limits struct {
	logSize           int
	logSizeSet        bool
	readHeaderTimeout time.Duration
	idleTimeout       time.Duration
	maxHeaderBytes    int
}

// WithRequestLogSize makes the request log keep the newest n requests instead of
// DefaultRequestLogSize; older ones are dropped and counted by DroppedRequests. n of 0 or
// less keeps none.
func WithRequestLogSize(n int) Option {
	return func(o *options) { o.limits.logSize, o.limits.logSizeSet = n, true }
}

// WithReadHeaderTimeout closes a connection that has not sent a request's headers (or then its body) within d
// instead of DefaultReadHeaderTimeout; d must be positive (0 or less keeps the default).
func WithReadHeaderTimeout(d time.Duration) Option {
	return func(o *options) { o.limits.readHeaderTimeout = d }
}

// WithIdleTimeout closes a keep-alive connection idle for d instead of DefaultIdleTimeout;
// d must be positive (0 or less keeps the default).
func WithIdleTimeout(d time.Duration) Option {
	return func(o *options) { o.limits.idleTimeout = d }
}

// WithMaxHeaderBytes bounds a request's line and headers to n bytes instead of
// DefaultMaxHeaderBytes; n must be positive (0 or less keeps the default).
func WithMaxHeaderBytes(n int) Option {
	return func(o *options) { o.limits.maxHeaderBytes = n }
}

// requestLogSize is the request log's size.
func (l limits) requestLogSize() int {
	if !l.logSizeSet {
		return DefaultRequestLogSize
	}
	return max(l.logSize, 0)
}

// apply sets the limits (or their defaults) on hs.
func (l limits) apply(hs *http.Server) {
	hs.ReadHeaderTimeout = positiveOr(l.readHeaderTimeout, DefaultReadHeaderTimeout)
	hs.IdleTimeout = positiveOr(l.idleTimeout, DefaultIdleTimeout)
	hs.MaxHeaderBytes = positiveOr(l.maxHeaderBytes, DefaultMaxHeaderBytes)
}

func positiveOr[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// readBodyInTime reads the request body (readBody) within the read-header timeout from
// now: a client that sends its headers and then drips its body is cut off like one that
// drips its headers, instead of holding the connection and a goroutine for ever.
func (s *Server) readBodyInTime(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(s.hs.Config.ReadHeaderTimeout)) != nil {
		return readBody(r) // not served by net/http's server (mounted elsewhere, say)
	}
	body, err := readBody(r)
	if err != nil {
		// Keep the deadline: net/http drains an unread body before answering, and the
		// connection is closed after the answer.
		w.Header().Set("Connection", "close")
		return nil, err
	}
	_ = rc.SetReadDeadline(time.Time{})
	return body, nil
}
