package transport_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay/transport"
)

// TestRequestTargetIsWhatWasChecked: hand-built requests whose request line would differ
// from what the check read, or that carry what openapi.yaml does not describe, were signed
// and sent. Each is now an *InputError naming what to fix, and nothing reaches the server.
func TestRequestTargetIsWhatWasChecked(t *testing.T) {
	f := newFakeWechatPay(t)
	_, tr := newClient(t, f)
	ct, err := tr.Encrypt("8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f")
	if err != nil {
		t.Fatal(err)
	}
	enc := url.QueryEscape(ct)
	const ecom = "/v3/ecommerce/fund/balance/"
	const channel = "/v3/aggracct-bc/wb-channel/account/balance"
	cases := []struct {
		name      string
		path      string // set as URL.Path
		rawPath   string // set as URL.RawPath, if any
		rawQuery  string
		body      string
		framing   func(*http.Request) // sets ContentLength, TransferEncoding or Trailer, if set
		parameter string
		reason    string
	}{
		{name: "GET declaring a ContentLength", path: ecom + "1900000109", framing: func(r *http.Request) { r.ContentLength = 5 }, reason: "declares ContentLength 5"},
		{name: "GET with chunked framing", path: ecom + "1900000109", framing: func(r *http.Request) { r.TransferEncoding = []string{"chunked"} }, reason: "TransferEncoding"},
		{name: "GET with a trailer", path: ecom + "1900000109", framing: func(r *http.Request) { r.Trailer = http.Header{"X": nil} }, reason: "Trailer"},
		{name: "space in RawQuery (request line injection)", path: channel, rawQuery: "mchid=1900016681 HTTP/1.1&bal_account_no=" + enc, reason: "byte 0x20 at byte 16"},
		{name: "CR LF in RawQuery", path: channel, rawQuery: "mchid=1900016681\r\nX-Injected: 1&bal_account_no=" + enc, reason: "byte 0x0D"},
		{name: "raw # in RawQuery", path: ecom + "1900000109", rawQuery: "account_type=BASIC#FEES", reason: `'#'`},
		{name: "GET with a body", path: ecom + "1900000109", body: `{"account_type":"FEES"}`, reason: "no request body"},
		{name: "case-variant parameter", path: ecom + "1900000109", rawQuery: "ACCOUNT_TYPE=FEES", parameter: "ACCOUNT_TYPE", reason: `write "account_type"`},
		{name: "unknown parameter", path: channel, rawQuery: "mchid=1900016681&bal_account_no=" + enc + "&sub_mchid=1900000110", parameter: "sub_mchid", reason: "query parameters are mchid, bal_account_no"},
		{name: "stray empty sub_mchid", path: channel, rawQuery: "mchid=1900016681&bal_account_no=" + enc + "&sub_mchid=", parameter: "sub_mchid", reason: "not a parameter of openapi.yaml"},
		{name: "path parameter in the query", path: ecom + "1900000109", rawQuery: "sub_mchid=1900000110", parameter: "sub_mchid", reason: "in the path, not the query"},
		{name: "duplicate parameter", path: channel, rawQuery: "mchid=1900016681&mchid=1900016682&bal_account_no=" + enc, parameter: "mchid", reason: "given 2 times"},
		{name: "empty optional parameter", path: ecom + "1900000109", rawQuery: "account_type=", parameter: "account_type", reason: "empty value"},
		{name: "non-canonical escape in the query", path: ecom + "1900000109", rawQuery: "account_type=BASI%43", parameter: "account_type", reason: "url.Values"},
		{name: "path segment ..;", path: ecom + "..;", parameter: "sub_mchid", reason: `holds ';'`},
		{name: "path segment ;jsessionid", path: ecom + "1900000109;jsessionid=x", parameter: "sub_mchid", reason: `holds ';'`},
		{name: "path segment .", path: ecom + ".", parameter: "sub_mchid", reason: `"." and ".."`},
		{name: "path segment ..", path: ecom + "..", parameter: "sub_mchid", reason: `"." and ".."`},
		{name: "needless escape in the path", path: ecom + "1900000109", rawPath: ecom + "%31900000109", parameter: "sub_mchid", reason: "percent-encoded although"},
		{name: "escaped semicolon in the path", path: ecom + "1900000109;x", rawPath: ecom + "1900000109%3Bx", parameter: "sub_mchid", reason: `holds ';'`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, f.URL, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.body == "" {
				req.Body = nil
			}
			req.URL.Path, req.URL.RawPath, req.URL.RawQuery = tc.path, tc.rawPath, tc.rawQuery
			if tc.framing != nil {
				tc.framing(req)
			}
			resp, err := tr.RoundTrip(req)
			if resp != nil {
				resp.Body.Close()
			}
			var ie *transport.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want *transport.InputError", err)
			}
			if ie.Parameter != tc.parameter || !strings.Contains(ie.Error(), tc.reason) {
				t.Errorf("got %q (parameter %q), want parameter %q and %q", err, ie.Parameter, tc.parameter, tc.reason)
			}
		})
	}
	if n := f.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server (last %q); want none", n, f.uri())
	}

	// What the check accepts still goes through: canonical escapes, any parameter order.
	for _, q := range []string{"bal_account_no=" + enc + "&mchid=1900016681", "mchid=1900016681&bal_account_no=" + enc} {
		req, _ := http.NewRequest(http.MethodGet, f.URL+channel+"?"+q, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatalf("?%s: %v", q, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("?%s: %s", q, resp.Status)
		}
	}
}
