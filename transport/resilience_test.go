package transport_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

var (
	srvKeysOnce sync.Once
	srvKeys     *wxpaytest.Keys
)

// sharedKeys returns one wxpaytest identity for the whole test binary (RSA keys are slow to make).
func sharedKeys(t testing.TB) *wxpaytest.Keys {
	srvKeysOnce.Do(func() {
		k, err := wxpaytest.NewKeys()
		if err != nil {
			panic(err)
		}
		srvKeys = k
	})
	return srvKeys
}

func newServer(t *testing.T, opts ...wxpaytest.Option) *wxpaytest.Server {
	t.Helper()
	srv := wxpaytest.NewServer(append([]wxpaytest.Option{wxpaytest.WithKeys(sharedKeys(t))}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// ownServer starts a server with an identity of its own, for tests that rotate keys
// (which would change the identity sharedKeys gives every other test).
func ownServer(t *testing.T) (*wxpaytest.Keys, *wxpaytest.Server) {
	t.Helper()
	keys, err := wxpaytest.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	return keys, newServer(t, wxpaytest.WithKeys(keys))
}

// leakCheck fails t if goroutines outlive it; registered first, it runs after every other cleanup.
func leakCheck(t *testing.T) { t.Cleanup(func() { goleak.VerifyNone(t) }) }

// logBuffer captures slog records as JSON lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// clientFor builds a generated client for baseURL over a transport configured for srv.
func clientFor(t *testing.T, srv *wxpaytest.Server, baseURL string, edit func(*transport.Config)) (*generated.ClientWithResponses, *logBuffer) {
	t.Helper()
	c, _, logs := clientAndTransportFor(t, srv, baseURL, edit)
	return c, logs
}

// clientAndTransportFor is clientFor that also returns the Transport.
func clientAndTransportFor(t *testing.T, srv *wxpaytest.Server, baseURL string, edit func(*transport.Config)) (*generated.ClientWithResponses, *transport.Transport, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg := srv.TransportConfig()
	cfg.Base = &http.Transport{}
	t.Cleanup(cfg.Base.(*http.Transport).CloseIdleConnections)
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Backoff = func(int) time.Duration { return time.Millisecond }
	if edit != nil {
		edit(&cfg)
	}
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	c, err := generated.NewClientWithResponses(baseURL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	return c, tr, logs
}

func ecommerce(ctx context.Context, c *generated.ClientWithResponses) (*generated.QueryECommerceBalanceResponse, error) {
	return c.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil)
}

func TestRetries(t *testing.T) {
	leakCheck(t)
	t.Run("500 once then success on attempt 2", func(t *testing.T) {
		srv := newServer(t)
		srv.QueueFault(wxpaytest.Fault{Status: 500})
		c, logs := clientFor(t, srv, srv.URL, nil)
		if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
			t.Fatal(err)
		}
		reqs := srv.Requests()
		if len(reqs) != 2 || reqs[0].Status != 500 || reqs[1].Status != 200 || reqs[1].Attempt != 2 {
			t.Errorf("request log %+v", reqs)
		}
		if !strings.Contains(logs.String(), `"msg":"wxpay retry"`) {
			t.Errorf("no retry record in the logs:\n%s", logs)
		}
	})
	t.Run("500 always gives up after MaxAttempts", func(t *testing.T) {
		srv := newServer(t)
		srv.QueueFault(wxpaytest.Fault{Status: 500, Times: 10})
		c, _ := clientFor(t, srv, srv.URL, func(c *transport.Config) { c.MaxAttempts = 4 })
		_, err := wxpay.Result(ecommerce(context.Background(), c))
		var re *transport.RetryError
		var ae *wxpay.APIError
		if !errors.As(err, &re) || re.Attempts != 4 || !errors.As(err, &ae) || ae.Code != "SYSTEM_ERROR" {
			t.Fatalf("got %v; want a RetryError of 4 attempts wrapping SYSTEM_ERROR", err)
		}
		if !strings.Contains(err.Error(), "4 attempts") {
			t.Errorf("error does not say how many attempts: %v", err)
		}
		if n := len(srv.Requests()); n != 4 {
			t.Errorf("server saw %d attempts, want 4", n)
		}
	})
	t.Run("MaxAttempts 1 disables retries", func(t *testing.T) {
		srv := newServer(t)
		srv.QueueFault(wxpaytest.Fault{Status: 500, Times: 10})
		c, _ := clientFor(t, srv, srv.URL, func(c *transport.Config) { c.MaxAttempts = 1 })
		resp, err := ecommerce(context.Background(), c)
		if err != nil || resp.StatusCode() != 500 || len(srv.Requests()) != 1 {
			t.Fatalf("got %v %v, %d requests", resp, err, len(srv.Requests()))
		}
	})
	t.Run("429 with Retry-After waits that long", func(t *testing.T) {
		srv := newServer(t)
		srv.QueueFault(wxpaytest.Fault{Status: 429, RetryAfter: time.Second})
		c, logs := clientFor(t, srv, srv.URL, nil)
		start := time.Now()
		if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < time.Second {
			t.Errorf("retried after %v, before Retry-After's 1s", waited)
		}
		if !strings.Contains(logs.String(), `"wait":1000000000`) {
			t.Errorf("the retry record does not show the 1s wait:\n%s", logs)
		}
		if n := len(srv.Requests()); n != 2 {
			t.Errorf("%d attempts, want 2", n)
		}
	})
	t.Run("Retry-After past the deadline gives up at once", func(t *testing.T) {
		srv := newServer(t)
		srv.QueueFault(wxpaytest.Fault{Status: 429, RetryAfter: 5 * time.Second})
		c, _ := clientFor(t, srv, srv.URL, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		resp, err := ecommerce(ctx, c)
		if err != nil || resp.StatusCode() != 429 || ctx.Err() != nil {
			t.Fatalf("got %v, %v (ctx %v); want the lone 429 answer back, before the deadline", resp, err, ctx.Err())
		}
		_, err = wxpay.Result(resp, err)
		var ae *wxpay.APIError
		if !errors.As(err, &ae) || ae.Code != "FREQUENCY_LIMITED" {
			t.Fatalf("Result: %v; want FREQUENCY_LIMITED", err)
		}
	})
	t.Run("400 is not retried", func(t *testing.T) {
		srv := newServer(t)
		srv.QueueFault(wxpaytest.Fault{Status: 400, Code: "INVALID_REQUEST", Times: 5})
		c, _ := clientFor(t, srv, srv.URL, nil)
		_, err := wxpay.Result(ecommerce(context.Background(), c))
		var ae *wxpay.APIError
		var re *transport.RetryError
		if !errors.As(err, &ae) || ae.StatusCode != 400 || errors.As(err, &re) || len(srv.Requests()) != 1 {
			t.Fatalf("got %v after %d requests; want one 400", err, len(srv.Requests()))
		}
	})
	t.Run("verification failure is not retried", func(t *testing.T) {
		srv := newServer(t)
		srv.QueueFault(wxpaytest.Fault{TamperBody: true, Times: 5})
		c, _ := clientFor(t, srv, srv.URL, nil)
		_, err := wxpay.Result(ecommerce(context.Background(), c))
		var ve *transport.VerificationError
		if !errors.As(err, &ve) || len(srv.Requests()) != 1 {
			t.Fatalf("got %v after %d requests", err, len(srv.Requests()))
		}
	})
}

// closedURL returns a loopback URL on which nothing listens.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestFailover(t *testing.T) {
	leakCheck(t)
	t.Run("closed primary port: the backup answers", func(t *testing.T) {
		backup := newServer(t)
		c, logs := clientFor(t, backup, closedURL(t), func(c *transport.Config) { c.BackupURL = backup.URL })
		resp, err := ecommerce(context.Background(), c)
		if _, err := wxpay.Result(resp, err); err != nil {
			t.Fatal(err)
		}
		if got := resp.HTTPResponse.Request.URL.Host; "http://"+got != backup.URL {
			t.Errorf("answered by %s, want the backup %s", got, backup.URL)
		}
		if !strings.Contains(logs.String(), `"msg":"wxpay failover"`) {
			t.Errorf("no failover record:\n%s", logs)
		}
	})
	t.Run("hanging primary: backup, cool-down, then primary again", func(t *testing.T) {
		primary, backup := newServer(t), newServer(t)
		primary.QueueFault(wxpaytest.Fault{Delay: 10 * time.Second})
		c, tr, _ := clientAndTransportFor(t, backup, primary.URL, func(c *transport.Config) {
			c.BackupURL, c.AttemptTimeout, c.FailoverCooldown = backup.URL, 200*time.Millisecond, 500*time.Millisecond
		})
		// The cool-down is kept in the Transport's clock: a clock that moves only when the
		// test moves it, so a slow machine cannot end the cool-down between the calls.
		start, offset := time.Now(), atomic.Int64{}
		transport.SetClock(tr, func() time.Time { return start.Add(time.Duration(offset.Load())) })
		if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
			t.Fatal(err)
		}
		if p, b := len(primary.Requests()), len(backup.Requests()); p != 1 || b != 1 {
			t.Fatalf("primary saw %d, backup %d; want 1 and 1", p, b)
		}
		if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
			t.Fatal(err)
		}
		if p, b := len(primary.Requests()), len(backup.Requests()); p != 1 || b != 2 {
			t.Fatalf("within the cool-down: primary saw %d, backup %d; want 1 and 2", p, b)
		}
		offset.Add(int64(600 * time.Millisecond))
		if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
			t.Fatal(err)
		}
		if p, b := len(primary.Requests()), len(backup.Requests()); p != 2 || b != 2 {
			t.Fatalf("after the cool-down: primary saw %d, backup %d; want 2 and 2", p, b)
		}
	})
	t.Run("no backup for other hosts by default", func(t *testing.T) {
		srv := newServer(t)
		c, _ := clientFor(t, srv, closedURL(t), nil)
		_, err := wxpay.Result(ecommerce(context.Background(), c))
		var re *transport.RetryError
		if !errors.As(err, &re) || re.Attempts != 3 || len(srv.Requests()) != 0 {
			t.Fatalf("got %v", err)
		}
		for _, h := range re.Hosts {
			if "http://"+h == srv.URL {
				t.Errorf("failed over to %s without a BackupURL", h)
			}
		}
	})
}

// timingLimiter wraps the default limiter and records the longest wait.
type timingLimiter struct {
	inner   transport.Limiter
	mu      sync.Mutex
	longest time.Duration
	keys    map[string]int
}

func (l *timingLimiter) Wait(ctx context.Context, key string, limit transport.RateLimit) error {
	start := time.Now()
	err := l.inner.Wait(ctx, key, limit)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.longest = max(l.longest, time.Since(start))
	l.keys[key]++
	return err
}

func TestChannelRateLimitPerMerchant(t *testing.T) {
	leakCheck(t)
	srv := newServer(t)
	// The server keeps channel quotas per target merchant: give the second one the account too.
	srv.SetAccountBalance("1900016682", wxpaytest.DemoBalAccountNo, 1, false)
	run := func(merchants ...string) (time.Duration, *timingLimiter) {
		lim := &timingLimiter{inner: transport.NewLocalLimiter(), keys: map[string]int{}}
		var tr *transport.Transport
		cfg := srv.TransportConfig()
		cfg.Base, cfg.Limiter = &http.Transport{MaxIdleConnsPerHost: 16}, lim
		defer cfg.Base.(*http.Transport).CloseIdleConnections()
		tr, err := transport.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
		ct, err := tr.Encrypt("8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f")
		if err != nil {
			t.Fatal(err)
		}
		jobs := make(chan string)
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for m := range jobs {
					if _, err := wxpay.Result(c.QueryAccountBalanceWithResponse(context.Background(),
						&generated.QueryAccountBalanceParams{MchID: m, BalAccountNo: ct})); err != nil {
						t.Error(err)
					}
				}
			})
		}
		start := time.Now()
		for i := range 300 {
			jobs <- merchants[i%len(merchants)]
		}
		close(jobs)
		wg.Wait()
		return time.Since(start), lim
	}
	elapsed, lim := run("1900016681")
	if elapsed < 2*time.Second {
		t.Errorf("300 calls for one merchant took %v; the 100 qps limit needs at least 2s", elapsed)
	}
	if len(lim.keys) != 1 {
		t.Errorf("limiter keys %v", lim.keys)
	}
	_, lim = run("1900016681", "1900016682")
	if len(lim.keys) != 2 || lim.longest >= 2*time.Second {
		t.Errorf("two merchants: keys %v, longest wait %v; each merchant has its own 100 qps", lim.keys, lim.longest)
	}
}

func TestPlatformCertificateRotation(t *testing.T) {
	leakCheck(t)
	// Rotation changes the identity, so this test makes its own.
	keys, srv := ownServer(t)
	certOnly := func(cfg *transport.Config) { // verify by platform certificates only
		cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey = "", nil
	}

	// Pinned to the first certificate: a rotation is an unknown serial.
	pinned, _ := clientFor(t, srv, srv.URL, certOnly)
	// With the APIv3 key: the client downloads the new certificate and carries on.
	auto, logs := clientFor(t, srv, srv.URL, func(cfg *transport.Config) {
		certOnly(cfg)
		cfg.APIv3Key = keys.APIv3Key
	})
	for name, c := range map[string]*generated.ClientWithResponses{"pinned": pinned, "auto": auto} {
		if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
			t.Fatalf("%s, before the rotation: %v", name, err)
		}
	}
	newSerial, err := srv.RotatePlatformCertificate()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		resp, err := ecommerce(context.Background(), auto)
		if _, err := wxpay.Result(resp, err); err != nil {
			t.Fatalf("auto-download, call %d after the rotation: %v\n%s", i+1, err, logs)
		}
		if got := resp.HTTPResponse.Header.Get("Wechatpay-Serial"); got != newSerial {
			t.Errorf("answer signed by %s, want the new certificate %s", got, newSerial)
		}
	}
	downloads := 0
	for _, r := range srv.Requests() {
		if r.Operation == "ListCertificates" {
			downloads++
		}
	}
	if downloads != 1 {
		t.Errorf("%d certificate downloads, want exactly 1 (on the first unknown serial)", downloads)
	}
	_, err = wxpay.Result(ecommerce(context.Background(), pinned))
	var ve *transport.VerificationError
	if !errors.As(err, &ve) || ve.Reason != transport.ReasonUnknownSerial || ve.Serial != newSerial {
		t.Fatalf("pinned client after the rotation: %v; want an unknown-serial VerificationError", err)
	}
}

func TestCertificateBootstrapAndBackgroundRefresh(t *testing.T) {
	leakCheck(t)
	keys, srv := ownServer(t)
	cfg := srv.TransportConfig()
	cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.PlatformCertificates = "", nil, nil // nothing trusted yet
	cfg.APIv3Key = keys.APIv3Key
	cfg.Base = &http.Transport{}
	defer cfg.Base.(*http.Transport).CloseIdleConnections()
	tr, err := transport.NewWithCertificateRefresh(cfg, 50*time.Millisecond) // below MinCertificateRefresh: tests only
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c, _ := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
		t.Fatalf("bootstrapping from GET /v3/certificates: %v", err)
	}
	// Wait for a background refresh (every 50 ms) rather than sleeping a fixed time: on a
	// loaded machine 300 ms could pass without one.
	n := 0
	for deadline := time.Now().Add(30 * time.Second); n < 2 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		n = 0
		for _, r := range srv.Requests() {
			if r.Operation == "ListCertificates" && r.Status == 200 {
				n++
			}
		}
	}
	if n < 2 {
		t.Errorf("%d certificate downloads; want the bootstrap plus background refreshes", n)
	}
	// A wrong APIv3 key never yields a trusted key.
	cfg.APIv3Key = transport.NewSecret([]byte(strings.Repeat("x", 32)))
	bad, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	c, _ = generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: bad}))
	if _, err := wxpay.Result(ecommerce(context.Background(), c)); err == nil || !strings.Contains(err.Error(), "APIv3 key") {
		t.Errorf("with a wrong APIv3 key: %v", err)
	}
}

func TestConcurrentCallsThroughARotationAllSucceed(t *testing.T) {
	leakCheck(t)
	keys, srv := ownServer(t)
	c, _ := clientFor(t, srv, srv.URL, func(cfg *transport.Config) {
		cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.APIv3Key = "", nil, keys.APIv3Key
	})
	if _, err := srv.RotatePlatformCertificate(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 { // all meet the unknown serial at once; one downloads, all verify
		wg.Go(func() {
			if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func TestRefreshCertificatesBeforeEncryptWithOnlyTheAPIv3Key(t *testing.T) {
	leakCheck(t)
	keys, srv := ownServer(t)
	cfg := srv.TransportConfig()
	cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey, cfg.PlatformCertificates, cfg.APIv3Key = "", nil, nil, keys.APIv3Key
	cfg.Base = &http.Transport{}
	defer cfg.Base.(*http.Transport).CloseIdleConnections()
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Encrypt("8609cb22"); err == nil || !strings.Contains(err.Error(), "RefreshCertificates") {
		t.Fatalf("Encrypt with no key yet: %v; want advice to call RefreshCertificates", err)
	}
	// RefreshCertificates downloads from the host requests last went to; before any request
	// that is openapi.yaml's primary server, which a loopback test must not reach, so one
	// call to this server comes first (it also bootstraps on its own).
	c, _ := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if _, err := wxpay.Result(ecommerce(context.Background(), c)); err != nil {
		t.Fatal(err)
	}
	if err := tr.RefreshCertificates(context.Background()); err != nil {
		t.Fatalf("RefreshCertificates after a call: %v", err)
	}
	ct, err := tr.Encrypt(wxpaytest.DemoBalAccountNo)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wxpay.Result(c.QueryAccountBalanceWithResponse(context.Background(),
		&generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: ct})); err != nil {
		t.Fatal(err)
	}
	plain, err := transport.New(srv.TransportConfig())
	if err != nil {
		t.Fatal(err)
	}
	var ce *transport.ConfigError
	if err := plain.RefreshCertificates(context.Background()); !errors.As(err, &ce) || ce.Field != "APIv3Key" {
		t.Errorf("RefreshCertificates without APIv3Key: %v", err)
	}
}
