package transport_test

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/transport"
)

func goodConfig(t testing.TB) transport.Config {
	k := theKeys(t)
	return transport.Config{MchID: testMchID, CertificateSerialNo: testCertSerial, PrivateKey: k.merchant,
		WechatPayPublicKeyID: testPubKeyID, WechatPayPublicKey: &k.wechat.PublicKey}
}

func TestNewRejectsConfigNamingTheField(t *testing.T) {
	cases := map[string]func(c *transport.Config){
		"MchID":                func(c *transport.Config) { c.MchID = "" },
		"CertificateSerialNo":  func(c *transport.Config) { c.CertificateSerialNo = " " },
		"PrivateKey":           func(c *transport.Config) { c.PrivateKey = nil },
		"WechatPayPublicKey":   func(c *transport.Config) { c.WechatPayPublicKey = nil },
		"WechatPayPublicKeyID": func(c *transport.Config) { c.WechatPayPublicKeyID = "" },
		"MaxResponseBytes":     func(c *transport.Config) { c.MaxResponseBytes = -1 },
		"MaxAttempts":          func(c *transport.Config) { c.MaxAttempts = -1 },
		"AttemptTimeout":       func(c *transport.Config) { c.AttemptTimeout = -time.Second },
		"FailoverCooldown":     func(c *transport.Config) { c.FailoverCooldown = -time.Second },
		"CertificateRefresh":   func(c *transport.Config) { c.CertificateRefresh = -time.Second },
		"BackupURL":            func(c *transport.Config) { c.BackupURL = "api2.mch.weixin.qq.com" },
		"APIv3Key":             func(c *transport.Config) { c.APIv3Key = transport.NewSecret([]byte("short")) },
		"RateLimits":           func(c *transport.Config) { c.RateLimits = map[string]transport.RateLimit{"NoSuchOperation": {QPS: 1}} },
		"PlatformCertificates[0]": func(c *transport.Config) {
			c.PlatformCertificates = []*x509.Certificate{nil}
		},
	}
	for field, breakIt := range cases {
		t.Run(field, func(t *testing.T) {
			c := goodConfig(t)
			breakIt(&c)
			_, err := transport.New(c)
			var ce *transport.ConfigError
			if !errors.As(err, &ce) || ce.Field != field {
				t.Fatalf("got %v, want a *transport.ConfigError for %s", err, field)
			}
		})
	}
	// A refresh period below the minimum would flood WeChat Pay with signed downloads.
	for _, d := range []time.Duration{time.Nanosecond, time.Millisecond, transport.MinCertificateRefresh - 1} {
		c := goodConfig(t)
		c.CertificateRefresh = d
		var ce *transport.ConfigError
		if _, err := transport.New(c); !errors.As(err, &ce) || ce.Field != "CertificateRefresh" || !strings.Contains(ce.Reason, "minimum") {
			t.Errorf("CertificateRefresh %s: got %v, want a *transport.ConfigError for CertificateRefresh naming the minimum", d, err)
		}
	}
	c := goodConfig(t)
	c.CertificateRefresh = transport.MinCertificateRefresh
	if tr, err := transport.New(c); err != nil {
		t.Errorf("CertificateRefresh of MinCertificateRefresh refused: %v", err)
	} else {
		_ = tr.Close()
	}
	// MchID with a quote would break the Authorization header.
	c = goodConfig(t)
	c.MchID = `19"00`
	if _, err := transport.New(c); err == nil {
		t.Error("a quote in MchID was accepted")
	}
}

func TestConfigPrintsRedacted(t *testing.T) {
	c := goodConfig(t)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "config", c)
	out := fmt.Sprintf("%v|%+v|%#v|%s|%q", c, c, c, c, c) + logs.String()
	for _, secret := range secretsOf(c.PrivateKey) {
		if strings.Contains(out, secret) {
			t.Fatalf("config output contains key material (%.20s…)", secret)
		}
	}
	if !strings.Contains(out, testMchID) || !strings.Contains(out, "[REDACTED]") {
		t.Errorf("config output lacks identity or redaction marker: %s", out)
	}
}

// secretsOf returns forms of a private key that must never be printed.
func secretsOf(k *rsa.PrivateKey) []string {
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	pemText := string(pemOf("PRIVATE KEY", der))
	return []string{k.D.String(), k.D.Text(16), k.Primes[0].String(), k.Primes[0].Text(16), pemText[40:120]}
}

// TestNewRejectsMalformedPublicKeys: a hand-built WeChat Pay public key (or platform
// certificate key) without a modulus or exponent is a *ConfigError naming the field —
// never a panic, and never accepted.
func TestNewRejectsMalformedPublicKeys(t *testing.T) {
	k := theKeys(t)
	pub := func(p *rsa.PublicKey) func(c *transport.Config) {
		return func(c *transport.Config) { c.WechatPayPublicKey = p }
	}
	cases := []struct {
		name, field string
		edit        func(c *transport.Config)
	}{
		{"empty", "WechatPayPublicKey", pub(&rsa.PublicKey{})},
		{"no modulus", "WechatPayPublicKey", pub(&rsa.PublicKey{E: 65537})},
		{"exponent 0", "WechatPayPublicKey", pub(&rsa.PublicKey{N: k.wechat.N})},
		{"certificate with a nil key", "PlatformCertificates[0]", func(c *transport.Config) {
			c.WechatPayPublicKeyID, c.WechatPayPublicKey = "", nil
			c.PlatformCertificates = []*x509.Certificate{{PublicKey: (*rsa.PublicKey)(nil)}}
		}},
		{"signer with an empty key", "Signer", func(c *transport.Config) {
			c.PrivateKey, c.Signer = nil, badSigner{k.merchant}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("New panicked: %v", r)
				}
			}()
			c := goodConfig(t)
			tc.edit(&c)
			_, err := transport.New(c)
			var ce *transport.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("got %v, want a *transport.ConfigError for %s", err, tc.field)
			}
		})
	}
}

// badSigner is a crypto.Signer whose public key is an empty RSA key.
type badSigner struct{ *rsa.PrivateKey }

func (badSigner) Public() crypto.PublicKey { return &rsa.PublicKey{} }

// TestNewRejectsIdentitiesThatBreakTheAuthorizationHeader: MchID and CertificateSerialNo go
// verbatim into every Authorization header (WechatPayPublicKeyID into Wechatpay-Serial), so
// a control character (which net/http refuses to send, on every attempt) or a quote is a
// *ConfigError naming the field, at New.
func TestNewRejectsIdentitiesThatBreakTheAuthorizationHeader(t *testing.T) {
	for _, bad := range []string{"1900\x00001", "1900\x7f001", "1900\x1b001", `1900"001`, "1900,001", "1900 001"} {
		for _, field := range []string{"MchID", "CertificateSerialNo", "WechatPayPublicKeyID"} {
			c := goodConfig(t)
			switch field {
			case "MchID":
				c.MchID = bad
			case "CertificateSerialNo":
				c.CertificateSerialNo = bad
			default:
				c.WechatPayPublicKeyID = bad
			}
			_, err := transport.New(c)
			var ce *transport.ConfigError
			if !errors.As(err, &ce) || ce.Field != field {
				t.Errorf("%s %q: got %v, want a *transport.ConfigError for %s", field, bad, err, field)
			}
		}
	}
}
