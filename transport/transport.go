// Package transport signs WeChat Pay APIv3 requests and verifies WeChat Pay's answers.
//
// A *Transport is an http.RoundTripper: put it in an http.Client and pass that to the
// generated client (generated.WithHTTPClient). Every request is checked against the
// embedded openapi.yaml, signed (WECHATPAY2-SHA256-RSA2048) and sent with
// Wechatpay-Serial; every 2xx answer is verified — signature, serial, timestamp, schema —
// before the caller sees a byte of it. Non-2xx answers are returned as responses, as the
// http.RoundTripper contract requires; wxpay.Result and NewAPIError turn them into errors.
//
// The protocol itself is pure functions over bytes, usable alone: RequestMessage, Sign,
// Authorization, ResponseMessage, VerifyResponse, EncryptOAEP.
package transport

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"time"
)

// Version is this library's version, sent in the User-Agent header.
const Version = "0.1.0"

// Transport is an http.RoundTripper that signs requests and verifies answers for WeChat Pay
// APIv3. It is safe for concurrent use. Create it with New.
type Transport struct {
	mchID     string
	serialNo  string
	signer    crypto.Signer
	keys      *keyring
	base      http.RoundTripper
	log       *slog.Logger
	maxBody   int64
	ops       *operations
	userAgent string

	now    func() time.Time // the clock; time.Now outside tests
	random io.Reader        // randomness for nonces and OAEP; crypto/rand outside tests
}

// New checks cfg and returns a Transport for it, or a *ConfigError naming the field to fix.
func New(cfg Config) (*Transport, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ops, err := loadOperations()
	if err != nil {
		return nil, err
	}
	t := &Transport{
		mchID:     cfg.MchID,
		serialNo:  cfg.CertificateSerialNo,
		signer:    cfg.Signer,
		keys:      newKeyring(cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.PlatformCertificates),
		base:      cfg.Base,
		log:       cfg.Logger,
		maxBody:   cfg.MaxResponseBytes,
		ops:       ops,
		userAgent: fmt.Sprintf("wxpay-go/%s (+https://github.com/wxpay-oapi/wxpay) %s %s/%s", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH),
		now:       time.Now,
		random:    rand.Reader,
	}
	if t.signer == nil {
		cfg.PrivateKey.Precompute()
		t.signer = cfg.PrivateKey
	}
	if t.base == nil {
		t.base = http.DefaultTransport
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if t.maxBody == 0 {
		t.maxBody = defaultMaxResponseBytes
	}
	return t, nil
}

// Encrypt encrypts a sensitive field (one marked x-wechatpay-encrypted in openapi.yaml) with
// the WeChat Pay key that this Transport names in Wechatpay-Serial.
func (t *Transport) Encrypt(plaintext string) (string, error) {
	key, ok := t.keys.preferred(t.now())
	if !ok {
		return "", fmt.Errorf("transport: no valid WeChat Pay key to encrypt with: every platform certificate has expired")
	}
	return EncryptOAEP(t.random, key.pub, plaintext)
}

// RoundTrip checks req against openapi.yaml, signs and sends it, and verifies a 2xx answer
// before returning it. It never modifies req, and always closes req.Body.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readAll(req)
	if err != nil {
		return nil, err
	}
	now := t.now()
	key, ok := t.keys.preferred(now)
	if !ok {
		return nil, fmt.Errorf("transport: no valid WeChat Pay key to name in Wechatpay-Serial: every platform certificate has expired")
	}
	op, err := t.ops.check(req, key.pub.Size())
	if err != nil {
		return nil, err
	}
	out, err := t.sign(req, body, key.serial, now)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		t.log.LogAttrs(req.Context(), slog.LevelWarn, "wxpay request failed",
			slog.String("operation", op.id), slog.String("host", req.URL.Host), slog.String("error", err.Error()))
		return nil, err
	}
	resp, err = t.verify(op, out, resp)
	t.log.LogAttrs(req.Context(), slog.LevelDebug, "wxpay request",
		slog.String("operation", op.id), slog.String("host", req.URL.Host), slog.Int("status", statusOf(resp)),
		slog.String("request_id", requestIDOf(resp, err)), slog.Duration("elapsed", time.Since(start)), slog.Bool("verified", err == nil))
	return resp, err
}

// sign returns a clone of req carrying a fresh signature, Wechatpay-Serial, Accept and User-Agent.
func (t *Transport) sign(req *http.Request, body []byte, serial string, now time.Time) (*http.Request, error) {
	nonce, err := NewNonce(t.random)
	if err != nil {
		return nil, err
	}
	ts := now.Unix()
	sig, err := Sign(t.signer, RequestMessage(req.Method, req.URL.RequestURI(), ts, nonce, body))
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Header.Set("Authorization", Authorization(t.mchID, t.serialNo, nonce, ts, sig))
	out.Header.Set(HeaderSerial, serial)
	if out.Header.Get("Accept") == "" {
		out.Header.Set("Accept", "application/json")
	}
	if ua := out.Header.Get("User-Agent"); ua == "" {
		out.Header.Set("User-Agent", t.userAgent)
	} else {
		out.Header.Set("User-Agent", ua+" "+t.userAgent)
	}
	if body != nil {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.ContentLength = int64(len(body))
	}
	return out, nil
}

// verify checks a 2xx answer (signature, then schema) and hands it on with its body buffered;
// a non-2xx answer is handed on with its body bounded. A failed answer's body is closed.
func (t *Transport) verify(op *operation, req *http.Request, resp *http.Response) (*http.Response, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body = limitBody(resp.Body, t.maxBody)
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.maxBody+1))
	resp.Body.Close()
	fail := func(r Reason, detail string, cause error) error {
		return &VerificationError{Reason: r, Serial: resp.Header.Get(HeaderSerial), RequestID: resp.Header.Get(HeaderRequestID), Detail: detail, Err: cause}
	}
	switch {
	case err != nil:
		return nil, fail(ReasonBodyRead, "", err)
	case int64(len(body)) > t.maxBody:
		return nil, fail(ReasonBodyTooLarge, fmt.Sprintf("more than %d bytes (Config.MaxResponseBytes)", t.maxBody), nil)
	}
	now := t.now()
	lookup := func(serial string) (*rsa.PublicKey, bool) {
		k, ok := t.keys.lookup(serial, now)
		return k.pub, ok
	}
	if err := VerifyResponse(lookup, resp.Header, body, now); err != nil {
		return nil, err
	}
	if err := t.ops.checkResponse(req, op, resp, body); err != nil {
		return nil, fail(ReasonSchema, err.Error(), nil)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// readAll reads and closes a request body; nil for a request without one.
func readAll(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("transport: reading the request body: %w", err)
	}
	return b, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}

func limitBody(rc io.ReadCloser, n int64) io.ReadCloser {
	return limitedBody{Reader: io.LimitReader(rc, n), Closer: rc}
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func requestIDOf(resp *http.Response, err error) string {
	if resp != nil {
		return resp.Header.Get(HeaderRequestID)
	}
	if ve, ok := err.(*VerificationError); ok {
		return ve.RequestID
	}
	return ""
}
