package transport_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// panickingHandler is a slog.Handler that panics on every record, as a broken or
// misconfigured handler may.
type panickingHandler struct{ n *atomic.Int64 }

func (h panickingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h panickingHandler) Handle(context.Context, slog.Record) error {
	h.n.Add(1)
	panic("a Logger that panics")
}
func (h panickingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h panickingHandler) WithGroup(string) slog.Handler      { return h }

// Review of issue 11, item 2: the background refresh recovers a panic and logs it with
// Config.Logger; a Logger that panics too (its comment names the Logger among what may
// panic) took the process down from that goroutine.
func TestBackgroundRefreshSurvivesAPanickingLogger(t *testing.T) {
	leakCheck(t)
	var n atomic.Int64
	cfg := identity(t, true)
	cfg.Base = baseFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New("no network here") })
	cfg.Logger = slog.New(panickingHandler{&n})
	tr, err := transport.NewWithCertificateRefresh(cfg, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); n.Load() < 4; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the Logger was called %d times in 10 s", n.Load())
		}
	}
	within(t, 10*time.Second, "Close", func() { tr.Close() })
}

// Review of issue 11, item 13: variants of the request-target attacks. Each is refused
// before any I/O (an *InputError), or — for what net/http never puts on the request line
// (URL.User, Request.Host, a fragment) — sent exactly as checked.
func TestRequestTargetVariantsReview(t *testing.T) {
	f := newFakeWechatPay(t)
	_, tr := newClient(t, f)
	const ecom = "/v3/ecommerce/fund/balance/"
	refused := []struct {
		name, method, path, rawPath, rawQuery, opaque string
	}{
		{name: "%2e%2e segment", path: ecom + "..", rawPath: ecom + "%2e%2e"},
		{name: "%2E%2E segment", path: ecom + "..", rawPath: ecom + "%2E%2E"},
		{name: "%23 in the path", path: ecom + "1900000109#x", rawPath: ecom + "1900000109%23x"},
		{name: "%2F in the path", path: ecom + "1900000109/x", rawPath: ecom + "1900000109%2Fx"},
		{name: "%3F in the path", path: ecom + "1900000109?x", rawPath: ecom + "1900000109%3Fx"},
		{name: "%00 in the path", path: ecom + "1900000109\x00", rawPath: ecom + "1900000109%00"},
		{name: "trailing &", path: ecom + "1900000109", rawQuery: "account_type=FEES&"},
		{name: "leading &", path: ecom + "1900000109", rawQuery: "&account_type=FEES"},
		{name: "; separator", path: ecom + "1900000109", rawQuery: "account_type=FEES;account_type=BASIC"},
		{name: "%3B in a value", path: ecom + "1900000109", rawQuery: "account_type=FEES%3BBASIC"},
		{name: "%23 in a value", path: ecom + "1900000109", rawQuery: "account_type=FEES%23"},
		{name: "name with %00", path: ecom + "1900000109", rawQuery: "account_type%00=FEES"},
		{name: "name with a Kelvin sign", path: ecom + "1900000109", rawQuery: "account_\u212Aype=FEES"},
		{name: "duplicate, once encoded", path: ecom + "1900000109", rawQuery: "account_type=FEES&account%5Ftype=BASIC"},
		{name: "opaque URL", opaque: ecom + "1900000110"},
		{name: "lower-case method", method: "get", path: ecom + "1900000109"},
		{name: "empty method (net/http sends GET)", method: "-", path: ecom + "1900000109"},
		{name: "double slash", path: "/v3//ecommerce/fund/balance/1900000109"},
		{name: "trailing slash", path: ecom + "1900000109/"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			before := f.hits.Load()
			req, err := http.NewRequest(http.MethodGet, f.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			switch tc.method {
			case "":
			case "-":
				req.Method = ""
			default:
				req.Method = tc.method
			}
			req.URL.Path, req.URL.RawPath, req.URL.RawQuery, req.URL.Opaque = tc.path, tc.rawPath, tc.rawQuery, tc.opaque
			resp, err := tr.RoundTrip(req)
			if resp != nil {
				resp.Body.Close()
			}
			var ie *transport.InputError
			if !errors.As(err, &ie) {
				t.Errorf("got %v (sent %q), want *transport.InputError", err, f.uri())
			}
			if f.hits.Load() != before {
				t.Errorf("the request reached the server as %q", f.uri())
			}
		})
	}

	// What net/http never puts on the request line: sent, signed, as checked.
	for name, edit := range map[string]func(*http.Request){
		"URL.User":                        func(r *http.Request) { r.URL.User = url.UserPassword("1900000110", "x") },
		"Request.Host":                    func(r *http.Request) { r.Host = "1900000110.example" },
		"Host header":                     func(r *http.Request) { r.Header.Set("Host", "1900000110.example") },
		"fragment":                        func(r *http.Request) { r.URL.Fragment = "/../1900000110" },
		"RawPath naming another merchant": func(r *http.Request) { r.URL.RawPath = ecom + "1900000110" }, // not Path's encoding: ignored
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, f.URL+ecom+"1900000109?account_type=FEES", nil)
			if err != nil {
				t.Fatal(err)
			}
			edit(req)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || f.uri() != ecom+"1900000109?account_type=FEES" {
				t.Errorf("HTTP %d, sent %q", resp.StatusCode, f.uri())
			}
		})
	}
}

// Review of issue 11, items 3–6: variants of a signed body that is not the answer to this
// request, or that would be decoded differently from how it was checked. Each is a
// *VerificationError, never data.
func TestAnswerBindingVariantsReview(t *testing.T) {
	f := newFakeWechatPay(t)
	_, tr := newClient(t, f)
	const uri = "/v3/ecommerce/fund/balance/1900000109?account_type=FEES"
	for name, body := range map[string]string{
		"case-variant echo key":            `{"sub_mchid":"1900000109","Sub_Mchid":"1900000110","available_amount":1,"account_type":"FEES"}`,
		"long-s echo key":                  "{\"\u017fub_mchid\":\"1900000110\",\"sub_mchid\":\"1900000109\",\"available_amount\":1,\"account_type\":\"FEES\"}",
		"duplicate echo key, last wrong":   `{"sub_mchid":"1900000109","available_amount":1,"account_type":"FEES","sub_mchid":"1900000110"}`,
		"duplicate amount":                 `{"sub_mchid":"1900000109","available_amount":1,"account_type":"FEES","available_amount":777}`,
		"escaped-key duplicate":            `{"sub_mchid":"1900000109","available_amount":1,"account_type":"FEES","available\u005famount":777}`,
		"escaped echo value":               `{"sub_mchid":"190000010\u0030","available_amount":1,"account_type":"FEE\u0053","sub_mchid":"1900000110"}`,
		"account_type for another request": `{"sub_mchid":"1900000109","available_amount":1,"account_type":"BASIC"}`,
		"account_type missing":             `{"sub_mchid":"1900000109","available_amount":1}`,
		"echo as a number":                 `{"sub_mchid":1900000109,"available_amount":1,"account_type":"FEES"}`,
		"channel answer":                   `{"in_transit_reduction_exist":false,"balance":1}`,
		"error object with a schema prop":  `{"code":"PARAM_ERROR","message":"x","sub_mchid":"1900000109"}`,
		"amount 1e2":                       `{"sub_mchid":"1900000109","available_amount":1e2,"account_type":"FEES"}`,
		"amount -0.0":                      `{"sub_mchid":"1900000109","available_amount":-0.0,"account_type":"FEES"}`,
		"amount 2^63":                      `{"sub_mchid":"1900000109","available_amount":9223372036854775808,"account_type":"FEES"}`,
		"amount as a string":               `{"sub_mchid":"1900000109","available_amount":"1","account_type":"FEES"}`,
		"amount null":                      `{"sub_mchid":"1900000109","available_amount":null,"account_type":"FEES"}`,
		"top-level array":                  `[{"sub_mchid":"1900000109","available_amount":1,"account_type":"FEES"}]`,
		"trailing second value":            `{"sub_mchid":"1900000109","available_amount":1,"account_type":"FEES"} {"available_amount":777}`,
		"BOM before the object":            "\uFEFF{\"sub_mchid\":\"1900000109\",\"available_amount\":1,\"account_type\":\"FEES\"}",
		"account_type outside the enum":    `{"sub_mchid":"1900000109","available_amount":1,"account_type":"fees"}`,
		"sub_mchid with a NUL":             `{"sub_mchid":"1900000109\u0000","available_amount":1,"account_type":"FEES"}`,
	} {
		t.Run(name, func(t *testing.T) {
			f.set(func(f *fakeWechatPay) { f.body = body })
			req, err := http.NewRequest(http.MethodGet, f.URL+uri, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := tr.RoundTrip(req)
			var ve *transport.VerificationError
			if !errors.As(err, &ve) {
				var got []byte
				if resp != nil {
					got, _ = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				t.Errorf("got HTTP %v %s, err %v; want a *VerificationError", resp != nil, got, err)
			}
		})
	}
}

// An unknown property that only looks like a schema property (a Kelvin sign added, an
// invalid UTF-8 byte that encoding/json reads as U+FFFD) is not decoded into it: the
// delivered amount is the checked one.
func TestLookalikeKeysAreNotDecodedReview(t *testing.T) {
	f := newFakeWechatPay(t)
	_, tr := newClient(t, f)
	for name, body := range map[string]string{
		"Kelvin-sign key":        `{"sub_mchid":"1900000109","available_amount":1,"account_type":"FEES","available_amount\u212A":2}`,
		"invalid UTF-8 in a key": "{\"sub_mchid\":\"1900000109\",\"available_amount\":1,\"account_type\":\"FEES\",\"available_amount\xff\":2}",
	} {
		t.Run(name, func(t *testing.T) {
			f.set(func(f *fakeWechatPay) { f.body = body })
			req, err := http.NewRequest(http.MethodGet, f.URL+"/v3/ecommerce/fund/balance/1900000109?account_type=FEES", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got generated.ECommerceBalance
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if got.AvailableAmount != 1 {
				t.Errorf("decoded available_amount %v, checked 1", got.AvailableAmount)
			}
		})
	}
}
