package transport_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// baseFunc is a Base made of a function.
type baseFunc func(*http.Request) (*http.Response, error)

func (f baseFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// TestBaseReturningNilNilIsAnError: a Base that returns neither a response nor an error
// made every call panic; now it is an error naming the Base, for calls and downloads.
func TestBaseReturningNilNilIsAnError(t *testing.T) {
	cfg := identity(t, true)
	cfg.Base = baseFunc(func(*http.Request) (*http.Response, error) { return nil, nil })
	cfg.MaxAttempts = 1
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c, _ := generated.NewClientWithResponses("https://api.mch.weixin.qq.com", generated.WithHTTPClient(&http.Client{Transport: tr}))
	_, err = c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil)
	if err == nil || !strings.Contains(err.Error(), "nil *http.Response") {
		t.Errorf("call: err = %v, want one about the Base's nil response", err)
	}
	if err := tr.RefreshCertificates(context.Background()); err == nil || !strings.Contains(err.Error(), "nil *http.Response") {
		t.Errorf("RefreshCertificates: err = %v, want one about the Base's nil response", err)
	}
}

// TestRoundTripWithNilURLOrHeader: RoundTrip called directly returns an error for a request
// net/http would refuse (nil URL, nil Header, nil request) and closes its body; it panicked.
func TestRoundTripWithNilURLOrHeader(t *testing.T) {
	tr, err := transport.New(identity(t, false))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://api.mch.weixin.qq.com/v3/ecommerce/fund/balance/1900000109")
	for name, req := range map[string]*http.Request{
		"nil URL":    {Method: http.MethodGet, Header: http.Header{}},
		"nil Header": {Method: http.MethodGet, URL: u},
	} {
		body := &closeCounter{Reader: strings.NewReader("")}
		req.Body = body
		resp, err := tr.RoundTrip(req)
		if resp != nil || err == nil {
			t.Errorf("%s: got %v, %v; want an error", name, resp, err)
		}
		if body.closes != 1 {
			t.Errorf("%s: body closed %d times, want 1", name, body.closes)
		}
	}
	if _, err := tr.RoundTrip(nil); err == nil {
		t.Error("nil request: no error")
	}
}

// TestBackgroundRefreshSurvivesPanics: a background certificate refresh whose Base returns
// (nil, nil), or panics outright, must log and go on — it took the whole process down.
func TestBackgroundRefreshSurvivesPanics(t *testing.T) {
	leakCheck(t)
	for name, base := range map[string]baseFunc{
		"nil, nil": func(*http.Request) (*http.Response, error) { return nil, nil },
		"panic":    func(*http.Request) (*http.Response, error) { panic("a Base that panics") },
	} {
		t.Run(name, func(t *testing.T) {
			logs := &logBuffer{}
			cfg := identity(t, true)
			cfg.Base = base
			cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
			tr, err := transport.NewWithCertificateRefresh(cfg, 10*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"nil, nil": "nil *http.Response", "panic": "panicked"}[name]
			for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), want); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("no log record with %q after 10 s; logs:\n%s", want, logs.String())
				}
			}
			within(t, 10*time.Second, "Close", func() { tr.Close() })
		})
	}
}
