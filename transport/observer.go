package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// Observer receives what a Transport knows about its calls and nobody else can see: each
// call's operation, outcome, attempts and hosts; each attempt's host, status, duration and
// Request-ID; each retry, failover, verification failure, rate-limit wait and certificate
// download. Set it as Config.Observer to feed metrics or traces (module otelwxpay turns it
// into OpenTelemetry); the core imports no telemetry library.
//
// Every field is optional, and a nil Observer or nil field costs nothing. The funcs are
// called synchronously on the calling goroutine, concurrently for concurrent calls: they must
// be safe for concurrent use, return quickly and not panic. What they receive holds no key
// material, signature or plaintext; errors are the ones RoundTrip would return.
//
// A call is one RoundTrip that passed the checks made before any I/O (openapi.yaml, the
// keys); requests rejected by those checks are not reported. Certificate downloads are
// reported whether a call or the background refresh made them.
type Observer struct {
	// CallStart is called before a call's first attempt (and its first rate-limit wait).
	// The context it returns, when not nil, is the one the call's attempts are sent with and
	// the one the other funcs receive for this call, so it may carry a span.
	CallStart func(ctx context.Context, call CallStart) context.Context
	// CallDone is called once per call, when RoundTrip is about to return.
	CallDone func(ctx context.Context, call CallDone)
	// AttemptStart is called before each attempt is signed and sent; the context it returns,
	// when not nil, is the one that attempt's request carries.
	AttemptStart func(ctx context.Context, attempt AttemptStart) context.Context
	// AttemptDone is called after each attempt, answered or not.
	AttemptDone func(ctx context.Context, attempt AttemptDone)
	// Retry is called when an attempt failed and another follows after Wait.
	Retry func(ctx context.Context, retry Retry)
	// Failover is called when a call's primary host failed and requests move to the backup
	// host for the failover cool-down.
	Failover func(ctx context.Context, failover Failover)
	// VerificationFailure is called when a 2xx answer fails verification (its body is discarded).
	VerificationFailure func(ctx context.Context, failure VerificationFailure)
	// RateLimitWait is called after each wait for the rate limit, however short.
	RateLimitWait func(ctx context.Context, wait RateLimitWait)
	// CertificateDownload is called after each download of the platform certificates.
	CertificateDownload func(ctx context.Context, download CertificateDownload)
}

// CallStart describes a call about to make its first attempt.
type CallStart struct {
	Operation string // operationId in openapi.yaml, e.g. "QueryAccountBalance"
	Method    string // HTTP method
	Host      string // the host the request names
}

// CallDone describes a finished call.
type CallDone struct {
	Operation string
	Method    string
	// Status is the last answer's HTTP status; 0 when the last attempt got none.
	Status int
	// Code is WeChat Pay's error code in the last answer, when it was not 2xx: unverified
	// text, so quoted, escaped and cut (MaxEchoedText) unless it is a plain short token.
	Code       string
	Attempts   int           // attempts made; 0 when the call ended waiting for the rate limit
	Hosts      []string      // the host of each attempt, in order; the call's own copy
	Duration   time.Duration // from CallStart to now: rate-limit waits and backoff included
	Err        error         // the error RoundTrip returns; nil when it returns an answer, 2xx or not
	ErrorClass string        // ClassifyError(Err)
}

// AttemptStart describes an attempt about to be signed and sent.
type AttemptStart struct {
	Operation string
	Method    string
	Attempt   int    // 1-based
	Host      string // where this attempt goes: the primary or the backup host
	URL       string // scheme, host and path, without the query (which may hold ciphertext)
}

// AttemptDone describes one attempt's outcome.
type AttemptDone struct {
	Operation string
	Method    string
	Attempt   int
	Host      string
	URL       string        // as in AttemptStart
	Status    int           // the answer's HTTP status; 0 when there was none
	RequestID string        // the answer's Request-ID, for WeChat Pay support; "" when none; quoted and cut unless a plain short token
	Duration  time.Duration // signing, sending, reading and verifying
	// Err is why the attempt failed: no answer, an unreadable body or a failed verification.
	// A non-2xx answer is not an error here (see Status).
	Err        error
	ErrorClass string // ClassifyError(Err)
}

// Retry describes a retry about to wait.
type Retry struct {
	Operation  string
	Attempt    int    // the attempt that failed
	Host       string // where it went
	Cause      error  // why: the attempt's error, or an *APIError for a 429 or 5xx answer
	CauseClass string // ClassifyError(Cause)
	Wait       time.Duration
}

// Failover describes requests for a primary host moving to the backup host.
type Failover struct {
	Operation string
	From, To  string // hosts
	Cooldown  time.Duration
}

// VerificationFailure describes a 2xx answer that failed verification.
type VerificationFailure struct {
	Operation string
	Host      string
	Status    int
	Reason    Reason // the check that failed
	RequestID string
	Err       *VerificationError
}

// RateLimitWait describes one wait for the rate limit.
type RateLimitWait struct {
	Operation string
	Key       string // the Limiter key: operation and the keyed parameter's value (a merchant ID)
	Limit     RateLimit
	Wait      time.Duration
	Err       error // non-nil when the wait failed (the context ended or its deadline was too near)
}

// CertificateDownload describes one download of the platform certificates.
type CertificateDownload struct {
	Host         string
	Duration     time.Duration
	Certificates int // certificates received and verified; 0 on error
	Err          error
	ErrorClass   string
}

// ClassifyError names the kind of failure err is, for an error.type attribute or a metric
// label: "" for nil, "canceled", "timeout", "dns", "connection", "tls", "verification",
// "input", "config", "redirect", "api" (an *APIError: a non-2xx answer, after retries),
// or "other". It looks through wrapping (*RetryError included) with errors.As.
func ClassifyError(err error) string {
	if err == nil {
		return ""
	}
	var (
		ve  *VerificationError
		ie  *InputError
		ce  *ConfigError
		ke  *KeyError
		ae  *APIError
		dns *net.DNSError
		op  *net.OpError
		ne  net.Error
		cv  *tls.CertificateVerificationError
		rh  tls.RecordHeaderError
		ua  x509.UnknownAuthorityError
		ci  x509.CertificateInvalidError
		hn  x509.HostnameError
	)
	switch {
	case errors.As(err, &ve):
		return "verification"
	case errors.As(err, &ie):
		return "input"
	case errors.As(err, &ce), errors.As(err, &ke):
		return "config"
	case errors.Is(err, ErrRedirect):
		return "redirect"
	case errors.As(err, &ae):
		return "api"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, http.ErrHandlerTimeout), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &dns):
		return "dns"
	case errors.As(err, &cv), errors.As(err, &rh), errors.As(err, &ua), errors.As(err, &ci), errors.As(err, &hn):
		return "tls"
	case errors.As(err, &op):
		return "connection"
	}
	return "other"
}

// callObserver follows one call for an Observer; a nil *callObserver (no Observer set) is
// never called: every call site checks.
type callObserver struct {
	o         *Observer
	ctx       context.Context // the context CallStart returned
	operation string
	method    string
	start     time.Time
	attempts  int
	hosts     []string
	status    int    // the last attempt's HTTP status
	code      string // the last non-2xx answer's WeChat Pay code
}

// observeCall starts following a call for t's Observer, which must be set.
func (t *Transport) observeCall(ctx context.Context, operation string, req *http.Request) *callObserver {
	o := t.observer
	c := &callObserver{o: o, ctx: ctx, operation: operation, method: req.Method, start: time.Now()}
	if o.CallStart != nil {
		if nctx := o.CallStart(ctx, CallStart{Operation: operation, Method: req.Method, Host: req.URL.Host}); nctx != nil {
			c.ctx = nctx
		}
	}
	return c
}

// rateLimitWait reports a wait for the rate limit that began at start.
func (c *callObserver) rateLimitWait(key string, limit RateLimit, start time.Time, err error) {
	if c.o.RateLimitWait != nil {
		c.o.RateLimitWait(c.ctx, RateLimitWait{Operation: c.operation, Key: key, Limit: limit, Wait: time.Since(start), Err: err})
	}
}

// observed is RoundTrip's last step, do, followed by an Observer.
func (t *Transport) observed(req *http.Request, c *call, body []byte, serial string) (*http.Response, error) {
	obs := t.observeCall(req.Context(), c.op.id, req)
	resp, err := t.do(req, c, body, serial, obs)
	obs.done(err)
	return resp, err
}

// attemptStart reports an attempt to target and returns the context to send it with.
func (c *callObserver) attemptStart(target *url.URL) context.Context {
	c.attempts++
	c.hosts = append(c.hosts, target.Host)
	if c.o.AttemptStart != nil {
		if ctx := c.o.AttemptStart(c.ctx, AttemptStart{Operation: c.operation, Method: c.method, Attempt: c.attempts, Host: target.Host, URL: attemptURL(target)}); ctx != nil {
			return ctx
		}
	}
	return c.ctx
}

// attemptDone reports an attempt's outcome: resp (nil without an answer) and body, or err.
func (c *callObserver) attemptDone(ctx context.Context, target *url.URL, resp *http.Response, body []byte, start time.Time, err error) {
	c.status, c.code = 0, ""
	var requestID string
	if resp != nil {
		c.status, requestID = resp.StatusCode, echoToken(resp.Header.Get(protocol.HeaderRequestID))
		if (resp.StatusCode < 200 || resp.StatusCode > 299) && err == nil {
			c.code = echoToken(NewAPIError(resp.StatusCode, resp.Header, body).Code)
		}
	}
	if ve, ok := verificationError(err); ok {
		if requestID == "" {
			requestID = echoToken(ve.RequestID)
		}
		if c.o.VerificationFailure != nil {
			c.o.VerificationFailure(ctx, VerificationFailure{Operation: c.operation, Host: target.Host, Status: c.status, Reason: ve.Reason, RequestID: requestID, Err: ve})
		}
	}
	if c.o.AttemptDone != nil {
		c.o.AttemptDone(ctx, AttemptDone{Operation: c.operation, Method: c.method, Attempt: c.attempts, Host: target.Host, URL: attemptURL(target),
			Status: c.status, RequestID: requestID, Duration: time.Since(start), Err: err, ErrorClass: ClassifyError(err)})
	}
}

// verificationError returns err as a *VerificationError, if it is one (without allocating for nil).
func verificationError(err error) (*VerificationError, bool) {
	if err == nil {
		return nil, false
	}
	var ve *VerificationError
	ok := errors.As(err, &ve)
	return ve, ok
}

// retry reports a retry after the attempt to host failed with cause.
func (c *callObserver) retry(host string, cause error, wait time.Duration) {
	if c.o.Retry != nil {
		c.o.Retry(c.ctx, Retry{Operation: c.operation, Attempt: c.attempts, Host: host, Cause: cause, CauseClass: ClassifyError(cause), Wait: wait})
	}
}

// failover reports requests moving from one host to another.
func (c *callObserver) failover(from, to string, cooldown time.Duration) {
	if c.o.Failover != nil {
		c.o.Failover(c.ctx, Failover{Operation: c.operation, From: from, To: to, Cooldown: cooldown})
	}
}

// done reports the call's end with what RoundTrip returns.
func (c *callObserver) done(err error) {
	if c.o.CallDone == nil {
		return
	}
	var ae *APIError
	if c.status == 0 && errors.As(err, &ae) {
		c.status, c.code = ae.StatusCode, echoToken(ae.Code)
	}
	c.o.CallDone(c.ctx, CallDone{Operation: c.operation, Method: c.method, Status: c.status, Code: c.code, Attempts: c.attempts,
		Hosts: c.hosts, Duration: time.Since(c.start), Err: err, ErrorClass: ClassifyError(err)})
}

// attemptURL is u's scheme, host and path: what an attempt's span may show.
func attemptURL(u *url.URL) string {
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// observeDownload reports a certificate download from host that began at start.
func (t *Transport) observeDownload(ctx context.Context, host string, start time.Time, n int, err error) {
	if o := t.observer; o != nil && o.CertificateDownload != nil {
		o.CertificateDownload(ctx, CertificateDownload{Host: host, Duration: time.Since(start), Certificates: n, Err: err, ErrorClass: ClassifyError(err)})
	}
}
