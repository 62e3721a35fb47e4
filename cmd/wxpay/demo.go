package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/protocol"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// The demo's example values: wxpaytest's demo data, which are openapi.yaml's examples.
const (
	demoSubMchID     = wxpaytest.DemoSubMchID
	demoBalAccountNo = wxpaytest.DemoBalAccountNo
)

// runDemo is "wxpay demo": both queries against an in-process wxpaytest server, through
// the real transport, told step by step from what the run actually did.
func runDemo(ctx context.Context, args []string, _ io.Reader, stdout, _ io.Writer, _ env) error {
	fs := newFlagSet("demo", "",
		"Run both balance queries against wxpaytest, an in-process WeChat Pay test server, through\n"+
			"the real signing transport (request signing, bal_account_no encryption, answer\n"+
			"verification), and print what happened at each step. No flags, no credentials, no\n"+
			"network: the server listens on 127.0.0.1 with throwaway keys and stops on exit.")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}

	srv, err := startServer(wxpaytest.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	defer srv.Close()

	cfg := srv.TransportConfig()
	rec := &recorder{base: cfg.Base}
	cfg.Base = rec
	logs := &logCapture{}
	cfg.Logger = slog.New(logs)
	tr, err := transport.New(cfg)
	if err != nil {
		return fmt.Errorf("building the transport: %w", err)
	}
	client, err := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		return fmt.Errorf("building the client: %w", err)
	}

	p := &demoPrinter{w: stdout}
	p.line("wxpay demo: both balance queries against wxpaytest, an in-process WeChat Pay test server,")
	p.line("through the real signing transport. Throwaway keys, no credentials, no network.")
	p.line("")
	p.line("Test server  %s", srv.URL)
	p.line("Merchant     %s, API certificate serial %s (its private key signs every request)", cfg.MchID, cfg.CertificateSerialNo)
	p.line("WeChat Pay   public key %s (verifies every answer, encrypts sensitive fields)", cfg.WechatPayPublicKeyID)

	// 1. QueryECommerceBalance.
	p.line("")
	p.line("1. Sub-merchant balance (QueryECommerceBalance, 查询二级商户账户实时余额)")
	at := generated.AccountTypeBasic
	qctx, cancel := context.WithTimeout(ctx, defaultTimeout)
	resp, err := client.QueryECommerceBalanceWithResponse(qctx, demoSubMchID, &generated.QueryECommerceBalanceParams{AccountType: &at})
	cancel()
	p.exchange(rec, logs, srv, nil)
	ec, err := wxpay.Result(resp, err)
	if err != nil {
		return err
	}
	p.step("=", "sub-merchant %s, %s account: available %s, pending %s", ec.SubMchID, deref(ec.AccountType, "-"),
		amount(&ec.AvailableAmount), amount(ec.PendingAmount))

	// 2. QueryAccountBalance, with bal_account_no encrypted.
	p.line("")
	p.line("2. Channel quota (QueryAccountBalance, 查询渠道额度)")
	ciphertext, err := tr.Encrypt(demoBalAccountNo)
	if err != nil {
		return fmt.Errorf("encrypting bal_account_no: %w", err)
	}
	p.step("→", "bal_account_no %s (the demo's example value) encrypted with RSA-OAEP under %s: %d base64 characters",
		demoBalAccountNo, cfg.WechatPayPublicKeyID, len(ciphertext))
	qctx, cancel = context.WithTimeout(ctx, defaultTimeout)
	resp2, err := client.QueryAccountBalanceWithResponse(qctx, &generated.QueryAccountBalanceParams{MchID: cfg.MchID, BalAccountNo: ciphertext})
	cancel()
	p.exchange(rec, logs, srv, map[string]string{"bal_account_no": demoBalAccountNo})
	ab, err := wxpay.Result(resp2, err)
	if err != nil {
		return err
	}
	inTransit := "no quota reduction in transit"
	if ab.InTransitReductionExist != nil && *ab.InTransitReductionExist {
		inTransit = "a quota reduction is in transit"
	}
	p.step("=", "balance account quota %s; %s", amount(ab.Balance), inTransit)

	// 3. A small bulk run.
	if err := demoBulk(ctx, p, srv, stdout); err != nil {
		return err
	}

	p.line("")
	p.line("Balances queried and verified. Next:")
	p.line("  wxpay mock --keys ./wxpay-mock       the same server, standalone, for any client")
	p.line("  wxpay ecommerce-balance -h           query WeChat Pay with your own credentials")
	p.line("  wxpay ecommerce-balance --sub-mchids FILE --out balances.jsonl   every sub-merchant, resumable")
	return p.err
}

// startServer starts wxpaytest, returning (rather than panicking on) a busy address.
func startServer(opts ...wxpaytest.Option) (*wxpaytest.Server, error) {
	srv, err := wxpaytest.Open(opts...)
	if err != nil {
		return nil, fmt.Errorf("starting the test server: %w", err)
	}
	srv.Start()
	return srv, nil
}

// demoPrinter writes the demo's lines, keeping the first write error.
type demoPrinter struct {
	w   io.Writer
	err error
}

func (p *demoPrinter) line(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", a...)
	}
}

func (p *demoPrinter) step(mark, format string, a ...any) {
	p.line("   "+mark+" "+format, a...)
}

// exchange tells what the last request through rec did: signed how, sent where, answered
// how, verified with which key; and, from the test server's side, what it checked. expect
// holds the plaintexts the server should have decrypted.
func (p *demoPrinter) exchange(rec *recorder, logs *logCapture, srv *wxpaytest.Server, expect map[string]string) {
	ex, ok := rec.last()
	if !ok {
		p.step("✗", "no request was sent")
		return
	}
	rec.reset()
	p.step("→", "%s %s", ex.method, ex.target)
	p.step("→", "signed %s by merchant %s with certificate serial %s (timestamp %s, nonce %s; signature: %d characters, not shown)",
		ex.scheme, ex.auth["mchid"], ex.auth["serial_no"], ex.auth["timestamp"], ex.auth["nonce_str"], len(ex.auth["signature"]))
	p.step("→", "Wechatpay-Serial: %s (the WeChat Pay key the answer must be signed with)", ex.sentSerial)
	if reqs := srv.Requests(); len(reqs) > 0 {
		r := reqs[len(reqs)-1]
		if r.Status >= 200 && r.Status <= 299 {
			p.step("✓", "test server accepted the Authorization signature and the parameters (else 401 SIGN_ERROR or 400 PARAM_ERROR)")
		} else if r.Code != "" {
			p.step("✗", "test server answered %d %s", r.Status, r.Code)
		}
		names := make([]string, 0, len(r.Decrypted))
		for name := range r.Decrypted {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if want, ok := expect[name]; ok {
				verdict := "matches the plaintext"
				if r.Decrypted[name] != want {
					verdict = "does NOT match the plaintext"
				}
				p.step("✓", "test server decrypted %s with WeChat Pay's private key: %s", name, verdict)
			}
		}
	}
	if ex.err != nil {
		p.step("✗", "no answer: %v", ex.err)
		return
	}
	p.step("←", "HTTP %d, Request-ID %s, signed by Wechatpay-Serial %s (Wechatpay-Timestamp %s)",
		ex.status, ex.requestID, ex.answerSerial, ex.answerTimestamp)
	rv, ok := logs.last()
	rec2 := rv["verified"]
	switch {
	case !ok:
	case ex.status < 200 || ex.status > 299:
		p.step("✗", "not a success: the transport hands error answers back unverified, as errors")
	case rec2.Kind() == slog.KindBool && rec2.Bool():
		p.step("✓", "response signature verified with key %s; Wechatpay-Timestamp within %s of this clock; body matches openapi.yaml (transport, %s)",
			ex.answerSerial, minutes(protocol.MaxClockSkew), rv["elapsed"].Duration().Round(time.Microsecond))
	default:
		p.step("✗", "the transport refused the answer: it failed verification")
	}
}

// exchange is what recorder saw of one request: the signed request and the raw answer's headers.
type exchange struct {
	method, target  string
	scheme          string
	auth            map[string]string // Authorization parameters: mchid, serial_no, timestamp, nonce_str, signature
	sentSerial      string
	status          int
	requestID       string
	answerSerial    string
	answerTimestamp string
	err             error
}

// recorder is an http.RoundTripper that sits under the transport (as Config.Base), so it
// sees each request as signed and each answer before verification. It keeps headers only.
type recorder struct {
	base http.RoundTripper

	mu   sync.Mutex
	seen []exchange
}

// RoundTrip records req's signing headers, sends it with base and records the answer's headers.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	base := r.base
	if base == nil {
		base = http.DefaultTransport
	}
	ex := exchange{method: req.Method, target: displayTarget(req.URL), sentSerial: req.Header.Get(protocol.HeaderSerial)}
	ex.scheme, ex.auth = parseAuthorization(req.Header.Get("Authorization"))
	resp, err := base.RoundTrip(req)
	if err != nil {
		ex.err = err
	} else {
		ex.status = resp.StatusCode
		ex.requestID = resp.Header.Get(protocol.HeaderRequestID)
		ex.answerSerial = resp.Header.Get(protocol.HeaderSerial)
		ex.answerTimestamp = resp.Header.Get(protocol.HeaderTimestamp)
	}
	r.mu.Lock()
	r.seen = append(r.seen, ex)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) last() (exchange, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.seen) == 0 {
		return exchange{}, false
	}
	return r.seen[len(r.seen)-1], true
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.seen = nil
	r.mu.Unlock()
}

// displayTarget is the request path and query, with encrypted values replaced by their size.
func displayTarget(u *url.URL) string {
	if u.RawQuery == "" {
		return u.Path
	}
	q := u.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v := q.Get(k)
		if k == "bal_account_no" {
			v = fmt.Sprintf("<ciphertext, %d characters>", len(v))
		}
		parts = append(parts, k+"="+v)
	}
	return u.Path + "?" + strings.Join(parts, "&")
}

// parseAuthorization splits `SCHEME k1="v1",k2="v2"` into the scheme and its parameters.
func parseAuthorization(h string) (string, map[string]string) {
	scheme, rest, _ := strings.Cut(h, " ")
	params := make(map[string]string)
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if ok {
			params[k] = strings.Trim(v, `"`)
		}
	}
	return scheme, params
}

// logCapture is a slog.Handler keeping the attributes of the transport's records, so the
// demo can report what the transport itself says it did (verified or not, how long).
type logCapture struct {
	mu      sync.Mutex
	records []map[string]slog.Value
}

func (h *logCapture) Enabled(context.Context, slog.Level) bool { return true }

func (h *logCapture) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]slog.Value{"msg": slog.StringValue(r.Message)}
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.Resolve()
		return true
	})
	h.mu.Lock()
	h.records = append(h.records, attrs)
	h.mu.Unlock()
	return nil
}

func (h *logCapture) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logCapture) WithGroup(string) slog.Handler      { return h }

func (h *logCapture) last() (map[string]slog.Value, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.records) == 0 {
		return nil, false
	}
	return h.records[len(h.records)-1], true
}

// deref returns *p as a string, or def when p is nil.
func deref[T ~string](p *T, def string) string {
	if p == nil {
		return def
	}
	return string(*p)
}

// minutes writes a whole number of minutes in words: "5 minutes".
func minutes(d time.Duration) string {
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
}
