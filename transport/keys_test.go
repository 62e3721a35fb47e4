package transport_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/transport"
)

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// selfSigned is the internal tests' certificate maker (export_test.go).
var selfSigned = transport.SelfSigned

func TestLoadKeys(t *testing.T) {
	k := theKeys(t).merchant
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k)
	pkix, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	for name, data := range map[string][]byte{
		"PKCS#8": pemOf("PRIVATE KEY", pkcs8),
		"PKCS#1": pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k)),
	} {
		got, err := transport.LoadPrivateKey(data)
		if err != nil || !got.Equal(k) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, data := range map[string][]byte{
		"PKIX":   pemOf("PUBLIC KEY", pkix),
		"PKCS#1": pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&k.PublicKey)),
	} {
		got, err := transport.LoadPublicKey(data)
		if err != nil || !got.Equal(&k.PublicKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
	cert := selfSigned(t, k, 0x5157F09E, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	got, err := transport.LoadCertificate(pemOf("CERTIFICATE", cert.Raw))
	if err != nil || transport.CertificateSerial(got) != "5157F09E" {
		t.Errorf("certificate: %v", err)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "apiclient_key.pem")
	if err := os.WriteFile(path, pemOf("PRIVATE KEY", pkcs8), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := transport.LoadPrivateKeyFile(path); err != nil {
		t.Errorf("file: %v", err)
	}
}

func TestLoadKeyErrorsSayWhatIsWrong(t *testing.T) {
	k := theKeys(t).merchant
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec8, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPub, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	small8, _ := x509.MarshalPKCS8PrivateKey(small)
	secret := string(pemOf("PRIVATE KEY", pkcs8))
	encrypted := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00"}, Bytes: []byte{1, 2}})

	cases := []struct {
		name string
		load func() error
		want string
	}{
		{"not PEM", func() error { _, err := transport.LoadPrivateKey([]byte("hello")); return err }, "not PEM"},
		{"wrong block type", func() error { _, err := transport.LoadPrivateKey(pemOf("CERTIFICATE", []byte{1})); return err }, `wrong PEM block type "CERTIFICATE"`},
		{"not RSA", func() error { _, err := transport.LoadPrivateKey(pemOf("PRIVATE KEY", ec8)); return err }, "not an RSA key"},
		{"encrypted", func() error { _, err := transport.LoadPrivateKey(encrypted); return err }, "encrypted"},
		{"encrypted PKCS#8", func() error {
			_, err := transport.LoadPrivateKey(pemOf("ENCRYPTED PRIVATE KEY", []byte{1}))
			return err
		}, "encrypted"},
		{"too small", func() error { _, err := transport.LoadPrivateKey(pemOf("PRIVATE KEY", small8)); return err }, "1024 bits"},
		{"garbage DER", func() error { _, err := transport.LoadPrivateKey(pemOf("PRIVATE KEY", []byte{0x30, 1, 2})); return err }, "malformed PRIVATE KEY"},
		{"private key as public", func() error { _, err := transport.LoadPublicKey([]byte(secret)); return err }, `wrong PEM block type "PRIVATE KEY"`},
		{"EC public key", func() error { _, err := transport.LoadPublicKey(pemOf("PUBLIC KEY", ecPub)); return err }, "not an RSA public key"},
		{"missing file", func() error { _, err := transport.LoadPrivateKeyFile("/nonexistent/apiclient_key.pem"); return err }, "/nonexistent/apiclient_key.pem"},
		{"cert not PEM", func() error { _, err := transport.LoadCertificate(nil); return err }, "not PEM"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.load()
			var ke *transport.KeyError
			if !errors.As(err, &ke) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a *transport.KeyError saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret[40:80]) {
				t.Error("the error contains key material")
			}
		})
	}
}
