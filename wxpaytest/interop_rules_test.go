package wxpaytest

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay/generated"
)

// Issue 12: what other SDKs send, as WeChat Pay accepts it.

func TestSerialsMatchInAnyCase(t *testing.T) {
	srv := newTestServer(t)
	k := srv.Keys()
	// wechatpay-node-v3 derives serial_no from apiclient_cert.pem as lower-case hex.
	lower := func(a string) string {
		return strings.Replace(a, `serial_no="`+k.CertificateSerialNo+`"`, `serial_no="`+strings.ToLower(k.CertificateSerialNo)+`"`, 1)
	}
	if a := (raw{uri: ecomPath + DemoSubMchID, auth: lower}).do(t, srv); a.status != http.StatusOK {
		t.Fatalf("lower-case serial_no: %d %s", a.status, a.body)
	}
	// A lower-case platform serial names the platform key; the answer names it as WeChat Pay writes it.
	ps := strings.ToLower(k.PlatformSerial())
	a := raw{uri: channelURI(t, k, k.PlatformSerial(), DemoChannelMchID, DemoBalAccountNo), serial: ps}.do(t, srv)
	if a.status != http.StatusOK || a.header.Get("Wechatpay-Serial") != k.PlatformSerial() {
		t.Fatalf("lower-case Wechatpay-Serial: %d %s signed by %q", a.status, a.body, a.header.Get("Wechatpay-Serial"))
	}
	// The public key ID is not hex: it matches exactly.
	raw{uri: channelURI(t, k, k.PublicKeyID, DemoChannelMchID, DemoBalAccountNo), serial: strings.ToLower(k.PublicKeyID)}.do(t, srv).
		wantError(t, http.StatusBadRequest, "PARAM_ERROR", "Wechatpay-Serial")
}

func TestAccept(t *testing.T) {
	srv := newTestServer(t)
	for _, accept := range [][]string{
		{""}, {"application/json"}, {"*/*"}, {"application/*"}, {"Application/JSON; charset=utf-8"},
		{"application/json, text/plain, application/x-gzip, application/pdf, image/png, image/*;q=0.5"}, // wechatpay-axios-plugin
		{"text/html", "application/json"},
	} {
		if a := (raw{uri: ecomPath + DemoSubMchID, accept: accept}).do(t, srv); a.status != http.StatusOK {
			t.Errorf("Accept %q: %d %s", accept, a.status, a.body)
		}
	}
	for _, accept := range []string{"text/html", "application/xml, text/*", "application/json;q=0", "*/*;q=0"} {
		a := raw{uri: ecomPath + DemoSubMchID, accept: []string{accept}}.do(t, srv)
		a.wantError(t, http.StatusBadRequest, "PARAM_ERROR", "Accept", "application/json")
		if a.err.Detail["field"] != "Accept" || a.err.Detail["location"] != "header" {
			t.Errorf("Accept %q: detail %v", accept, a.err.Detail)
		}
	}
}

// Every answer carries each header openapi.yaml declares for it, with a value the spec
// allows (Wechatpay-Signature-Type: the one value of its enum).
func TestSignatureTypeHeader(t *testing.T) {
	srv := newTestServer(t)
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	op := spec.doc.Paths.Find("/v3/ecommerce/fund/balance/{sub_mchid}").Get
	for _, uri := range []string{ecomPath + DemoSubMchID, ecomPath + "1900000999"} { // 200 and 403
		a := raw{uri: uri}.do(t, srv)
		resp := op.Responses.Status(a.status)
		if resp == nil || resp.Value == nil {
			t.Fatalf("%s: %d is not an answer openapi.yaml declares", uri, a.status)
		}
		if resp.Value.Headers["Wechatpay-Signature-Type"] == nil {
			t.Errorf("%s: openapi.yaml does not declare Wechatpay-Signature-Type on %d", uri, a.status)
		}
		for name, h := range resp.Value.Headers {
			got := a.header.Get(name)
			if got == "" {
				t.Errorf("%s: %d answer lacks header %s", uri, a.status, name)
				continue
			}
			if enum := h.Value.Schema.Value.Enum; len(enum) > 0 && !slices.Contains(enum, any(got)) {
				t.Errorf("%s: %s = %q; openapi.yaml allows %v", uri, name, got, enum)
			}
		}
	}
}

// 查询渠道额度 asks for the quota of a balance account of a target merchant: the same account
// number under another merchant is another (here unknown) account.
func TestChannelBalancePerTargetMerchant(t *testing.T) {
	srv := newTestServer(t, WithoutDemoData())
	k := srv.Keys()
	srv.SetAccountBalance("1900000300", "acct-9", 900, true)
	a := raw{uri: channelURI(t, k, k.PublicKeyID, "1900000300", "acct-9")}.do(t, srv)
	if a.status != http.StatusOK || !strings.Contains(string(a.body), `"balance":900`) {
		t.Fatalf("target merchant's account: %d %s", a.status, a.body)
	}
	raw{uri: channelURI(t, k, k.PublicKeyID, "1900000301", "acct-9")}.do(t, srv).
		wantError(t, http.StatusBadRequest, "PARAM_ERROR", "bal_account_no", "mchid")
}

func TestWriteDirForOtherSDKs(t *testing.T) {
	k := testKeys(t)
	dir := t.TempDir()
	env, err := k.WriteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, err := os.ReadFile(filepath.Join(dir, "apiclient_cert.pem"))
	if err != nil || env["WXPAY_MERCHANT_CERT_FILE"] != filepath.Join(dir, "apiclient_cert.pem") {
		t.Fatalf("apiclient_cert.pem: %v, env %v", err, env)
	}
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		t.Fatal("apiclient_cert.pem is not PEM")
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(cert.SerialNumber.Text(16), k.CertificateSerialNo) || !k.MerchantKey.PublicKey.Equal(cert.PublicKey) {
		t.Errorf("apiclient_cert.pem: serial %X, want %s, for the merchant key", cert.SerialNumber, k.CertificateSerialNo)
	}
	if _, ok := env["WXPAY_PLATFORM_CERT_FILE"]; ok {
		t.Errorf("public-key identity: WXPAY_PLATFORM_CERT_FILE set")
	}
	// An identity without a WeChat Pay public key (platform-certificate mode) names the certificate.
	pk := &Keys{MchID: k.MchID, CertificateSerialNo: k.CertificateSerialNo, MerchantKey: k.MerchantKey,
		PlatformKey: k.PlatformKey, PlatformCertificate: k.PlatformCertificate, APIv3Key: k.APIv3Key}
	env, err = pk.WriteDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if env["WXPAY_PLATFORM_CERT_FILE"] == "" || env["WXPAY_PUBLIC_KEY_ID"] != "" {
		t.Errorf("platform-certificate identity: env %v", env)
	}
}

// A queued 404 without a Code answers NOT_FOUND, not the one 404 row openapi.yaml lists for
// the e-commerce query, ORDER_NOT_EXISTS 提现单号不存在, which is about withdrawals
// (scope: withdrawal) and would send a client looking for a withdrawal order. An explicit
// Code still answers that row, with the page's wording.
func TestFault404NotWithdrawalCode(t *testing.T) {
	srv := newTestServer(t)
	srv.QueueFault(Fault{Operation: generated.OpQueryECommerceBalance, Status: http.StatusNotFound})
	a := raw{uri: ecomPath + DemoSubMchID}.do(t, srv)
	a.wantError(t, http.StatusNotFound, "NOT_FOUND")
	if strings.Contains(a.err.Message, "提现") {
		t.Errorf("message %q speaks of withdrawals", a.err.Message)
	}
	srv.QueueFault(Fault{Operation: generated.OpQueryECommerceBalance, Status: http.StatusNotFound, Code: "ORDER_NOT_EXISTS"})
	raw{uri: ecomPath + DemoSubMchID}.do(t, srv).wantError(t, http.StatusNotFound, "ORDER_NOT_EXISTS", "提现单号不存在")
}
