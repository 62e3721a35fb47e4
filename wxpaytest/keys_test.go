package wxpaytest

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/wxpay-oapi/wxpay/transport"
)

func TestKeys(t *testing.T) {
	k := testKeys(t)
	if k.MchID != DefaultMchID || !regexp.MustCompile(`^PUB_KEY_ID_\d{28}$`).MatchString(k.PublicKeyID) ||
		!regexp.MustCompile(`^[0-9A-F]{40}$`).MatchString(k.CertificateSerialNo) ||
		!regexp.MustCompile(`^[0-9A-F]{40}$`).MatchString(k.PlatformSerial()) {
		t.Errorf("identity: %s %s %s %s", k.MchID, k.PublicKeyID, k.CertificateSerialNo, k.PlatformSerial())
	}
	if !regexp.MustCompile(`^[0-9A-Za-z]{32}$`).Match(k.APIv3Key.Bytes()) {
		t.Errorf("APIv3Key of %d bytes", k.APIv3Key.Len())
	}
	if k.MerchantKey.N.BitLen() != 2048 || k.WechatPayKey.N.BitLen() != 2048 || k.PlatformKey.N.BitLen() != 2048 {
		t.Error("keys are not RSA-2048")
	}
	if got := transport.CertificateSerial(k.PlatformCertificate); got != k.PlatformSerial() {
		t.Errorf("transport names the platform certificate %s, wxpaytest %s", got, k.PlatformSerial())
	}
	if key, ok := k.WechatPayKeyFor(k.PublicKeyID); !ok || key != k.WechatPayKey {
		t.Error("public key ID does not select WechatPayKey")
	}
	if key, ok := k.WechatPayKeyFor(k.PlatformSerial()); !ok || key != k.PlatformKey {
		t.Error("platform serial does not select PlatformKey")
	}
	if _, ok := k.WechatPayKeyFor(k.CertificateSerialNo); ok {
		t.Error("the merchant serial selected a WeChat Pay key")
	}
}

func TestKeysWriteDir(t *testing.T) {
	k := testKeys(t)
	dir := filepath.Join(t.TempDir(), "keys")
	env, err := k.WriteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"WXPAY_MCHID", "WXPAY_CERT_SERIAL_NO", "WXPAY_PRIVATE_KEY_FILE", "WXPAY_PUBLIC_KEY_ID", "WXPAY_PUBLIC_KEY_FILE",
		"WXPAY_MERCHANT_CERT_FILE"}
	if len(env) != len(want) {
		t.Errorf("env has %d settings, want %d: %v", len(env), len(want), want)
	}
	for _, name := range want {
		if env[name] == "" {
			t.Errorf("%s not set", name)
		}
	}
	if !filepath.IsAbs(env["WXPAY_PRIVATE_KEY_FILE"]) || !filepath.IsAbs(env["WXPAY_PUBLIC_KEY_FILE"]) {
		t.Errorf("paths not absolute: %v", env)
	}
	if fi, err := os.Stat(env["WXPAY_PRIVATE_KEY_FILE"]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private key file: %v %v", fi, err)
	}
	// The files load with the client's own loaders, and the keys are the same.
	priv, err := transport.LoadPrivateKeyFile(env["WXPAY_PRIVATE_KEY_FILE"])
	if err != nil || !priv.Equal(k.MerchantKey) {
		t.Errorf("apiclient_key.pem: %v", err)
	}
	pub, err := transport.LoadPublicKeyFile(env["WXPAY_PUBLIC_KEY_FILE"])
	if err != nil || !pub.Equal(&k.WechatPayKey.PublicKey) {
		t.Errorf("pub_key.pem: %v", err)
	}
	cert, err := transport.LoadCertificateFile(filepath.Join(dir, "platform_cert.pem"))
	if err != nil || !cert.Equal(k.PlatformCertificate) {
		t.Errorf("platform_cert.pem: %v", err)
	}
	if env["WXPAY_MCHID"] != k.MchID || env["WXPAY_CERT_SERIAL_NO"] != k.CertificateSerialNo || env["WXPAY_PUBLIC_KEY_ID"] != k.PublicKeyID {
		t.Errorf("env = %v", env)
	}
}

func TestTransportConfig(t *testing.T) {
	srv := newTestServer(t)
	cfg := srv.TransportConfig()
	k := srv.Keys()
	if cfg.MchID != k.MchID || cfg.CertificateSerialNo != k.CertificateSerialNo || cfg.PrivateKey != k.MerchantKey ||
		cfg.WechatPayPublicKeyID != k.PublicKeyID || !cfg.WechatPayPublicKey.Equal(&k.WechatPayKey.PublicKey) ||
		len(cfg.PlatformCertificates) != 1 {
		t.Errorf("TransportConfig = %v", cfg)
	}
	if _, err := transport.New(cfg); err != nil {
		t.Fatal(err)
	}
}
