package transport_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// TestCancelledWhileWaitingToRetryKeepsTheLastAnswer: a caller who cancels while the
// transport waits to retry gets the last attempt's outcome, not a bare context error — a
// lone 500 answer as a response (http.RoundTripper contract), and after several attempts a
// RetryError whose chain holds both the *APIError (with its Request-ID) and context.Canceled.
func TestCancelledWhileWaitingToRetryKeepsTheLastAnswer(t *testing.T) {
	leakCheck(t)
	for _, attempts := range []int{1, 2} {
		t.Run(map[int]string{1: "after one attempt", 2: "after two attempts"}[attempts], func(t *testing.T) {
			srv := newServer(t)
			srv.QueueFault(wxpaytest.Fault{Status: 500, Times: 10})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c, _ := clientFor(t, srv, srv.URL, func(cfg *transport.Config) {
				cfg.Backoff = func(n int) time.Duration {
					if n == attempts {
						cancel() // the caller gives up while the transport waits
					}
					return time.Millisecond
				}
				if attempts == 1 {
					cfg.Backoff = func(int) time.Duration { cancel(); return time.Minute }
				}
			})
			resp, err := ecommerce(ctx, c)
			if n := len(srv.Requests()); n != attempts {
				t.Fatalf("%d attempts, want %d", n, attempts)
			}
			if attempts == 1 {
				if err != nil || resp.StatusCode() != 500 {
					t.Fatalf("got %v, %v; want the lone 500 answer as a response", resp, err)
				}
			}
			_, err = wxpay.Result(resp, err)
			var ae *wxpay.APIError
			if !errors.As(err, &ae) || ae.Code != "SYSTEM_ERROR" || ae.RequestID == "" {
				t.Fatalf("got %v; want the last attempt's SYSTEM_ERROR with its Request-ID", err)
			}
			if attempts > 1 {
				var re *transport.RetryError
				if !errors.As(err, &re) || re.Attempts != attempts || !errors.Is(err, context.Canceled) {
					t.Errorf("got %v; want a RetryError of %d attempts, also saying the context was cancelled", err, attempts)
				}
			}
		})
	}
}

// TestHugeRetryAfterEndsTheRetries: a Retry-After too large for a time.Duration (10^10 s)
// or for an int64 (10^20 s) is longer than any wait the transport honours, so the lone 429
// answer goes back at once — it must not overflow into a negative wait, or be ignored, and
// be retried at once.
func TestHugeRetryAfterEndsTheRetries(t *testing.T) {
	for _, ra := range []string{"10000000000", "100000000000000000000"} {
		t.Run(ra, func(t *testing.T) {
			f := newFakeWechatPay(t)
			f.set(func(f *fakeWechatPay) {
				f.status = 429
				f.body = `{"code":"FREQUENCY_LIMITED","message":"too fast"}`
				f.tamper = func(h http.Header, b []byte) []byte { h.Set("Retry-After", ra); return b }
			})
			c, _ := newClient(t, f)
			resp, err := c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil)
			if err != nil || resp.StatusCode() != 429 {
				t.Fatalf("got %v, %v; want the 429 answer", resp, err)
			}
			if n := f.hits.Load(); n != 1 {
				t.Errorf("%d attempts; a Retry-After of %s s allows no retry", n, ra)
			}
		})
	}
}

// TestTruncatedAnswerNamesItsRequestID: a 2xx answer whose body breaks off (the server
// promises 100 bytes and hangs up after 10) is a *VerificationError with
// ReasonBodyRead, the Request-ID and the read error in its chain — and, being a network
// failure rather than a bad signature, it is retried like one.
func TestTruncatedAnswerNamesItsRequestID(t *testing.T) {
	var hits atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		ts := itoa(time.Now().Unix())
		const nonce = "593BEC0C930BF1AFEB40B4A08C8FB242"
		body := []byte(`{"sub_mchid":"1900000109","available_amount":1}`)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Wechatpay-Timestamp", ts)
		h.Set("Wechatpay-Nonce", nonce)
		h.Set("Wechatpay-Signature", signWith(theKeys(t).wechat, ts, nonce, body))
		h.Set("Wechatpay-Serial", testPubKeyID)
		h.Set("Request-ID", "08F78BB5AF0610D302A8F2D15628A3FE5E")
		h.Set("Content-Length", "100")
		w.WriteHeader(200)
		_, _ = w.Write(body[:10])
		_ = http.NewResponseController(w).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(hs.Close)
	for _, attempts := range []int{1, 2} {
		hits.Store(0)
		cfg := goodConfig(t)
		cfg.MaxAttempts, cfg.Backoff = attempts, func(int) time.Duration { return time.Millisecond }
		tr, err := transport.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := generated.NewClientWithResponses(hs.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
		_, err = wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil))
		var ve *transport.VerificationError
		if !errors.As(err, &ve) || ve.Reason != transport.ReasonBodyRead || ve.RequestID != "08F78BB5AF0610D302A8F2D15628A3FE5E" ||
			!errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("MaxAttempts %d: got %v; want a ReasonBodyRead VerificationError with the Request-ID, wrapping io.ErrUnexpectedEOF", attempts, err)
		}
		if n := hits.Load(); n != int64(attempts) {
			t.Errorf("MaxAttempts %d: %d attempts; a broken-off answer is retried", attempts, n)
		}
	}
}

// TestTemporaryMeansRetried: APIError.Temporary says "retrying later may succeed" exactly
// for the answers the transport itself retries (429, and 5xx but 501), judged by the
// status, whatever code the body carries.
func TestTemporaryMeansRetried(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 429, 500, 501, 502, 503} {
		f := newFakeWechatPay(t)
		f.set(func(f *fakeWechatPay) {
			f.status = status
			f.body = `{"code":"SYSTEM_ERROR","message":"a code that does not match the status"}`
		})
		cfg := goodConfig(t)
		cfg.MaxAttempts, cfg.Backoff = 2, func(int) time.Duration { return time.Millisecond }
		tr, err := transport.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := generated.NewClientWithResponses(f.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
		_, err = wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil))
		var ae *wxpay.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("HTTP %d: got %v, want an APIError", status, err)
		}
		if retried := f.hits.Load() == 2; ae.Temporary() != retried {
			t.Errorf("HTTP %d: Temporary() = %v, but the transport retried: %v", status, ae.Temporary(), retried)
		}
	}
}

// TestDefaultBackoffBounds: DefaultBackoff is exported for use in custom Backoff funcs; any
// attempt number gives a wait in [0, min(5s, 200ms·2^(n-1))] — no panic for n < 1.
func TestDefaultBackoffBounds(t *testing.T) {
	for _, n := range []int{-1, 0, 1, 2, 3, 6, 7, 1000} {
		ceil := 200 * time.Millisecond
		for i := 1; i < n && ceil < 5*time.Second; i++ {
			ceil *= 2
		}
		ceil = min(ceil, 5*time.Second)
		for range 100 {
			var d time.Duration
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("DefaultBackoff(%d) panicked: %v", n, r)
					}
				}()
				d = transport.DefaultBackoff(n)
			}()
			if d < 0 || d > ceil {
				t.Fatalf("DefaultBackoff(%d) = %v, want within [0, %v]", n, d, ceil)
			}
		}
	}
}

// TestLocalLimiterZeroValue: a LocalLimiter declared without NewLocalLimiter (as Go
// types usually allow) limits like one made with it — no panic on a nil map.
func TestLocalLimiterZeroValue(t *testing.T) {
	var l transport.LocalLimiter
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Wait on a zero LocalLimiter panicked: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lim := transport.RateLimit{QPS: 0.001, Burst: 1} // one token, then none for ~17 minutes
	if err := l.Wait(ctx, "k", lim); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(ctx, "k", lim); err == nil {
		t.Error("the second Wait passed: the bucket was not kept")
	}
}

// TestHugeMaxResponseBytes: a MaxResponseBytes of math.MaxInt64 ("no limit") reads whole
// answers; the limit+1 read bound must not overflow into reading nothing.
func TestHugeMaxResponseBytes(t *testing.T) {
	f := newFakeWechatPay(t)
	cfg := goodConfig(t)
	cfg.MaxResponseBytes = math.MaxInt64
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := generated.NewClientWithResponses(f.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	bal, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil))
	if err != nil || bal.AvailableAmount != 10000 {
		t.Fatalf("got %+v, %v", bal, err)
	}
}
