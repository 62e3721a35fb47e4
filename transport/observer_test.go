package transport_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// recorder is an Observer that writes down everything it is told.
type recorder struct {
	mu       sync.Mutex
	events   []string
	calls    []transport.CallDone
	attempts []transport.AttemptDone
	retries  []transport.Retry
	fails    []transport.Failover
	verify   []transport.VerificationFailure
	waits    []transport.RateLimitWait
	certs    []transport.CertificateDownload
}

type ctxKey struct{}

func (r *recorder) observer() *transport.Observer {
	add := func(f func()) {
		r.mu.Lock()
		defer r.mu.Unlock()
		f()
	}
	return &transport.Observer{
		CallStart: func(ctx context.Context, c transport.CallStart) context.Context {
			add(func() { r.events = append(r.events, "call "+c.Operation) })
			return context.WithValue(ctx, ctxKey{}, "call")
		},
		CallDone: func(ctx context.Context, c transport.CallDone) {
			add(func() { r.events = append(r.events, "done"); r.calls = append(r.calls, c) })
		},
		AttemptStart: func(ctx context.Context, a transport.AttemptStart) context.Context {
			add(func() { r.events = append(r.events, "attempt "+a.Host) })
			if ctx.Value(ctxKey{}) != "call" {
				panic("AttemptStart did not get CallStart's context")
			}
			return context.WithValue(ctx, ctxKey{}, "attempt")
		},
		AttemptDone: func(ctx context.Context, a transport.AttemptDone) {
			add(func() { r.events = append(r.events, "attempt done"); r.attempts = append(r.attempts, a) })
			if ctx.Value(ctxKey{}) != "attempt" {
				panic("AttemptDone did not get AttemptStart's context")
			}
		},
		Retry: func(ctx context.Context, x transport.Retry) {
			add(func() { r.events = append(r.events, "retry"); r.retries = append(r.retries, x) })
		},
		Failover: func(ctx context.Context, x transport.Failover) {
			add(func() { r.events = append(r.events, "failover"); r.fails = append(r.fails, x) })
		},
		VerificationFailure: func(ctx context.Context, x transport.VerificationFailure) {
			add(func() { r.events = append(r.events, "verification"); r.verify = append(r.verify, x) })
		},
		RateLimitWait: func(ctx context.Context, x transport.RateLimitWait) {
			add(func() { r.events = append(r.events, "wait"); r.waits = append(r.waits, x) })
		},
		CertificateDownload: func(ctx context.Context, x transport.CertificateDownload) {
			add(func() { r.events = append(r.events, "certificates"); r.certs = append(r.certs, x) })
		},
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func (r *recorder) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.events, ", ")
}

func TestObserverRetry(t *testing.T) {
	leakCheck(t)
	srv := newServer(t)
	srv.QueueFault(wxpaytest.Fault{Status: 500})
	rec := &recorder{}
	var sentWith []any // what each request sent carried under ctxKey: AttemptStart's context
	c, _ := clientFor(t, srv, srv.URL, func(c *transport.Config) {
		c.Observer = rec.observer()
		base := c.Base
		c.Base = roundTripFunc(func(req *http.Request) (*http.Response, error) {
			sentWith = append(sentWith, req.Context().Value(ctxKey{}))
			return base.RoundTrip(req)
		})
	})
	if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
		t.Fatal(err)
	}
	if len(sentWith) != 2 || sentWith[0] != "attempt" || sentWith[1] != "attempt" {
		t.Errorf("requests sent with context values %v, want AttemptStart's twice", sentWith)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if got, want := rec.log(), "call QueryECommerceBalance, attempt "+host+", attempt done, retry, attempt "+host+", attempt done, done"; got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	a0, a1 := rec.attempts[0], rec.attempts[1]
	if a0.Status != 500 || a0.Err != nil || a0.RequestID == "" || a0.Attempt != 1 || a1.Status != 200 || a1.Attempt != 2 || a1.Duration <= 0 {
		t.Errorf("attempts %+v", rec.attempts)
	}
	if a0.URL != srv.URL+"/v3/ecommerce/fund/balance/1900000109" {
		t.Errorf("attempt URL %q", a0.URL)
	}
	if r := rec.retries[0]; r.Attempt != 1 || r.CauseClass != "api" || r.Host != host {
		t.Errorf("retry %+v", r)
	}
	if cd := rec.calls[0]; cd.Status != 200 || cd.Code != "" || cd.Attempts != 2 || len(cd.Hosts) != 2 || cd.Err != nil || cd.ErrorClass != "" {
		t.Errorf("call %+v", cd)
	}
}

func TestObserverFinalErrorAnswerAndCode(t *testing.T) {
	srv := newServer(t)
	srv.QueueFault(wxpaytest.Fault{Status: 500, Times: 3})
	rec := &recorder{}
	c, _ := clientFor(t, srv, srv.URL, func(c *transport.Config) { c.Observer = rec.observer() })
	_, err := ecommerce(context.Background(), c)
	cd := rec.calls[0]
	if err == nil || cd.Status != 500 || cd.Code != "SYSTEM_ERROR" || cd.Attempts != 3 || cd.ErrorClass != "api" {
		t.Errorf("got %v; call %+v", err, cd)
	}
	// A lone non-2xx answer is a response, not an error; its code is still reported.
	srv.QueueFault(wxpaytest.Fault{Status: 400, Code: "INVALID_REQUEST"})
	if _, err := ecommerce(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if cd := rec.calls[1]; cd.Status != 400 || cd.Code != "INVALID_REQUEST" || cd.Attempts != 1 || cd.Err != nil {
		t.Errorf("call %+v", cd)
	}
}

func TestObserverFailoverAndVerification(t *testing.T) {
	leakCheck(t)
	primary, backup := newServer(t), newServer(t)
	primary.QueueFault(wxpaytest.Fault{Delay: 10 * time.Second})
	rec := &recorder{}
	c, _ := clientFor(t, backup, primary.URL, func(c *transport.Config) {
		c.BackupURL, c.AttemptTimeout, c.Observer = backup.URL, 200*time.Millisecond, rec.observer()
	})
	if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
		t.Fatal(err)
	}
	if len(rec.fails) != 1 || "http://"+rec.fails[0].To != backup.URL || rec.attempts[0].ErrorClass != "timeout" {
		t.Fatalf("failovers %+v, attempts %+v", rec.fails, rec.attempts)
	}
	if cd := rec.calls[0]; "http://"+cd.Hosts[len(cd.Hosts)-1] != backup.URL {
		t.Errorf("last host %v", cd.Hosts)
	}

	backup.QueueFault(wxpaytest.Fault{TamperBody: true})
	_, err := ecommerce(context.Background(), c)
	var ve *transport.VerificationError
	if !errors.As(err, &ve) || len(rec.verify) != 1 || rec.verify[0].Reason != transport.ReasonBadSignature || rec.verify[0].Status != 200 || rec.verify[0].RequestID == "" {
		t.Fatalf("got %v; verification failures %+v", err, rec.verify)
	}
	if cd := rec.calls[1]; cd.ErrorClass != "verification" || cd.Status != 200 {
		t.Errorf("call %+v", cd)
	}
}

func TestObserverCertificateDownload(t *testing.T) {
	leakCheck(t)
	srv := newServer(t)
	rec := &recorder{}
	c, _ := clientFor(t, srv, srv.URL, func(c *transport.Config) {
		c.Observer = rec.observer()
		c.APIv3Key = srv.Keys().APIv3Key
		c.WechatPayPublicKeyID, c.WechatPayPublicKey, c.PlatformCertificates = "", nil, nil // bootstrap: download first
	})
	if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
		t.Fatal(err)
	}
	if len(rec.certs) != 1 || rec.certs[0].Err != nil || rec.certs[0].Certificates < 1 {
		t.Errorf("certificate downloads %+v", rec.certs)
	}
	if len(rec.waits) != 0 {
		t.Errorf("QueryECommerceBalance has no rate limit, yet waits %+v", rec.waits)
	}
}

func TestObserverRateLimitWait(t *testing.T) {
	srv := newServer(t)
	rec := &recorder{}
	cfg := srv.TransportConfig()
	cfg.Base = &http.Transport{}
	defer cfg.Base.(*http.Transport).CloseIdleConnections()
	cfg.Observer = rec.observer()
	cfg.RateLimits = map[string]transport.RateLimit{"QueryAccountBalance": {QPS: 1, Burst: 1}}
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	for i := 0; i < 2; i++ {
		ct, err := tr.Encrypt("8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f")
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v3/aggracct-bc/wb-channel/account/balance?mchid=1900016681&bal_account_no="+url.QueryEscape(ct), nil)
		resp, err := tr.RoundTrip(req)
		if resp != nil {
			resp.Body.Close()
		}
		if (i == 0) != (err == nil) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if len(rec.waits) != 2 || rec.waits[0].Err != nil || rec.waits[1].Err == nil || rec.waits[1].Key != "QueryAccountBalance mchid=1900016681" {
		t.Fatalf("waits %+v", rec.waits)
	}
	if cd := rec.calls[1]; cd.Attempts != 0 || cd.Err == nil || len(rec.calls) != 2 {
		t.Errorf("calls %+v", rec.calls)
	}
}

func TestClassifyError(t *testing.T) {
	dnsErr := &net.DNSError{Err: "no such host", Name: "x.invalid"}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&transport.VerificationError{Reason: transport.ReasonStale}, "verification"},
		{&transport.RetryError{Err: &transport.APIError{StatusCode: 500}}, "api"},
		{&transport.InputError{}, "input"},
		{context.Canceled, "canceled"},
		{&url.Error{Op: "Get", Err: context.DeadlineExceeded}, "timeout"},
		{os.ErrDeadlineExceeded, "timeout"},
		{&net.OpError{Op: "dial", Err: dnsErr}, "dns"},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, "connection"},
		{transport.ErrRedirect, "redirect"},
		{errors.New("x"), "other"},
	} {
		if got := transport.ClassifyError(tc.err); got != tc.want {
			t.Errorf("ClassifyError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
