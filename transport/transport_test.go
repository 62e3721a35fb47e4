package transport_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

func newClient(t *testing.T, f *fakeWechatPay) (*generated.ClientWithResponses, *transport.Transport) {
	t.Helper()
	k := theKeys(t)
	tr, err := transport.New(transport.Config{
		MchID:                testMchID,
		CertificateSerialNo:  testCertSerial,
		PrivateKey:           k.merchant,
		WechatPayPublicKeyID: testPubKeyID,
		WechatPayPublicKey:   &k.wechat.PublicKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := generated.NewClientWithResponses(f.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

func TestBothOperationsRoundTrip(t *testing.T) {
	f := newFakeWechatPay(t)
	c, tr := newClient(t, f)
	ctx := context.Background()

	at := generated.AccountTypeFees
	bal, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "1900000109", &generated.QueryECommerceBalanceParams{AccountType: &at}))
	if err != nil {
		t.Fatal(err)
	}
	if bal.SubMchID != "1900000109" || bal.AvailableAmount != 10000 || *bal.PendingAmount != 1 || *bal.AccountType != at {
		t.Errorf("got %+v", bal)
	}

	// Encrypt until the ciphertext holds '+', '/' and '=' (base64 of 256 bytes always ends
	// in "=="; '+' and '/' each appear in all but ~0.5% of ciphertexts).
	const plain = "8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f"
	var ct string
	for i := 0; i < 50 && !(strings.Contains(ct, "+") && strings.Contains(ct, "/")); i++ {
		if ct, err = tr.Encrypt(plain); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(ct, "+") || !strings.Contains(ct, "/") || !strings.Contains(ct, "=") {
		t.Fatalf("no ciphertext with +, / and = in 50 tries: %s", ct)
	}
	acct, err := wxpay.Result(c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: ct}))
	if err != nil {
		t.Fatal(err)
	}
	if *acct.Balance != 1 || *acct.InTransitReductionExist {
		t.Errorf("got %+v", acct)
	}
	f.mu.Lock()
	gotPlain, uri := f.lastPlan, f.lastURI
	f.mu.Unlock()
	if gotPlain != plain {
		t.Errorf("server decrypted %q, want %q", gotPlain, plain)
	}
	// The server verified the signature over the URI it received; that URI must carry the
	// ciphertext percent-encoded, exactly once.
	wantQuery := "bal_account_no=" + url.QueryEscape(ct)
	if !strings.Contains(uri, wantQuery) || !strings.Contains(uri, "%2B") || !strings.Contains(uri, "%2F") || !strings.Contains(uri, "%3D") {
		t.Errorf("request URI %q does not carry %q", uri, wantQuery)
	}
}

func TestTamperedAnswersAreRejected(t *testing.T) {
	other := theKeys(t).other
	cases := []struct {
		name   string
		tamper func(h http.Header, body []byte) []byte
		reason transport.Reason
		header string
	}{
		{"body changed after signing", func(h http.Header, b []byte) []byte {
			return []byte(strings.Replace(string(b), "10000", "99999", 1))
		}, transport.ReasonBadSignature, ""},
		{"signature from another key", func(h http.Header, b []byte) []byte {
			h.Set("Wechatpay-Signature", signWith(other, h.Get("Wechatpay-Timestamp"), h.Get("Wechatpay-Nonce"), b))
			return b
		}, transport.ReasonBadSignature, ""},
		{"unknown serial", func(h http.Header, b []byte) []byte {
			h.Set("Wechatpay-Serial", "PUB_KEY_ID_UNKNOWN")
			return b
		}, transport.ReasonUnknownSerial, ""},
		{"timestamp 10 minutes old", func(h http.Header, b []byte) []byte {
			ts := strings.TrimSpace(h.Get("Wechatpay-Timestamp"))
			old := mustAtoi(t, ts) - 600
			h.Set("Wechatpay-Timestamp", itoa(old))
			h.Set("Wechatpay-Signature", signWith(theKeys(t).wechat, itoa(old), h.Get("Wechatpay-Nonce"), b))
			return b
		}, transport.ReasonStale, ""},
		{"signature probe", func(h http.Header, b []byte) []byte {
			h.Set("Wechatpay-Signature", "WECHATPAY/SIGNTEST/"+h.Get("Wechatpay-Signature"))
			return b
		}, transport.ReasonProbe, ""},
		{"malformed timestamp", func(h http.Header, b []byte) []byte {
			h.Set("Wechatpay-Timestamp", "yesterday")
			return b
		}, transport.ReasonBadTimestamp, ""},
		{"signature not base64", func(h http.Header, b []byte) []byte {
			h.Set("Wechatpay-Signature", "!!!")
			return b
		}, transport.ReasonBadSignature, ""},
	}
	for _, h := range []string{"Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"} {
		cases = append(cases, struct {
			name   string
			tamper func(h http.Header, body []byte) []byte
			reason transport.Reason
			header string
		}{"missing " + h, func(hd http.Header, b []byte) []byte { hd.Del(h); return b }, transport.ReasonMissingHeader, h})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeWechatPay(t)
			f.set(func(f *fakeWechatPay) { f.tamper = tc.tamper })
			c, _ := newClient(t, f)
			resp, err := c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil)
			var ve *transport.VerificationError
			if !errors.As(err, &ve) {
				t.Fatalf("got resp %v, err %v; want a *transport.VerificationError", resp, err)
			}
			if ve.Reason != tc.reason || ve.Header != tc.header {
				t.Errorf("reason %q header %q, want %q %q (%v)", ve.Reason, ve.Header, tc.reason, tc.header, err)
			}
			if tc.header == "" && ve.RequestID != "08F78BB5AF0610D302A8F2D15628A3FE5E" {
				t.Errorf("Request-ID %q not reported", ve.RequestID)
			}
		})
	}
}

func TestNonSuccessIsAResponseAndResultMakesItAnError(t *testing.T) {
	f := newFakeWechatPay(t)
	f.set(func(f *fakeWechatPay) {
		f.status = 403
		f.body = `{"code":"NO_AUTH","message":"你无权查询该商户余额","detail":{"field":"sub_mchid"}}`
	})
	c, _ := newClient(t, f)
	resp, err := c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil)
	if err != nil {
		t.Fatalf("RoundTrip must return non-2xx as a response: %v", err)
	}
	if resp.StatusCode() != 403 || resp.JSON403 == nil || resp.JSON403.Code != "NO_AUTH" {
		t.Fatalf("got %d %s", resp.StatusCode(), resp.Body)
	}
	_, err = wxpay.Result(resp, nil)
	var ae *transport.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("Result: %v, want *transport.APIError", err)
	}
	if ae.StatusCode != 403 || ae.Code != "NO_AUTH" || ae.Message != "你无权查询该商户余额" ||
		ae.RequestID != "08F78BB5AF0610D302A8F2D15628A3FE5E" || string(ae.Detail) != `{"field":"sub_mchid"}` || ae.Temporary() {
		t.Errorf("got %+v", ae)
	}
}

func TestBadInputFailsBeforeAnyRequest(t *testing.T) {
	f := newFakeWechatPay(t)
	c, tr := newClient(t, f)
	ctx := context.Background()
	ct, err := tr.Encrypt("8609cb22")
	if err != nil {
		t.Fatal(err)
	}
	gold := generated.AccountType("GOLD")
	cases := []struct {
		name      string
		call      func() error
		parameter string
		reason    string
	}{
		{"empty sub_mchid", func() error { _, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "", nil)); return err }, "sub_mchid", ""},
		{"33-char sub_mchid", func() error {
			_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, strings.Repeat("1", 33), nil))
			return err
		}, "sub_mchid", "maximum string length is 32"},
		{"sub_mchid ../..", func() error {
			_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "../..", nil))
			return err
		}, "sub_mchid", "only letters, digits"},
		{"sub_mchid ..", func() error { _, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "..", nil)); return err }, "", "not an operation"},
		{"sub_mchid with slash", func() error {
			_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "1900/0109", nil))
			return err
		}, "sub_mchid", "only letters, digits"},
		{"sub_mchid %2F", func() error { _, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "%2F", nil)); return err }, "sub_mchid", "only letters, digits"},
		{"sub_mchid with query", func() error {
			_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "1900000109?x=1", nil))
			return err
		}, "sub_mchid", "only letters, digits"},
		{"sub_mchid with space", func() error {
			_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "1900 0109", nil))
			return err
		}, "sub_mchid", "only letters, digits"},
		{"sub_mchid unicode", func() error {
			_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "一九〇〇", nil))
			return err
		}, "sub_mchid", "only letters, digits"},
		{"account_type GOLD", func() error {
			_, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(ctx, "1900000109", &generated.QueryECommerceBalanceParams{AccountType: &gold}))
			return err
		}, "account_type", "allowed values"},
		{"empty mchid", func() error {
			_, err := wxpay.Result(c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "", BalAccountNo: ct}))
			return err
		}, "mchid", ""},
		{"33-char mchid", func() error {
			_, err := wxpay.Result(c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: strings.Repeat("1", 33), BalAccountNo: ct}))
			return err
		}, "mchid", "maximum string length is 32"},
		{"empty bal_account_no", func() error {
			_, err := wxpay.Result(c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "1900016681"}))
			return err
		}, "bal_account_no", ""},
		{"plaintext bal_account_no", func() error {
			_, err := wxpay.Result(c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: "8609cb22"}))
			return err
		}, "bal_account_no", "must be encrypted"},
		{"over-long bal_account_no", func() error {
			_, err := wxpay.Result(c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: strings.Repeat("A", 1025)}))
			return err
		}, "bal_account_no", "maximum string length is 1024"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ie *transport.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want *transport.InputError", err)
			}
			if ie.Parameter != tc.parameter || !strings.Contains(ie.Error(), tc.reason) {
				t.Errorf("got %q (parameter %q), want parameter %q and %q", err, ie.Parameter, tc.parameter, tc.reason)
			}
			if strings.Contains(err.Error(), "8609cb22") {
				t.Errorf("error repeats the sensitive value: %v", err)
			}
		})
	}
	if n := f.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server; want none", n)
	}
}

// closeCounter records how often a request body is closed.
type closeCounter struct {
	io.Reader
	closes int
}

func (c *closeCounter) Close() error { c.closes++; return nil }

func TestCallerRequestIsNotModifiedAndBodyClosedOnce(t *testing.T) {
	f := newFakeWechatPay(t)
	_, tr := newClient(t, f)
	for _, name := range []string{"success", "bad input"} {
		t.Run(name, func(t *testing.T) {
			u := f.URL + "/v3/ecommerce/fund/balance/1900000109"
			if name == "bad input" {
				u = f.URL + "/v3/ecommerce/fund/balance/" + strings.Repeat("9", 40)
			}
			body := &closeCounter{Reader: strings.NewReader("")}
			req, _ := http.NewRequest(http.MethodGet, u, body)
			req.Header.Set("X-Caller", "kept")
			before := req.Header.Clone()
			resp, err := tr.RoundTrip(req)
			if resp != nil {
				resp.Body.Close()
			}
			if name == "success" && err != nil {
				t.Fatal(err)
			}
			if len(req.Header) != len(before) || req.Header.Get("Authorization") != "" || req.Header.Get("Wechatpay-Serial") != "" {
				t.Errorf("caller's headers changed: %v", req.Header)
			}
			if body.closes != 1 {
				t.Errorf("body closed %d times, want 1", body.closes)
			}
		})
	}
}

func TestAnswerBodyIsBoundedAndSchemaChecked(t *testing.T) {
	f := newFakeWechatPay(t)
	k := theKeys(t)
	tr, err := transport.New(transport.Config{MchID: testMchID, CertificateSerialNo: testCertSerial, PrivateKey: k.merchant,
		WechatPayPublicKeyID: testPubKeyID, WechatPayPublicKey: &k.wechat.PublicKey, MaxResponseBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := generated.NewClientWithResponses(f.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	for _, tc := range []struct {
		name, body string
		reason     transport.Reason
	}{
		{"over the limit", `{"sub_mchid":"1900000109","available_amount":1,"x":"` + strings.Repeat("a", 2000) + `"}`, transport.ReasonBodyTooLarge},
		{"required field missing", `{"sub_mchid":"1900000109","pending_amount":1}`, transport.ReasonSchema},
		{"wrong type", `{"sub_mchid":"1900000109","available_amount":"lots"}`, transport.ReasonSchema},
		{"not JSON", `<html>`, transport.ReasonSchema},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.set(func(f *fakeWechatPay) { f.body = tc.body })
			_, err := c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil)
			var ve *transport.VerificationError
			if !errors.As(err, &ve) || ve.Reason != tc.reason {
				t.Fatalf("got %v, want reason %q", err, tc.reason)
			}
		})
	}
}

func TestSignedURLIsTheURLSent(t *testing.T) {
	f := newFakeWechatPay(t)
	c, _ := newClient(t, f)
	at := generated.AccountTypeBasic
	if _, err := wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", &generated.QueryECommerceBalanceParams{AccountType: &at})); err != nil {
		t.Fatal(err) // the server verified the signature over the URI it received
	}
	if got := f.uri(); got != "/v3/ecommerce/fund/balance/1900000109?account_type=BASIC" {
		t.Errorf("sent %q", got)
	}
}

// TestOpaqueURLRejectedBeforeIO: a hand-built request whose URL.Opaque differs from its
// Path would be checked against one operation and sent (and signed) to another — here a
// plaintext bal_account_no smuggled past the encryption check. It is an InputError, and
// nothing reaches the server.
func TestOpaqueURLRejectedBeforeIO(t *testing.T) {
	f := newFakeWechatPay(t)
	_, tr := newClient(t, f)
	req, err := http.NewRequest(http.MethodGet, f.URL+"/v3/ecommerce/fund/balance/1900000109", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Opaque = "/v3/aggracct-bc/wb-channel/account/balance?mchid=1900016681&bal_account_no=8609cb22"
	resp, err := tr.RoundTrip(req)
	if resp != nil {
		resp.Body.Close()
	}
	var ie *transport.InputError
	if !errors.As(err, &ie) {
		t.Errorf("got %v, want a *transport.InputError", err)
	}
	if n := f.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server (last %q); want none", n, f.uri())
	}
}

// rewritingBase is a Base that edits the request it is given (as some proxies and test
// doubles do, against the RoundTripper contract) before sending it to the fake server.
type rewritingBase struct{ to *url.URL }

func (b rewritingBase) RoundTrip(req *http.Request) (*http.Response, error) {
	req.URL.Scheme, req.URL.Host = b.to.Scheme, b.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

// TestCallerURLIsNeverHandedToBase: the request the transport sends is its own, URL
// included, so even a Base that edits it cannot change the caller's request.
func TestCallerURLIsNeverHandedToBase(t *testing.T) {
	f := newFakeWechatPay(t)
	to, _ := url.Parse(f.URL)
	cfg := goodConfig(t)
	cfg.Base = rewritingBase{to: to}
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://wxpay.invalid/v3/ecommerce/fund/balance/1900000109", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.URL.Host != "wxpay.invalid" || req.URL.Scheme != "http" {
		t.Errorf("the caller's URL became %s", req.URL)
	}
}
