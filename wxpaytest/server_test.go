package wxpaytest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

func newClient(t *testing.T, srv *Server) *generated.ClientWithResponses {
	t.Helper()
	c, err := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func encrypt(t *testing.T, srv *Server, plaintext string) string {
	t.Helper()
	ct, err := srv.Client().Transport.(*transport.Transport).Encrypt(plaintext)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func TestDemoDataThroughTransport(t *testing.T) {
	srv := newTestServer(t)
	c := newClient(t, srv)
	ctx := context.Background()

	eb, err := c.QueryECommerceBalanceWithResponse(ctx, DemoSubMchID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if eb.JSON200 == nil {
		t.Fatalf("status %d: %s", eb.StatusCode(), eb.Body)
	}
	if got := eb.JSON200; got.SubMchID != DemoSubMchID || got.AvailableAmount != 10000 || *got.PendingAmount != 1 || *got.AccountType != generated.AccountTypeBasic {
		t.Errorf("demo balance = %+v", got)
	}

	ab, err := c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{
		MchID: "1900016681", BalAccountNo: encrypt(t, srv, DemoBalAccountNo)})
	if err != nil {
		t.Fatal(err)
	}
	if ab.JSON200 == nil || *ab.JSON200.Balance != 1 || *ab.JSON200.InTransitReductionExist {
		t.Fatalf("channel balance: %d %s", ab.StatusCode(), ab.Body)
	}

	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests logged, want 2", len(reqs))
	}
	r := reqs[1]
	if r.Operation != "QueryAccountBalance" || r.Method != "GET" || r.Path != "/v3/aggracct-bc/wb-channel/account/balance" ||
		r.Attempt != 1 || r.Status != 200 || r.SignedWith != srv.Keys().PublicKeyID || r.RequestID == "" {
		t.Errorf("logged %+v", r)
	}
	if r.Time.IsZero() || r.Time.Before(reqs[0].Time) || time.Since(r.Time) > time.Minute {
		t.Errorf("arrival times %v, %v", reqs[0].Time, r.Time)
	}
	if r.Decrypted["bal_account_no"] != DemoBalAccountNo || r.Query.Get("bal_account_no") != DemoBalAccountNo || r.Query.Get("mchid") != "1900016681" {
		t.Errorf("decrypted fields not logged: %+v", r)
	}
	if q, _ := url.ParseQuery(r.RawQuery); q.Get("bal_account_no") == DemoBalAccountNo {
		t.Errorf("RawQuery should hold the ciphertext as sent")
	}
}

func TestBalancesAndDocumentedErrors(t *testing.T) {
	srv := newTestServer(t, WithoutDemoData())
	c := newClient(t, srv)
	ctx := context.Background()
	fees := generated.AccountTypeFees

	r, err := c.QueryECommerceBalanceWithResponse(ctx, DemoSubMchID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode() != http.StatusForbidden || r.JSON403 == nil || r.JSON403.Code != "NO_AUTH" {
		t.Fatalf("unknown sub-merchant: %d %s, want 403 NO_AUTH", r.StatusCode(), r.Body)
	}
	apiErr := transport.NewAPIError(r.StatusCode(), r.HTTPResponse.Header, r.Body)
	if apiErr.Code != "NO_AUTH" || apiErr.RequestID == "" || apiErr.Message != "你无权查询该商户余额" {
		t.Errorf("APIError = %+v", apiErr)
	}

	srv.SetECommerceBalance("1900000200", generated.AccountTypeBasic, 5, 0)
	r, err = c.QueryECommerceBalanceWithResponse(ctx, "1900000200", &generated.QueryECommerceBalanceParams{AccountType: &fees})
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode() != http.StatusBadRequest || r.JSON400.Code != "INVALID_REQUEST" || r.JSON400.Message != "输入账户类型未开通" {
		t.Fatalf("account type not opened: %d %s", r.StatusCode(), r.Body)
	}

	srv.SetECommerceBalance("1900000200", fees, 700, 30)
	r, err = c.QueryECommerceBalanceWithResponse(ctx, "1900000200", &generated.QueryECommerceBalanceParams{AccountType: &fees})
	if err != nil {
		t.Fatal(err)
	}
	if r.JSON200 == nil || r.JSON200.AvailableAmount != 700 || *r.JSON200.PendingAmount != 30 || *r.JSON200.AccountType != fees {
		t.Fatalf("FEES balance: %d %s", r.StatusCode(), r.Body)
	}

	srv.SetAccountBalance("1900000001", "acct-1", 42, true)
	a, err := c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "1900000001", BalAccountNo: encrypt(t, srv, "acct-1")})
	if err != nil {
		t.Fatal(err)
	}
	if a.JSON200 == nil || *a.JSON200.Balance != 42 || !*a.JSON200.InTransitReductionExist {
		t.Fatalf("channel balance: %d %s", a.StatusCode(), a.Body)
	}
	a, err = c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "1900000001", BalAccountNo: encrypt(t, srv, "acct-2")})
	if err != nil {
		t.Fatal(err)
	}
	if a.StatusCode() != http.StatusBadRequest || a.JSON400.Code != "PARAM_ERROR" || !strings.Contains(a.JSON400.Message, "bal_account_no") {
		t.Fatalf("unknown balance account: %d %s", a.StatusCode(), a.Body)
	}
}

// apiErrorOf returns the *transport.APIError a non-2xx answer becomes: the transport may hand
// the response on (then NewAPIError builds it) or, once it stops retrying, return it as the error.
func apiErrorOf(r interface {
	StatusCode() int
}, resp *http.Response, body []byte, err error) (*transport.APIError, bool) {
	var e *transport.APIError
	if errors.As(err, &e) {
		return e, true
	}
	if err == nil && r.StatusCode() >= 300 {
		var h http.Header
		if resp != nil {
			h = resp.Header
		}
		return transport.NewAPIError(r.StatusCode(), h, body), true
	}
	return nil, false
}

// TestFaultsSeenByTransport checks that each fault reaches our real transport, through
// srv.Client() and its default retry policy, as the right error. Each fault is queued for
// more calls than the transport makes attempts; the log shows how many it made.
func TestFaultsSeenByTransport(t *testing.T) {
	srv := newTestServer(t)
	c := newClient(t, srv)
	type result struct {
		r   *generated.QueryECommerceBalanceResponse
		err error
	}
	verification := func(reason transport.Reason) func(*testing.T, result) {
		return func(t *testing.T, res result) {
			var ve *transport.VerificationError
			if !errors.As(res.err, &ve) || ve.Reason != reason {
				t.Fatalf("err = %v, want a VerificationError %q", res.err, reason)
			}
			if ve.RequestID == "" {
				t.Errorf("VerificationError without Request-ID")
			}
		}
	}
	apiError := func(status int, code string, temporary bool) func(*testing.T, result) {
		return func(t *testing.T, res result) {
			var resp *http.Response
			var body []byte
			if res.r != nil {
				resp, body = res.r.HTTPResponse, res.r.Body
			}
			e, ok := apiErrorOf(res.r, resp, body, res.err)
			if !ok {
				t.Fatalf("err = %v, want an APIError %d %s", res.err, status, code)
			}
			if e.StatusCode != status || e.Code != code || e.Temporary() != temporary || e.RequestID == "" || e.Message == "" {
				t.Fatalf("APIError = %+v, want %d %s", e, status, code)
			}
		}
	}
	tests := []struct {
		name     string
		fault    Fault
		timeout  time.Duration
		attempts int // requests the server should see
		check    func(*testing.T, result)
	}{
		{"tampered body", Fault{TamperBody: true}, 0, 1, verification(transport.ReasonBadSignature)},
		{"stale timestamp", Fault{StaleTimestamp: true}, 0, 1, verification(transport.ReasonStale)},
		{"signature probe", Fault{Probe: true}, 0, 1, verification(transport.ReasonProbe)},
		{"dropped connection", Fault{Drop: true}, 0, transport.DefaultMaxAttempts, func(t *testing.T, res result) {
			var ve *transport.VerificationError
			var ae *transport.APIError
			if res.err == nil || errors.As(res.err, &ve) || errors.As(res.err, &ae) || errors.Is(res.err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want a network error", res.err)
			}
			if !errors.Is(res.err, io.EOF) {
				t.Errorf("err = %v, want a closed connection (EOF)", res.err)
			}
		}},
		{"system error", Fault{Status: 500}, 0, transport.DefaultMaxAttempts, apiError(500, "SYSTEM_ERROR", true)},
		{"rate limited, Retry-After too long to wait", Fault{Status: 429, RetryAfter: 10 * time.Minute}, 0, 1, func(t *testing.T, res result) {
			apiError(429, "FREQUENCY_LIMITED", true)(t, res)
			var e *transport.APIError
			if errors.As(res.err, &e) {
				if got := e.Header.Get("Retry-After"); got != "600" {
					t.Errorf("Retry-After = %q, want 600", got)
				}
				if e.Message != "频率限制" {
					t.Errorf("message %q should be openapi.yaml's description of FREQUENCY_LIMITED", e.Message)
				}
			}
		}},
		{"custom code", Fault{Status: 403, Code: "NOT_ENOUGH", Message: "二级商户号账户可用余额不足"}, 0, 1, apiError(403, "NOT_ENOUGH", false)},
		{"delay past the deadline", Fault{Delay: time.Hour}, 200 * time.Millisecond, 1, func(t *testing.T, res result) {
			if !errors.Is(res.err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want context.DeadlineExceeded", res.err)
			}
		}},
		{"delay within the deadline", Fault{Delay: 50 * time.Millisecond}, 5 * time.Second, 1, func(t *testing.T, res result) {
			if res.err != nil || res.r.JSON200 == nil {
				t.Fatalf("err = %v, want 200", res.err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetRequests()
			tt.fault.Times = 10
			srv.QueueFault(tt.fault)
			defer srv.ClearFaults()
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			r, err := c.QueryECommerceBalanceWithResponse(ctx, DemoSubMchID, nil)
			tt.check(t, result{r, err})
			if tt.fault.Drop { // at least attempts: net/http resends a GET dropped on a reused connection
				if n := len(srv.Requests()); n < tt.attempts {
					t.Fatalf("server saw %d requests, want at least %d", n, tt.attempts)
				}
			} else {
				waitForLog(t, srv, tt.attempts)
			}
			for i, rq := range srv.Requests() {
				if rq.Attempt != i+1 || rq.Fault == "" {
					t.Errorf("request %d logged as %+v", i, rq)
				}
			}

			// With the fault cleared, the next call succeeds.
			srv.ClearFaults()
			r, err = c.QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil)
			if err != nil || r.JSON200 == nil {
				t.Fatalf("after the fault: err = %v", err)
			}
		})
	}
}

// waitForLog waits until the server has logged n requests (a cancelled request is logged
// when the server notices), and fails if it logs another.
func waitForLog(t *testing.T, srv *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.Requests()) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := len(srv.Requests()); got != n {
		t.Fatalf("server saw %d requests, want %d", got, n)
	}
}

// TestRetriedFaultIsTransparent: one 500 and the transport's retry succeeds; the log shows two attempts.
func TestRetriedFaultIsTransparent(t *testing.T) {
	srv := newTestServer(t)
	srv.QueueFault(Fault{Status: 500})
	r, err := newClient(t, srv).QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil)
	if err != nil || r.JSON200 == nil {
		t.Fatalf("err = %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Status != 500 || reqs[1].Status != 200 || reqs[1].Attempt != 2 {
		t.Fatalf("log = %+v", reqs)
	}
}

// singleAttemptClient is a generated client over a transport that never retries.
func singleAttemptClient(t *testing.T, srv *Server) *generated.ClientWithResponses {
	t.Helper()
	cfg := srv.TransportConfig()
	cfg.MaxAttempts = 1
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	cfg.Base = base
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFaultTimesOperationAndAttempts(t *testing.T) {
	srv := newTestServer(t)
	c := singleAttemptClient(t, srv)
	ctx := context.Background()
	srv.QueueFault(Fault{Operation: "QueryAccountBalance", Status: 500})
	srv.QueueFault(Fault{Operation: "QueryECommerceBalance", Times: 2, Status: 503})
	if srv.PendingFaults() != 3 {
		t.Errorf("PendingFaults = %d, want 3", srv.PendingFaults())
	}

	for i, want := range []int{503, 503, 200} {
		r, err := c.QueryECommerceBalanceWithResponse(ctx, DemoSubMchID, nil)
		status := 200
		if e, ok := apiErrorOf(r, nil, nil, err); ok {
			status = e.StatusCode
		} else if err != nil {
			t.Fatal(err)
		}
		if status != want {
			t.Fatalf("call %d: status %d, want %d", i+1, status, want)
		}
	}
	reqs := srv.Requests()
	for i, r := range reqs {
		if r.Attempt != i+1 {
			t.Errorf("request %d: Attempt %d", i, r.Attempt)
		}
	}
	if reqs[0].Code != "SYSTEM_ERROR" || reqs[0].Fault == "" || reqs[2].Fault != "" {
		t.Errorf("log = %+v", reqs)
	}
	// The QueryAccountBalance fault is still queued, untouched by the other operation.
	a, err := c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "1900000001", BalAccountNo: encrypt(t, srv, DemoBalAccountNo)})
	if e, ok := apiErrorOf(a, nil, nil, err); !ok || e.StatusCode != 500 {
		t.Fatalf("QueryAccountBalance fault: %v", err)
	}
	// A different request starts its own attempt count.
	basic := generated.AccountTypeBasic
	if _, err := c.QueryECommerceBalanceWithResponse(ctx, DemoSubMchID, &generated.QueryECommerceBalanceParams{AccountType: &basic}); err != nil {
		t.Fatal(err)
	}
	if last := srv.Requests()[len(srv.Requests())-1]; last.Attempt != 1 {
		t.Errorf("new request: Attempt %d, want 1", last.Attempt)
	}
	srv.ResetRequests()
	if len(srv.Requests()) != 0 {
		t.Errorf("ResetRequests left requests")
	}
}

// TestSharedIdentity: two servers with one Keys are the same WeChat Pay to a client.
func TestSharedIdentity(t *testing.T) {
	primary := newTestServer(t)
	backup := newTestServer(t)
	primary.QueueFault(Fault{Drop: true})
	c := singleAttemptClient(t, primary)
	if _, err := c.QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil); err == nil {
		t.Fatal("primary should drop the connection")
	}
	c2, err := generated.NewClientWithResponses(backup.URL, generated.WithHTTPClient(primary.Client()))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c2.QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil)
	if err != nil || r.JSON200 == nil {
		t.Fatalf("backup: %v", err)
	}
}

// TestSignWithPlatformCertificate: the transport verifies answers signed with the platform key.
func TestSignWithPlatformCertificate(t *testing.T) {
	srv := newTestServer(t)
	if err := srv.SignWith("NOPE"); err == nil {
		t.Error("SignWith accepted an unknown serial")
	}
	if err := srv.SignWith(srv.Keys().PlatformSerial()); err != nil {
		t.Fatal(err)
	}
	r, err := newClient(t, srv).QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil)
	if err != nil || r.JSON200 == nil {
		t.Fatalf("err = %v", err)
	}
	if got := r.HTTPResponse.Header.Get("Wechatpay-Serial"); got != srv.Keys().PlatformSerial() {
		t.Errorf("signed with %q", got)
	}
}

func TestWithHandler(t *testing.T) {
	srv := newTestServer(t, WithHandler("/docs", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("docs"))
	})))
	resp, err := http.Get(srv.URL + "/docs")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/docs: %d", resp.StatusCode)
	}
	if _, err := newClient(t, srv).QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil); err != nil {
		t.Fatal(err)
	}
}

func TestCloseCutsDelayShort(t *testing.T) {
	srv := NewServer(WithKeys(testKeys(t)))
	srv.QueueFault(Fault{Delay: time.Hour})
	done := make(chan error, 1)
	c := newClient(t, srv)
	go func() {
		_, err := c.QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil)
		done <- err
	}()
	for srv.PendingFaults() > 0 { // wait until the request holds the fault
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close blocked on a delayed request")
	}
	if err := <-done; err != nil {
		t.Fatalf("delayed request: %v", err)
	}
}

func TestOpenBusyAddress(t *testing.T) {
	srv := newTestServer(t)
	if _, err := Open(WithKeys(testKeys(t)), WithAddr(strings.TrimPrefix(srv.URL, "http://"))); err == nil {
		t.Fatal("Open on a busy address succeeded")
	}
	if _, err := Open(WithKeys(&Keys{})); err == nil {
		t.Fatal("Open with empty Keys succeeded")
	}
}
