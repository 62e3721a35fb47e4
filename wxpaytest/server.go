package wxpaytest

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay/generated/server"
	"github.com/wxpay-oapi/wxpay/transport"
)

// Option configures a Server.
type Option func(*options)

type options struct {
	addr   string
	keys   *Keys
	logger *slog.Logger
	routes []extraRoute
	noDemo bool
	limits limits
}

type extraRoute struct {
	pattern string
	h       http.Handler
}

// WithAddr makes the server listen on addr (e.g. ":8080") instead of a loopback port.
func WithAddr(addr string) Option { return func(o *options) { o.addr = addr } }

// WithKeys makes the server use an existing identity instead of fresh keys, so that two
// servers are the same WeChat Pay (a primary and a backup) or keys are generated once per test binary.
func WithKeys(k *Keys) Option { return func(o *options) { o.keys = k } }

// WithLogger logs one record per request (Debug) and the server's own failures (Error) to l.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithHandler serves h for pattern (http.ServeMux syntax) beside the API, e.g. "/docs".
func WithHandler(pattern string, h http.Handler) Option {
	return func(o *options) { o.routes = append(o.routes, extraRoute{pattern, h}) }
}

// WithoutDemoData starts the server with no balances instead of the docs' example data.
func WithoutDemoData() Option { return func(o *options) { o.noDemo = true } }

// maxRequestBody bounds the request body read for signature verification.
const maxRequestBody = 1 << 20

// staleBy is how old a StaleTimestamp fault's Wechatpay-Timestamp is.
const staleBy = 10 * time.Minute

// Server is a fake WeChat Pay APIv3 listening on a local address, like httptest.Server.
// Its methods are safe for concurrent use. Callers should call Close when done.
type Server struct {
	URL string // base URL of the form http://ipaddr:port, with no trailing slash

	hs      *httptest.Server
	keys    *Keys
	spec    *apiSpec
	api     http.Handler // the generated strict server over handlers
	extra   *http.ServeMux
	state   *state
	faults  faultQueue
	log     *requestLog
	nonces  nonceCache
	others  sync.Map // mchID → merchantKey: merchants added by AddMerchant
	logger  *slog.Logger
	now     func() time.Time
	closing chan struct{}
	once    sync.Once

	mu         sync.Mutex
	client     *http.Client
	signSerial string // forced by SignWith; "" = the request's Wechatpay-Serial
}

// NewServer starts and returns a new Server; it panics when it cannot (as httptest does).
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewUnstartedServer returns a new Server listening but not yet serving; call Start.
// It panics when it cannot listen or generate keys; Open returns those errors instead.
func NewUnstartedServer(opts ...Option) *Server {
	s, err := Open(opts...)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// Open is NewUnstartedServer returning its errors (a busy address, bad Keys) instead of panicking.
func Open(opts ...Option) (*Server, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	keys := o.keys
	if keys == nil {
		var err error
		if keys, err = NewKeys(); err != nil {
			return nil, err
		}
	}
	if err := keys.check(); err != nil {
		return nil, err
	}
	spec, err := loadSpec()
	if err != nil {
		return nil, err
	}
	s := &Server{
		keys:    keys,
		spec:    spec,
		state:   newState(!o.noDemo, keys.MchID),
		log:     newRequestLog(o.limits.requestLogSize()),
		logger:  o.logger,
		now:     time.Now,
		closing: make(chan struct{}),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.api = server.HandlerWithOptions(
		server.NewStrictHandlerWithOptions(&handlers{st: s.state, keys: keys, errs: spec.errors, defaults: spec.defaults}, nil, server.StrictHTTPServerOptions{
			RequestErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
				writeError(w, http.StatusBadRequest, "PARAM_ERROR", spec.errors.message("", http.StatusBadRequest, "PARAM_ERROR", err.Error()), nil)
			},
			ResponseErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
				writeError(w, http.StatusInternalServerError, "SYSTEM_ERROR", spec.errors.message("", http.StatusInternalServerError, "SYSTEM_ERROR", ""), nil)
			},
		}),
		server.StdHTTPServerOptions{
			BaseRouter: http.NewServeMux(),
			ErrorHandlerFunc: func(w http.ResponseWriter, _ *http.Request, err error) {
				writeError(w, http.StatusBadRequest, "PARAM_ERROR", spec.errors.message("", http.StatusBadRequest, "PARAM_ERROR", err.Error()), nil)
			},
		})
	if len(o.routes) > 0 {
		s.extra = http.NewServeMux()
		for _, rt := range o.routes {
			s.extra.Handle(rt.pattern, rt.h)
		}
	}
	s.hs = httptest.NewUnstartedServer(s)
	o.limits.apply(s.hs.Config)
	if o.addr != "" {
		l, err := net.Listen("tcp", o.addr)
		if err != nil {
			s.hs.Listener.Close()
			return nil, fmt.Errorf("wxpaytest: listening on %s: %w", o.addr, err)
		}
		s.hs.Listener.Close()
		s.hs.Listener = l
	}
	return s, nil
}

// Start starts serving requests from NewUnstartedServer.
func (s *Server) Start() {
	s.hs.Start()
	u, err := url.Parse(s.hs.URL)
	if err == nil {
		// A wildcard listen address is dialled on loopback.
		if host, port, err := net.SplitHostPort(u.Host); err == nil {
			if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
				u.Host = net.JoinHostPort("127.0.0.1", port)
			}
		}
		s.URL = u.String()
	} else {
		s.URL = s.hs.URL
	}
}

// Close stops the server and blocks until every request in progress has finished; a
// request waiting out a Delay fault is cut short. It also closes Client's idle connections.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closing) })
	s.hs.Close()
}

// Keys returns the server's identity.
func (s *Server) Keys() *Keys { return s.keys }

// TransportConfig returns a transport.Config for a merchant of this server: its MchID,
// certificate serial and key, the WeChat Pay public key and ID, and the platform certificate.
// Set Base to send through a particular http.RoundTripper. APIv3Key is left unset, since it
// turns on certificate downloads; set it to Keys().APIv3Key to test those.
func (s *Server) TransportConfig() transport.Config {
	k := s.keys
	cfg := transport.Config{
		MchID:               k.MchID,
		CertificateSerialNo: k.CertificateSerialNo,
		PrivateKey:          k.MerchantKey,
	}
	if k.WechatPayKey != nil {
		cfg.WechatPayPublicKeyID = k.PublicKeyID
		cfg.WechatPayPublicKey = &k.WechatPayKey.PublicKey
	}
	if k.PlatformCertificate != nil {
		cfg.PlatformCertificates = []*x509.Certificate{k.PlatformCertificate}
	}
	return cfg
}

// Client returns an *http.Client whose Transport is a transport.Transport for this server
// with the transport's defaults (retries included: a Fault meant to reach the caller needs
// Times: EveryAttempt, or a client built from TransportConfig with MaxAttempts 1), sending
// over connections that Close cleans up. Call it after Start.
func (s *Server) Client() *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client
	}
	base := s.hs.Client()
	if base == nil {
		panic("wxpaytest: Client called before Start")
	}
	cfg := s.TransportConfig()
	cfg.Base = base.Transport
	t, err := transport.New(cfg)
	if err != nil {
		panic("wxpaytest: building the client transport: " + err.Error())
	}
	s.client = &http.Client{Transport: t}
	return s.client
}

// SignWith makes the server sign every answer with the key that serial names (the public
// key ID or the platform certificate's serial), whatever the request's Wechatpay-Serial —
// except GET /v3/certificates naming a key the server holds, signed with that key; "" restores
// the default: the key the request names.
func (s *Server) SignWith(serial string) error {
	if _, ok := s.keys.WechatPayKeyFor(serial); serial != "" && !ok {
		return fmt.Errorf("wxpaytest: no WeChat Pay key has serial %q", serial)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signSerial = serial
	return nil
}

// RotatePlatformCertificate rotates the platform certificate as WeChat Pay does: it adds a
// new platform key and certificate (listed by GET /v3/certificates from then on) and signs
// every answer with it, whatever the request's Wechatpay-Serial — except GET
// /v3/certificates, still signed with the key the request names when it names one this
// server holds, so a client that trusts only the older key can verify the list. It returns
// the new serial.
func (s *Server) RotatePlatformCertificate() (string, error) {
	cert, err := s.keys.AddPlatformCertificate()
	if err != nil {
		return "", err
	}
	serial := strings.ToUpper(cert.SerialNumber.Text(16))
	return serial, s.SignWith(serial)
}

// ServeHTTP serves the fake WeChat Pay (and any WithHandler routes); it lets the fake be
// mounted in another server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.extra != nil {
		if h, pattern := s.extra.Handler(r); pattern != "" {
			h.ServeHTTP(w, r)
			return
		}
	}
	s.serveAPI(w, r)
}

// certificatesOperation is the operationId of GET /v3/certificates in openapi.yaml (the
// generated ServerInterface method handlers.ListCertificates implements).
const certificatesOperation = "ListCertificates"

// exchange is one request in flight through serveAPI.
type exchange struct {
	rec    Request
	nonce  string // the request's nonce_str, forgotten again when the connection is dropped
	serial string // the Wechatpay-Serial the answer is signed under
	fault  Fault
	start  time.Time
}

// serveAPI runs WeChat Pay's checks in order — Authorization, route, Accept, Wechatpay-Serial,
// schema, decryption — then any queued fault, then the handler, and signs the answer.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	ex := &exchange{start: time.Now(), rec: Request{
		Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Query: r.URL.Query(),
	}}
	ex.rec.Time = ex.start
	ex.serial = s.answerSerial(r.Header.Get(headerSerial), "")
	body, err := s.readBodyInTime(w, r)
	if err != nil {
		s.fail(w, ex, http.StatusBadRequest, "PARAM_ERROR", "reading the request body: "+err.Error(), nil)
		return
	}
	route, pathParams, allowed := s.spec.route(r)
	if route != nil {
		ex.rec.Operation = route.Operation.OperationID
		if ex.rec.Operation == certificatesOperation {
			// GET /v3/certificates. When the request names a key this server holds, sign with
			// that key even after a rotation (SignWith), so a client that trusts only the older
			// key can verify the list that brings the newer one; when it names none, sign with
			// the platform key, so a client can bootstrap.
			requested := r.Header.Get(headerSerial)
			if _, ok := s.keys.WechatPayKeyFor(requested); ok {
				ex.serial = requested
			} else {
				ex.serial = s.answerSerial(requested, s.keys.PlatformSerial())
			}
		}
	}

	// 1. Authorization.
	auth, err := checkAuthorizationOf(s.merchant, &s.nonces, r.Header.Get("Authorization"), r.Method, r.URL.RequestURI(), body, s.now())
	if err != nil {
		s.fail(w, ex, http.StatusUnauthorized, "SIGN_ERROR", err.Error(), nil)
		return
	}
	ex.nonce = auth.MchID + "\x00" + auth.NonceStr // the nonce cache's key
	// 2. Route.
	if route == nil {
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			s.fail(w, ex, http.StatusMethodNotAllowed, "INVALID_REQUEST", fmt.Sprintf("%s is not allowed on %s (openapi.yaml allows %s)", r.Method, r.URL.Path, strings.Join(allowed, ", ")), nil)
			return
		}
		s.fail(w, ex, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("%s %s is not an operation of openapi.yaml", r.Method, r.URL.Path), nil)
		return
	}
	// 2b. Accept allows the operation's media type (application/json).
	if types := responseMediaTypes(route); !acceptable(r.Header.Values("Accept"), types) {
		accept := truncate(strings.Join(r.Header.Values("Accept"), ", "), 128)
		s.fail(w, ex, http.StatusBadRequest, "PARAM_ERROR", fmt.Sprintf("header Accept %q excludes %s, the only media type of this operation's answers: send Accept: %s", accept, strings.Join(types, ", "), types[0]),
			detail("Accept", "header", accept, "excludes "+strings.Join(types, ", ")))
		return
	}
	// 3. Wechatpay-Serial names a WeChat Pay key this server holds, where openapi.yaml's
	// security requirement (WechatPaySerial) or an encrypted field calls for one.
	serial := r.Header.Get(headerSerial)
	key, held := s.keys.WechatPayKeyFor(serial)
	encrypted := encryptedParams(route)
	switch {
	case !requiresSerial(route) && len(encrypted) == 0:
	case serial == "":
		s.fail(w, ex, http.StatusBadRequest, "PARAM_ERROR", "header Wechatpay-Serial is required: the WeChat Pay public key ID or platform certificate serial",
			detail("Wechatpay-Serial", "header", "", "required but missing"))
		return
	case !held:
		s.fail(w, ex, http.StatusBadRequest, "PARAM_ERROR", fmt.Sprintf("Wechatpay-Serial %q names no WeChat Pay public key or platform certificate of this server", truncate(serial, 64)),
			detail("Wechatpay-Serial", "header", truncate(serial, 64), "unknown serial"))
		return
	}
	// 4. Schema.
	if err := validateRequest(r, route, pathParams); err != nil {
		var pe *paramError
		if errors.As(err, &pe) && pe.Name != "" {
			s.fail(w, ex, http.StatusBadRequest, "PARAM_ERROR", pe.Error(), detail(pe.Name, pe.In, pe.Value, pe.Issue))
		} else {
			s.fail(w, ex, http.StatusBadRequest, "PARAM_ERROR", err.Error(), nil)
		}
		return
	}
	// 5. Decrypt the fields openapi.yaml marks x-wechatpay-encrypted.
	inner := r.Clone(r.Context())
	inner.Body = http.NoBody
	query := r.URL.Query()
	for _, p := range encrypted {
		if p.In != openapi3.ParameterInQuery {
			continue // openapi.yaml only encrypts query parameters; see the package doc
		}
		ct := query.Get(p.Name)
		if ct == "" {
			continue
		}
		pt, err := decryptField(key, ct)
		if err != nil {
			s.fail(w, ex, http.StatusBadRequest, "PARAM_ERROR", fmt.Sprintf("query parameter %q: %s", p.Name, err),
				detail(p.Name, p.In, "", "decryption failed"))
			return
		}
		if ex.rec.Decrypted == nil {
			ex.rec.Decrypted = make(map[string]string)
		}
		ex.rec.Decrypted[p.Name] = pt
		query.Set(p.Name, pt)
	}
	ex.rec.Query = query
	inner.URL.RawQuery = query.Encode()

	// 6. Faults.
	if f, ok := s.faults.take(ex.rec.Operation); ok {
		if f.Status >= 300 && f.Code == "" {
			f.Code = s.spec.errors.code(ex.rec.Operation, f.Status)
		}
		ex.fault = f
		ex.rec.Fault = f.String()
		if !s.delay(r, f.Delay) {
			s.finish(ex, 0)
			return
		}
		if f.Drop {
			s.drop(w, ex)
			return
		}
		if f.Status >= 300 {
			msg := f.Message
			if msg == "" {
				msg = s.spec.errors.message(ex.rec.Operation, f.Status, f.Code, "")
			}
			s.write(w, ex, f.Status, f.Code, errorJSON(f.Code, msg, nil))
			return
		}
	}

	// 7. The handler, generated from openapi.yaml.
	out := httptest.NewRecorder()
	s.api.ServeHTTP(out, inner)
	res := out.Result()
	respBody := out.Body.Bytes()

	// 8. The server checks its own answer against openapi.yaml.
	if err := validateResponse(r, route, res.StatusCode, res.Header, respBody); err != nil {
		s.logger.ErrorContext(r.Context(), "wxpaytest: answer does not match openapi.yaml",
			slog.String("operation", ex.rec.Operation), slog.Int("status", res.StatusCode), slog.String("error", err.Error()))
		s.fail(w, ex, http.StatusInternalServerError, "SYSTEM_ERROR", "wxpaytest's answer did not match openapi.yaml: "+err.Error(), nil)
		return
	}
	var code struct {
		Code string `json:"code"`
	}
	if res.StatusCode >= 300 {
		_ = json.Unmarshal(respBody, &code)
	}
	s.write(w, ex, res.StatusCode, code.Code, respBody)
}

// answerSerial picks the key an answer is signed under: SignWith's, else the request's when
// held, else fallback when held, else the server's default (the public key ID).
func (s *Server) answerSerial(requested, fallback string) string {
	s.mu.Lock()
	forced := s.signSerial
	s.mu.Unlock()
	if forced != "" {
		return forced
	}
	if _, serial, ok := s.keys.wechatPayKey(requested); ok {
		return serial // as WeChat Pay writes it, whatever the request's case
	}
	if _, serial, ok := s.keys.wechatPayKey(fallback); ok {
		return serial
	}
	return s.keys.defaultSerial()
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, maxRequestBody))
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	return buf.Bytes(), nil
}

// delay waits d, and reports false when the client gave up first.
func (s *Server) delay(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.closing:
		return true
	case <-r.Context().Done():
		return false
	}
}

// drop closes the connection without a byte of answer, as a dropped connection does: the
// client reads EOF. Nothing was processed, so the request's nonce is forgotten: net/http
// resends a GET by itself when the connection was a reused one, and the resent request,
// signed identically, is not a replay.
func (s *Server) drop(w http.ResponseWriter, ex *exchange) {
	defer s.finish(ex, 0)
	s.nonces.forget(ex.nonce)
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// errorDetail is the detail object of a WeChat Pay error: which field, where, and why.
func detail(field, location, value, issue string) map[string]any {
	d := map[string]any{"field": field, "location": location, "issue": issue}
	if value != "" {
		d["value"] = value
	}
	return d
}

// wireError is server.WechatPayError with WeChat Pay's field order: code, message, detail.
type wireError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Detail  map[string]any `json:"detail,omitempty"`
}

func errorJSON(code, message string, det map[string]any) []byte {
	e := wireError{Code: code, Message: message, Detail: det}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(e)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// writeError writes an unsigned WeChat Pay error (inside the handler, before signing).
func writeError(w http.ResponseWriter, status int, code, message string, det map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorJSON(code, message, det))
}

// fail answers a signed WeChat Pay error: the description openapi.yaml gives code for the
// operation and status, then why.
func (s *Server) fail(w http.ResponseWriter, ex *exchange, status int, code, why string, det map[string]any) {
	s.write(w, ex, status, code, errorJSON(code, s.spec.errors.message(ex.rec.Operation, status, code, why), det))
}

// write signs an answer like WeChat Pay, applies the exchange's fault, writes it and logs it.
func (s *Server) write(w http.ResponseWriter, ex *exchange, status int, code string, body []byte) {
	f := ex.fault
	now := s.now()
	if f.StaleTimestamp {
		now = now.Add(-staleBy)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := randomHex(16)
	key, ok := s.keys.WechatPayKeyFor(ex.serial)
	if !ok {
		panic("wxpaytest: no key for serial " + ex.serial) // answerSerial only picks held keys
	}
	sig, err := signMessage(key, responseMessage(ts, nonce, body))
	if err != nil {
		s.logger.Error("wxpaytest: signing the answer", slog.String("error", err.Error()))
		status, code = http.StatusInternalServerError, "SYSTEM_ERROR"
		body = errorJSON(code, s.spec.errors.message(ex.rec.Operation, status, code, ""), nil)
	}
	if f.Probe {
		sig = probePrefix + randomHex(32)
	}
	if f.TamperBody {
		body = tamper(body)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set(headerTimestamp, ts)
	h.Set(headerNonce, nonce)
	h.Set(headerSignature, sig)
	h.Set(headerSerial, ex.serial)
	h.Set(headerSignatureType, authScheme)
	ex.rec.RequestID = randomHex(17)
	h.Set(headerRequestID, ex.rec.RequestID)
	if f.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	ex.rec.Code = code
	ex.rec.SignedWith = ex.serial
	s.finish(ex, status)
}

// finish records the exchange in the request log.
func (s *Server) finish(ex *exchange, status int) {
	ex.rec.Status = status
	q := ex.rec.Query
	key := ex.rec.Operation + " " + ex.rec.Method + " " + ex.rec.Path + "?" + q.Encode()
	s.log.add(key, &ex.rec)
	s.logger.Debug("wxpaytest request", slog.String("operation", ex.rec.Operation), slog.String("method", ex.rec.Method),
		slog.String("path", ex.rec.Path), slog.Int("status", status), slog.String("code", ex.rec.Code),
		slog.String("fault", ex.rec.Fault), slog.Int("attempt", ex.rec.Attempt), slog.Duration("elapsed", time.Since(ex.start)))
}
