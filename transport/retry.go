package transport

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// DefaultMaxAttempts is how many attempts a request gets when Config.MaxAttempts is 0.
const DefaultMaxAttempts = 3

// maxRetryAfter is the longest Retry-After honoured; a longer one ends the retries.
const maxRetryAfter = time.Minute

// DefaultBackoff is exponential backoff with full jitter: a random wait in
// [0, min(5s, 200ms·2^(attempt-1))] before the attempt after attempt number attempt
// (an attempt number below 1 counts as 1).
func DefaultBackoff(attempt int) time.Duration {
	ceil := 200 * time.Millisecond << min(max(attempt-1, 0), 5)
	return rand.N(min(ceil, 5*time.Second) + 1)
}

// outcome is what one attempt's result means for the next.
type outcome struct {
	retry    bool // another attempt may succeed
	failover bool // and it should go to the other host
	cause    error
}

// classify decides whether an attempt is retried: network errors and timeouts (for an
// idempotent method, or when no connection was made) — an answer whose body broke off
// included — 5xx and 429; never other 4xx, never another verification error or an input
// error, never once the caller's context has ended.
func classify(ctx context.Context, method string, resp *http.Response, body []byte, err error) outcome {
	if ctx.Err() != nil {
		return outcome{cause: err}
	}
	if err != nil {
		var ve *VerificationError
		var ie *InputError
		if (errors.As(err, &ve) && ve.Reason != ReasonBodyRead) || errors.As(err, &ie) {
			return outcome{cause: err} // a body that broke off is a network failure, retried below
		}
		if idempotent(method) || neverConnected(err) {
			return outcome{retry: true, failover: true, cause: err}
		}
		return outcome{cause: err}
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return outcome{retry: true, cause: NewAPIError(resp.StatusCode, resp.Header, body)}
	case retryableStatus(resp.StatusCode) && idempotent(method):
		return outcome{retry: true, failover: true, cause: NewAPIError(resp.StatusCode, resp.Header, body)}
	}
	return outcome{}
}

// retryableStatus reports whether an answer with this status may succeed when retried:
// 429, and 5xx except 501 Not Implemented.
func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || (status >= 500 && status != http.StatusNotImplemented)
}

func idempotent(method string) bool { return method == http.MethodGet || method == http.MethodHead }

// neverConnected reports whether err shows the request never reached a server.
func neverConnected(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return (errors.As(err, &op) && op.Op == "dial") || errors.As(err, &dns)
}

// retryAfter reads a Retry-After header (seconds or HTTP date); ok is false when absent.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	// Seconds, capped so that a huge value stays huge instead of overflowing into a
	// negative (or no) wait; ParseInt returns MaxInt64 with ErrRange past int64.
	if secs, err := strconv.ParseInt(v, 10, 64); (err == nil || errors.Is(err, strconv.ErrRange)) && secs >= 0 {
		return time.Duration(min(secs, int64(math.MaxInt64/time.Second))) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
