package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// The old flags mixed up the two merchants; each now exits 2 naming what replaced it.
func TestRenamedMerchantFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ecommerce-balance", "--merchant-id", "1900016681", "--sub-mchid", "1"}, "--merchant-id is gone: use --caller-mchid"},
		{[]string{"channel-balance", "--merchant-id=1900016681"}, "--merchant-id is gone: use --caller-mchid"},
		{[]string{"channel-balance", "--mchid", "1900016681", "--bal-account-no", "x"}, "--mchid is gone: use --target-mchid for the merchant whose quota to query"},
		{[]string{"channel-balance", "--bal-account-no", "x"}, "--target-mchid is required: the merchant whose quota to query (微信支付商户号); it may be the caller, --caller-mchid (WXPAY_MCHID)"},
	} {
		r := runCLI(t, nil, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d (want 2), stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
		checkOneLine(t, r.stderr)
	}
}

// The CLI verifies with platform certificates, or downloads them with the APIv3 key, as the
// library does; a certificate given as the public key says which variable takes it.
func TestVerificationModes(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)
	dir := filepath.Dir(env[envPrivateKeyFile])
	cert := filepath.Join(dir, "platform_cert.pem")
	keyFile := filepath.Join(dir, "apiv3.txt")
	if err := os.WriteFile(keyFile, srv.Keys().APIv3Key.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	noPub := without(env, envPublicKeyID, envPublicKeyFile)
	for name, e := range map[string]map[string]string{
		"platform certificate": with(noPub, envPlatformCertFile, cert),
		"APIv3 key file":       with(noPub, envAPIv3KeyFile, keyFile),
		"APIv3 key":            with(noPub, envAPIv3Key, string(srv.Keys().APIv3Key.Bytes())),
	} {
		r := runCLI(t, e, "channel-balance", "--target-mchid", "1900016681", "--bal-account-no", wxpaytest.DemoBalAccountNo)
		if r.code != exitOK || r.stderr != "" {
			t.Errorf("%s: exit %d, stderr:\n%s", name, r.code, r.stderr)
		}
	}
	r := runCLI(t, with(env, envPublicKeyFile, cert), "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID)
	if r.code != exitUsage || !strings.Contains(r.stderr, "is a platform certificate, not the WeChat Pay public key: set WXPAY_PLATFORM_CERT_FILE to it instead") {
		t.Errorf("certificate as the public key: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// With flags instead of variables.
	r = runCLI(t, noPub, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID, "--platform-cert-file", cert)
	if r.code != exitOK {
		t.Errorf("--platform-cert-file: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// Keys that wxpay mock wrote, about to go anywhere but loopback, get a warning first.
func TestWarnBeforeSendingMockKeys(t *testing.T) {
	t.Parallel()
	_, env := newServer(t)
	dir := filepath.Dir(env[envPrivateKeyFile])
	if err := os.WriteFile(filepath.Join(dir, envFileName), []byte(envFileHeader+" settings\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Loopback: no warning.
	r := runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID)
	if r.code != exitOK || r.stderr != "" {
		t.Errorf("mock keys to loopback: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	// No WXPAY_BASE_URL: the real WeChat Pay. The plaintext is too long, so nothing is sent.
	r = runCLI(t, without(env, envBaseURL), "channel-balance", "--target-mchid", "1900016681", "--bal-account-no", strings.Repeat("x", 300))
	want := "wxpay: warning: WXPAY_PRIVATE_KEY_FILE is a test key written by 'wxpay mock', but the request goes to https://api.mch.weixin.qq.com"
	if !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stderr, "set WXPAY_BASE_URL to the mock's URL") {
		t.Errorf("mock keys to WeChat Pay: stderr:\n%s", r.stderr)
	}
	// Keys that mock did not write: no warning.
	var buf strings.Builder
	warnMockKeys(&buf, filepath.Join(t.TempDir(), "apiclient_key.pem"), "https://api.mch.weixin.qq.com")
	if buf.Len() != 0 {
		t.Errorf("warning for keys mock did not write: %s", buf.String())
	}
}

// Every error line starts "wxpay: " and names no command or package after it.
func TestOneErrorPrefix(t *testing.T) {
	t.Parallel()
	_, env := newServer(t)
	for _, args := range [][]string{
		{"ecommerce-balance"},
		{"ecommerce-balance", "--sub-mchid", "1", "--nope"},
		{"ecommerce-balance", "--sub-mchid", "1", "extra"},
		{"channel-balance", "--target-mchid", "1"},
		{"channel-balance", "--target-mchid", "1", "--bal-account-no", strings.Repeat("x", 300)},
		{"ecommerce-balance", "--sub-mchid", "1", "-o", "xml"},
		{"mock", "--addr", "nope"},
		{"demo", "extra"},
	} {
		r := runCLI(t, env, args...)
		if r.code != exitUsage {
			t.Errorf("%q: exit %d, want 2", args, r.code)
		}
		for _, bad := range []string{"ecommerce-balance:", "channel-balance:", "mock:", "demo:", "transport:", "wxpay:"} {
			if !strings.HasPrefix(r.stderr, "wxpay: ") || strings.HasPrefix(r.stderr[len("wxpay: "):], bad) {
				t.Errorf("%q: stderr %q: want one prefix, \"wxpay: \"", args, r.stderr)
				break
			}
		}
	}
}

// -o takes any case, like --account-type; JSON output ends with exactly one newline.
func TestOutputFormatCaseAndNoBlankLine(t *testing.T) {
	t.Parallel()
	_, env := newServer(t)
	r := runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID, "-o", "TABLE")
	if r.code != exitOK || !strings.Contains(r.stdout, "100.00 yuan") {
		t.Errorf("-o TABLE: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID, "-o", "Json")
	if r.code != exitOK || !strings.HasSuffix(r.stdout, "}\n") {
		t.Errorf("-o Json: exit %d, stdout %q: want JSON ending in one newline", r.code, r.stdout)
	}
}

// Separate runs of the same query are not retries of each other.
func TestSeparateRunsAreNotRetries(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)
	for range 3 {
		if r := runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID); r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	}
	for i, req := range srv.Requests() {
		if req.Attempt != 1 {
			t.Errorf("run %d: Attempt %d, want 1", i+1, req.Attempt)
		}
	}
}
