package wxpaytest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// These tests send hand-signed requests, bypassing package transport and its own checks,
// to see what the server itself rejects.

const ecomPath = "/v3/ecommerce/fund/balance/"

func channelURI(t *testing.T, k *Keys, serial, mchid, plaintext string) string {
	t.Helper()
	ct, err := k.EncryptField(serial, plaintext)
	if err != nil {
		t.Fatal(err)
	}
	return "/v3/aggracct-bc/wb-channel/account/balance?" + url.Values{"mchid": {mchid}, "bal_account_no": {ct}}.Encode()
}

func TestRawSpecViolations(t *testing.T) {
	srv := newTestServer(t)
	k := srv.Keys()
	tests := []struct {
		name, uri, param, location string
	}{
		{"account_type not in the enum", ecomPath + DemoSubMchID + "?account_type=GOLD", "account_type", "query"},
		{"sub_mchid over 32 characters", ecomPath + strings.Repeat("1", 40), "sub_mchid", "path"},
		{"mchid missing", "/v3/aggracct-bc/wb-channel/account/balance?bal_account_no=abc", "mchid", "query"},
		{"mchid over 32 characters", "/v3/aggracct-bc/wb-channel/account/balance?bal_account_no=abc&mchid=" + strings.Repeat("9", 33), "mchid", "query"},
		{"bal_account_no missing", "/v3/aggracct-bc/wb-channel/account/balance?mchid=1900016681", "bal_account_no", "query"},
		{"bal_account_no not encrypted", "/v3/aggracct-bc/wb-channel/account/balance?mchid=1900016681&bal_account_no=" + DemoBalAccountNo, "bal_account_no", "query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := raw{uri: tt.uri}.do(t, srv)
			a.wantError(t, http.StatusBadRequest, "PARAM_ERROR", tt.param)
			if a.err.Detail["field"] != tt.param || a.err.Detail["location"] != tt.location || a.err.Detail["issue"] == "" {
				t.Errorf("detail = %v, want field %s in %s", a.err.Detail, tt.param, tt.location)
			}
		})
	}
	t.Run("encrypted for another key", func(t *testing.T) {
		// Encrypted with the platform key but Wechatpay-Serial names the public key.
		a := raw{uri: channelURI(t, k, k.PlatformSerial(), "1900016681", DemoBalAccountNo)}.do(t, srv)
		a.wantError(t, http.StatusBadRequest, "PARAM_ERROR", "bal_account_no", "Wechatpay-Serial")
	})
	for _, r := range srv.Requests() {
		if r.Status != http.StatusBadRequest || r.Code != "PARAM_ERROR" {
			t.Errorf("logged %+v", r)
		}
	}
}

func TestRawWechatpaySerial(t *testing.T) {
	srv := newTestServer(t)
	k := srv.Keys()
	chURI := channelURI(t, k, k.PublicKeyID, "1900016681", DemoBalAccountNo)
	raw{uri: chURI, serial: "-"}.do(t, srv).wantError(t, http.StatusBadRequest, "PARAM_ERROR", "Wechatpay-Serial")
	raw{uri: chURI, serial: "PUB_KEY_ID_0000"}.do(t, srv).wantError(t, http.StatusBadRequest, "PARAM_ERROR", "Wechatpay-Serial", "PUB_KEY_ID_0000")
	// 查询二级商户账户实时余额's page asks for Authorization and Accept only (issue 12):
	// without Wechatpay-Serial the answer is signed with the default key, the public key.
	if a := (raw{uri: ecomPath + DemoSubMchID, serial: "-"}).do(t, srv); a.status != http.StatusOK || a.header.Get("Wechatpay-Serial") != k.PublicKeyID {
		t.Fatalf("e-commerce query without Wechatpay-Serial: %d %s signed by %s", a.status, a.body, a.header.Get("Wechatpay-Serial"))
	}

	// Naming the platform certificate: fields decrypt with its key and the answer is signed with it.
	a := raw{uri: channelURI(t, k, k.PlatformSerial(), "1900016681", DemoBalAccountNo), serial: k.PlatformSerial()}.do(t, srv)
	if a.status != http.StatusOK || a.header.Get("Wechatpay-Serial") != k.PlatformSerial() {
		t.Fatalf("platform serial: %d %s signed by %s", a.status, a.body, a.header.Get("Wechatpay-Serial"))
	}
	if !strings.Contains(string(a.body), `"balance":1`) {
		t.Errorf("body %s", a.body)
	}
}

func TestRawAuthorization(t *testing.T) {
	srv := newTestServer(t)
	uri := ecomPath + DemoSubMchID
	replace := func(old, new string) func(string) string {
		return func(h string) string { return strings.Replace(h, old, new, 1) }
	}
	k := srv.Keys()
	tests := []struct {
		name    string
		rq      raw
		mention string
	}{
		{"missing", raw{uri: uri, auth: func(string) string { return "" }}, "missing"},
		{"wrong scheme", raw{uri: uri, auth: replace(authScheme, "WECHATPAY2-SHA256-RSA")}, "scheme"},
		{"missing field", raw{uri: uri, auth: func(h string) string { return h[:strings.Index(h, `,signature=`)] }}, "signature"},
		{"other merchant", raw{uri: uri, auth: replace(`mchid="`+k.MchID, `mchid="1900000002`)}, "mchid"},
		{"other certificate", raw{uri: uri, auth: replace(k.CertificateSerialNo, "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C")}, "serial_no"},
		{"wrong signature", raw{uri: uri, auth: replace(`signature="`, `signature="AAAA`)}, "signature"},
		{"signed for another URL", raw{uri: uri, auth: func(string) string {
			h, _ := k.Authorize("GET", uri+"?account_type=FEES", nil, randomHex(16), time.Now())
			return h
		}}, "signature"},
		{"six minutes old", raw{uri: uri, when: time.Now().Add(-6 * time.Minute)}, "5 minutes"},
		{"six minutes ahead", raw{uri: uri, when: time.Now().Add(6 * time.Minute)}, "5 minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rq.do(t, srv).wantError(t, http.StatusUnauthorized, "SIGN_ERROR", tt.mention)
		})
	}
	t.Run("four minutes old is fine", func(t *testing.T) {
		if a := (raw{uri: uri, when: time.Now().Add(-4 * time.Minute)}).do(t, srv); a.status != http.StatusOK {
			t.Fatalf("%d %s", a.status, a.body)
		}
	})
	t.Run("replayed nonce", func(t *testing.T) {
		rq := raw{uri: uri, nonce: randomHex(16)}
		if a := rq.do(t, srv); a.status != http.StatusOK {
			t.Fatalf("first use: %d %s", a.status, a.body)
		}
		rq.do(t, srv).wantError(t, http.StatusUnauthorized, "SIGN_ERROR", "nonce_str")
	})
	t.Run("auth comes before routing", func(t *testing.T) {
		raw{uri: "/v3/nowhere", auth: func(string) string { return "" }}.do(t, srv).wantError(t, http.StatusUnauthorized, "SIGN_ERROR")
	})
}

func TestRawRouting(t *testing.T) {
	srv := newTestServer(t)
	raw{uri: "/v3/nowhere"}.do(t, srv).wantError(t, http.StatusNotFound, "NOT_FOUND", "/v3/nowhere")
	raw{method: http.MethodPost, uri: ecomPath + DemoSubMchID}.do(t, srv).wantError(t, http.StatusMethodNotAllowed, "INVALID_REQUEST", "POST")
	raw{uri: ecomPath + "1900000999"}.do(t, srv).wantError(t, http.StatusForbidden, "NO_AUTH")
	raw{uri: ecomPath + DemoSubMchID + "?account_type=DEPOSIT"}.do(t, srv).wantError(t, http.StatusBadRequest, "INVALID_REQUEST", "输入账户类型未开通")
}

// TestRawFaultsOnTheWire checks the faults' wire form independently of package transport.
func TestRawFaultsOnTheWire(t *testing.T) {
	srv := newTestServer(t)
	uri := ecomPath + DemoSubMchID

	srv.QueueFault(Fault{StaleTimestamp: true})
	a := raw{uri: uri}.do(t, srv) // the signature still verifies
	if ts := a.header.Get("Wechatpay-Timestamp"); ts == "" || time.Since(timeOf(t, ts)) < 9*time.Minute {
		t.Errorf("stale timestamp %q", ts)
	}
	srv.QueueFault(Fault{Probe: true})
	if sig := rawHeader(t, srv, uri).Get("Wechatpay-Signature"); !strings.HasPrefix(sig, probePrefix) {
		t.Errorf("probe signature %q", sig)
	}
}

func timeOf(t *testing.T, ts string) time.Time {
	t.Helper()
	a, err := ParseAuthorization(authScheme + ` mchid="1",nonce_str="n",timestamp="` + ts + `",serial_no="s",signature="x"`)
	if err != nil {
		t.Fatal(err)
	}
	return a.Time()
}

// rawHeader sends a raw request and returns the answer's header, without verifying it.
func rawHeader(t *testing.T, srv *Server, uri string) http.Header {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+uri, nil)
	h, err := srv.Keys().Authorize("GET", uri, nil, randomHex(16), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", h)
	req.Header.Set("Wechatpay-Serial", srv.Keys().PublicKeyID)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header
}
