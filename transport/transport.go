// Package transport signs WeChat Pay APIv3 requests and verifies WeChat Pay's answers.
//
// A *Transport is an http.RoundTripper: put it in an http.Client and pass that to the
// generated client (generated.WithHTTPClient). Every request is checked against the
// embedded openapi.yaml, rate-limited as the spec says, signed afresh for each attempt
// (WECHATPAY2-SHA256-RSA2048) and sent with Wechatpay-Serial; failed attempts are retried
// with backoff and fail over to the backup host; every 2xx answer is verified —
// signature, serial, timestamp, schema — before the caller sees a byte of it.
//
// Non-2xx answers are returned as responses, as the http.RoundTripper contract requires
// (wxpay.Result and NewAPIError turn them into errors). RoundTrip returns an error only
// when there is no answer, when a 2xx answer fails verification, or when retries are
// exhausted (*RetryError, wrapping the last cause).
//
// The protocol itself is pure functions over bytes in package protocol (RequestMessage,
// Sign, Authorization, ResponseMessage, EncryptOAEP, DecryptAEAD, the header names);
// VerifyResponse checks an answer with them and reports a *VerificationError.
package transport

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"time"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// Version is this library's version, sent in the User-Agent header.
const Version = "0.1.0"

// userAgent is the User-Agent every Transport sends (after the caller's own, if any).
var userAgent = "wxpay-go/" + Version + " (+https://github.com/wxpay-oapi/wxpay) " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH

// Transport is an http.RoundTripper that signs requests and verifies answers for WeChat Pay
// APIv3. It is safe for concurrent use. Create it with New.
type Transport struct {
	mchID     string
	serialNo  string
	signer    crypto.Signer
	keys      *keyring
	sealed    *sealedCache // which key encrypted which ciphertext
	base      http.RoundTripper
	log       *slog.Logger
	maxBody   int64
	ops       *operations
	userAgent string

	maxAttempts    int
	attemptTimeout time.Duration
	backoff        func(int) time.Duration
	backupURL      *url.URL // explicit Config.BackupURL, or nil
	cooldown       time.Duration
	failover       failover
	limiter        Limiter
	rateRules      map[*operation]*rateRule
	observer       *Observer     // Config.Observer; nil: nothing observed
	certs          *certificates // platform-certificate download; nil when Config.APIv3Key is unset

	now    func() time.Time // the clock; time.Now outside tests
	random io.Reader        // randomness for nonces and OAEP; crypto/rand outside tests
}

// New checks cfg and returns a Transport for it, or a *ConfigError naming the field to fix.
func New(cfg Config) (*Transport, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return newTransport(cfg, cmp(cfg.CertificateRefresh, DefaultCertificateRefresh))
}

// newTransport builds a Transport from a validated cfg, refreshing platform certificates
// every refresh (tests use periods below MinCertificateRefresh).
func newTransport(cfg Config, refresh time.Duration) (*Transport, error) {
	ops, err := sharedOperations()
	if err != nil {
		return nil, err
	}
	t := &Transport{
		mchID:          cfg.MchID,
		serialNo:       cfg.CertificateSerialNo,
		signer:         cfg.Signer,
		keys:           newKeyring(cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.PlatformCertificates),
		sealed:         &sealedCache{},
		base:           cmp(cfg.Base, http.DefaultTransport),
		log:            cfg.Logger,
		maxBody:        min(cmp(cfg.MaxResponseBytes, defaultMaxResponseBytes), math.MaxInt64-1), // reads stop at maxBody+1
		ops:            ops,
		userAgent:      userAgent,
		maxAttempts:    cmp(cfg.MaxAttempts, DefaultMaxAttempts),
		attemptTimeout: cfg.AttemptTimeout,
		backoff:        cfg.Backoff,
		cooldown:       cmp(cfg.FailoverCooldown, DefaultFailoverCooldown),
		limiter:        cmp[Limiter](cfg.Limiter, NewLocalLimiter()),
		observer:       cfg.Observer,
		now:            time.Now,
		random:         rand.Reader,
	}
	if t.signer == nil {
		cfg.PrivateKey.Precompute()
		t.signer = cfg.PrivateKey
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if t.backoff == nil {
		t.backoff = DefaultBackoff
	}
	if cfg.BackupURL != "" {
		t.backupURL, _ = url.Parse(cfg.BackupURL) // validated above
	}
	if t.rateRules, err = ops.rateRules(cfg.RateLimits); err != nil {
		return nil, err
	}
	if !cfg.APIv3Key.IsZero() {
		t.certs = newCertificates(t, cfg.APIv3Key, refresh)
	}
	return t, nil
}

// Close stops the background platform-certificate refresh, if any; the Transport still
// works afterwards, downloading only when an answer names an unknown serial.
func (t *Transport) Close() error {
	if t.certs != nil {
		t.certs.close()
	}
	return nil
}

// RefreshCertificates downloads the platform certificates now, from the host requests last
// went to (else openapi.yaml's primary server). It needs Config.APIv3Key. Call it at start-up
// to check the setup, or before Encrypt when APIv3Key is the only key configured.
func (t *Transport) RefreshCertificates(ctx context.Context) error {
	if t.certs == nil {
		return &ConfigError{Field: "APIv3Key", Reason: "not set, so platform certificates are not downloaded"}
	}
	return t.certs.refresh(ctx, nil, true)
}

// cmp returns v, or def when v is the zero value.
func cmp[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Encrypt encrypts a sensitive field (one marked x-wechatpay-encrypted in openapi.yaml) with
// the WeChat Pay key this Transport prefers; the request carrying the ciphertext names that
// same key in Wechatpay-Serial, even if the preferred key changes in between.
func (t *Transport) Encrypt(plaintext string) (string, error) {
	key, ok := t.keys.preferred(t.now())
	if !ok {
		if t.certs != nil {
			return "", errors.New("transport: no WeChat Pay key yet to encrypt with: call RefreshCertificates (or make any request) first to download the platform certificates")
		}
		return "", errNoValidKey
	}
	ct, err := protocol.EncryptOAEP(t.random, key.pub, plaintext)
	if err != nil {
		return "", err
	}
	t.sealed.put(ct, key.serial)
	return ct, nil
}

var errNoValidKey = errors.New("transport: no valid WeChat Pay key: configure WechatPayPublicKey, or a platform certificate that has not expired")

// RoundTrip checks req against openapi.yaml, then signs and sends it — retrying and
// failing over as configured — and verifies a 2xx answer before returning it. It never
// modifies req, and always closes req.Body.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	body, err := readAll(req)
	if err != nil {
		return nil, err
	}
	if req.Response != nil { // http.Client is following a redirect
		return nil, redirectError(req)
	}
	c, err := t.ops.check(req)
	if err != nil {
		return nil, err
	}
	if err := c.checkBody(req, body); err != nil {
		return nil, err
	}
	encrypted := c.encrypted()
	if t.certs != nil {
		t.certs.useHost(req.URL)
	}
	key, err := t.keyFor(req, c, encrypted)
	if err == errNoValidKey && t.certs != nil { // bootstrapping: no key yet, download one
		// Whether this call downloaded or a concurrent one did, look again.
		rerr := t.certs.refresh(req.Context(), req.URL, false)
		if rerr == nil || rerr == errTooSoon {
			key, err = t.keyFor(req, c, encrypted)
		} else { // this download failed, or the one a moment ago did
			err = rerr
		}
	}
	if err != nil {
		return nil, err
	}
	if err := c.checkEncrypted(encrypted, key.pub.Size()); err != nil {
		return nil, err
	}
	if t.observer != nil {
		return t.observed(req, c, body, key.serial)
	}
	return t.do(req, c, body, key.serial, nil)
}

// do runs the attempts: wait for the rate limit, sign, send, verify; on a retryable
// outcome back off (never past the context's deadline) and try again, on the backup host
// when the primary failed. obs, when not nil, is told what happens.
func (t *Transport) do(req *http.Request, c *call, body []byte, serial string, obs *callObserver) (*http.Response, error) {
	ctx, op := req.Context(), c.op
	if obs != nil {
		ctx = obs.ctx
	}
	rule, limitKey := t.rateRules[op], ""
	if rule != nil {
		limitKey = rule.key(c)
	}
	primary, backup := req.URL, t.backupFor(req.URL)
	onBackup := backup != nil && t.failover.cooling(primary.Host, t.now())
	var hostsBuf [4]string // on the stack: finish copies it into a RetryError
	hosts := hostsBuf[:0]
	// The last attempt's outcome: when the caller gives up while a retry waits (for the
	// backoff or the rate limit), it is what the caller gets, with the context's error.
	var (
		resp *http.Response
		err  error
		out  outcome
	)
	cancelled := func(attempts int, why error) (*http.Response, error) {
		if attempts == 0 {
			return nil, why
		}
		out.cause = fmt.Errorf("%w (then %w)", out.cause, why)
		if err != nil {
			err = out.cause
		}
		return finish(attempts, hosts, resp, err, out)
	}
	for attempt := 1; ; attempt++ {
		if rule != nil {
			var waitStart time.Time
			if obs != nil {
				waitStart = time.Now()
			}
			werr := t.limiter.Wait(ctx, limitKey, rule.limit)
			if obs != nil {
				obs.rateLimitWait(limitKey, rule.limit, waitStart, werr)
			}
			if werr != nil {
				return cancelled(attempt-1, fmt.Errorf("transport: waiting for the rate limit of %s: %w", op.id, werr))
			}
		}
		target := primary
		if onBackup {
			target = withHost(primary, backup)
		}
		hosts = append(hosts, target.Host)
		var respBody []byte
		actx := ctx
		if obs != nil {
			actx = obs.attemptStart(target)
		}
		resp, respBody, err = t.attempt(actx, req, target, c, body, serial, obs)
		out = classify(ctx, req.Method, resp, respBody, err)
		if !out.retry || attempt >= t.maxAttempts {
			return finish(attempt, hosts, resp, err, out)
		}
		wait := t.backoff(attempt)
		if ra, ok := retryAfter(resp, t.now()); ok {
			if ra > maxRetryAfter {
				return finish(attempt, hosts, resp, err, out)
			}
			wait = max(wait, ra)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return finish(attempt, hosts, resp, err, out) // the next attempt could not start in time
		}
		t.log.LogAttrs(ctx, slog.LevelWarn, "wxpay retry", slog.String("operation", op.id), slog.Int("attempt", attempt),
			slog.String("host", target.Host), slog.String("cause", out.cause.Error()), slog.Duration("wait", wait))
		if obs != nil {
			obs.retry(target.Host, out.cause, wait)
		}
		if out.failover && backup != nil {
			if !onBackup {
				t.failover.trip(primary.Host, t.now().Add(t.cooldown))
				t.log.LogAttrs(ctx, slog.LevelWarn, "wxpay failover", slog.String("operation", op.id),
					slog.String("from", primary.Host), slog.String("to", backup.Host), slog.Duration("cooldown", t.cooldown))
				if obs != nil {
					obs.failover(primary.Host, backup.Host, t.cooldown)
				}
			}
			onBackup = !onBackup
		}
		if serr := sleep(ctx, wait); serr != nil {
			return cancelled(attempt, fmt.Errorf("transport: waiting to retry: %w", serr))
		}
	}
}

// finish ends the attempts with the last one's outcome: a lone answer, 2xx or not, goes
// back as a response (the http.RoundTripper contract), as does a final answer that needs no
// retry; after retries, or without an answer, the error is the last cause.
func finish(attempt int, hosts []string, resp *http.Response, err error, out outcome) (*http.Response, error) {
	switch {
	case err == nil && (attempt == 1 || !out.retry):
		return resp, nil
	case attempt == 1:
		return nil, err
	}
	return nil, &RetryError{Attempts: attempt, Hosts: slices.Clone(hosts), Err: out.cause}
}

// attempt signs and sends one attempt to target and reads the answer's body (bounded),
// verifying a 2xx answer. The response's Request is the request sent, so its URL tells
// which host answered. obs, when not nil, is told the outcome.
func (t *Transport) attempt(ctx context.Context, req *http.Request, target *url.URL, c *call, body []byte, serial string, obs *callObserver) (*http.Response, []byte, error) {
	op := c.op
	var own context.Context // the context the attempt's request carries when it is not req's
	if obs != nil {
		own = ctx
	}
	if t.attemptTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.attemptTimeout)
		own = ctx
		defer cancel()
	}
	start := time.Now()
	out, err := t.sign(req, target, body, serial, t.now())
	if err != nil {
		if obs != nil {
			obs.attemptDone(ctx, target, nil, nil, start, err)
		}
		return nil, nil, err
	}
	if own != nil {
		out = out.WithContext(own)
	}
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		if obs != nil {
			obs.attemptDone(ctx, target, nil, nil, start, err)
		}
		return nil, nil, err
	}
	if err := checkAnswer(t.base, resp, target.Host); err != nil {
		if obs != nil {
			obs.attemptDone(ctx, target, nil, nil, start, err)
		}
		return nil, nil, err
	}
	resp.Request = out
	respBody, err := readBody(ctx, resp, t.maxBody)
	if err != nil {
		err = bodyReadError(resp, err)
	} else {
		err = t.verify(c, out, resp, respBody)
	}
	if t.log.Enabled(ctx, slog.LevelDebug) { // the attributes cost a header lookup and a clock read
		t.log.LogAttrs(ctx, slog.LevelDebug, "wxpay request", slog.String("operation", op.id), slog.String("host", target.Host),
			slog.Int("status", resp.StatusCode), slog.String("request_id", echoToken(resp.Header.Get(protocol.HeaderRequestID))),
			slog.Duration("elapsed", time.Since(start)), slog.Bool("verified", err == nil))
	}
	if obs != nil {
		obs.attemptDone(ctx, target, resp, respBody, start, err)
	}
	if err != nil {
		return nil, nil, err
	}
	if int64(len(respBody)) > t.maxBody {
		respBody = respBody[:t.maxBody] // a non-2xx answer is handed on truncated
	}
	resp.Body = newBodyReader(respBody)
	resp.ContentLength = int64(len(respBody))
	return resp, respBody, nil
}

// bodyReadError reports an answer whose body broke off: a *VerificationError
// (ReasonBodyRead) for a 2xx answer, which cannot be verified, else the read error; both
// name the status and Request-ID, and wrap err, so the attempt is retried like a network error.
func bodyReadError(resp *http.Response, err error) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		ve := answerFailure(resp.Header, ReasonBodyRead, err.Error())
		ve.Err = err
		return ve
	}
	return fmt.Errorf("transport: reading the HTTP %d answer (Request-ID %s): %w", resp.StatusCode, echoToken(resp.Header.Get(protocol.HeaderRequestID)), err)
}

// sign returns the request an attempt sends to target: a copy of req, with req's context,
// carrying a fresh signature, Wechatpay-Serial, Accept and User-Agent.
func (t *Transport) sign(req *http.Request, target *url.URL, body []byte, serial string, now time.Time) (*http.Request, error) {
	nonce, err := protocol.NewNonce(t.random)
	if err != nil {
		return nil, err
	}
	ts := now.Unix()
	bp := getBuffer()
	msg := appendRequestMessage(*bp, req.Method, target, ts, nonce, body)
	sig, err := protocol.SignRaw(t.signer, msg)
	putBuffer(bp, msg)
	if err != nil {
		return nil, err
	}
	out := sendCopy(req, target)
	out.Header = t.sentHeader(req.Header, protocol.AuthorizationWithSignature(t.mchID, t.serialNo, nonce, ts, sig), serial)
	if body != nil {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.ContentLength = int64(len(body))
	}
	return out, nil
}

// verify checks a 2xx answer — size, signature, then schema; other answers pass through.
func (t *Transport) verify(c *call, req *http.Request, resp *http.Response, body []byte) error {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil
	}
	if int64(len(body)) > t.maxBody {
		return answerFailure(resp.Header, ReasonBodyTooLarge, fmt.Sprintf("more than %d bytes (Config.MaxResponseBytes)", t.maxBody))
	}
	now := t.now()
	if err := t.verifySignature(req, resp.Header, body, now); err != nil {
		return err
	}
	v, err := c.op.checkResponse(resp, body)
	if err == nil {
		err = c.checkEcho(resp.StatusCode, v)
	}
	return bodyCheckError(resp, err)
}

// backupFor returns the host an attempt fails over to from u, or nil for none.
func (t *Transport) backupFor(u *url.URL) *url.URL {
	if t.maxAttempts < 2 {
		return nil
	}
	if t.backupURL != nil {
		if u.Host == t.backupURL.Host {
			return nil
		}
		return t.backupURL
	}
	if t.ops.primary != nil && u.Host == t.ops.primary.Host {
		return t.ops.backup
	}
	return nil
}

// readAll reads and closes a request body; nil for a request without one.
func readAll(req *http.Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	defer req.Body.Close()
	if req.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("transport: reading the request body: %w", err)
	}
	return b, nil
}

// ErrRedirect is returned (wrapped) for a request http.Client makes to follow a redirect:
// WeChat Pay never redirects, and a signed request must never go where a 3xx points.
var ErrRedirect = errors.New("transport: refusing to follow a redirect: WeChat Pay APIv3 never redirects")

func redirectError(req *http.Request) error {
	from := "?"
	if r := req.Response; r.Request != nil && r.Request.URL != nil {
		from = r.Request.URL.Host
	}
	return fmt.Errorf("%w (HTTP %d from %s to %s); nothing was signed for it", ErrRedirect, req.Response.StatusCode, from, req.URL.Host)
}
