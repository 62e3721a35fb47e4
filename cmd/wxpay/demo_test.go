package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "demo")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s\nstdout:\n%s", r.code, r.stderr, r.stdout)
	}
	for _, want := range []string{
		"available 100.00 yuan (10000 fen), pending 0.01 yuan (1 fen)",
		"balance account quota 0.01 yuan (1 fen)",
		"signed WECHATPAY2-SHA256-RSA2048 by merchant " + wxpaytest.DefaultMchID + " with certificate serial ",
		"Wechatpay-Serial: PUB_KEY_ID_",
		"response signature verified with key PUB_KEY_ID_",
		"encrypted with RSA-OAEP under PUB_KEY_ID_",
		": 344 base64 characters",
		"bal_account_no=<ciphertext, 344 characters>",
		"test server decrypted bal_account_no with WeChat Pay's private key: matches the plaintext",
		"Request-ID ",
		"3. All sub-merchants at once",
		"wxpay: 4 ok, 2 failed (403 NO_AUTH: 1, invalid: 1); 5 calls in ",
		"7       1900000203        BASIC       ok           7,500.74          200",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	checkNoSecrets(t, r.stdout)
	if strings.Contains(r.stdout, "✗") {
		t.Errorf("demo reports a failed step:\n%s", r.stdout)
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", r.stdout)
	}

	r = runCLI(t, nil, "demo", "--sub-mchid", "1")
	if r.code != exitUsage {
		t.Errorf("demo with a flag: exit %d, want 2", r.code)
	}
}

func TestParseAuthorization(t *testing.T) {
	scheme, p := parseAuthorization(`WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="abc", timestamp="1554208460",serial_no="1DDE",signature="c2ln"`)
	if scheme != "WECHATPAY2-SHA256-RSA2048" || p["mchid"] != "1900000001" || p["nonce_str"] != "abc" ||
		p["timestamp"] != "1554208460" || p["serial_no"] != "1DDE" || p["signature"] != "c2ln" {
		t.Errorf("parseAuthorization = %q, %v", scheme, p)
	}
}

func TestDisplayTargetHidesCiphertext(t *testing.T) {
	u, _ := url.Parse("http://h/v3/x?mchid=1&bal_account_no=" + url.QueryEscape(strings.Repeat("A", 340)+"a+/="))
	if got, want := displayTarget(u), "/v3/x?bal_account_no=<ciphertext, 344 characters>&mchid=1"; got != want {
		t.Errorf("displayTarget = %q, want %q", got, want)
	}
}

func TestRecorderDefaultsToDefaultTransport(t *testing.T) {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	rec := &recorder{}
	resp, err := (&http.Client{Transport: rec}).Get(srv.URL + "/v3/ecommerce/fund/balance/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ex, ok := rec.last()
	if !ok || ex.status != http.StatusUnauthorized || ex.requestID == "" {
		t.Errorf("recorded %+v, %v", ex, ok)
	}
}
