package transport

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

func TestKeyringUsesOnlyValidCertificatesAndPrefersTheNewest(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cert := func(serial int64, from, to time.Time) *x509.Certificate {
		tpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "p"}, NotBefore: from, NotAfter: to}
		der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}
	old := cert(0xA1, now.Add(-48*time.Hour), now.Add(24*time.Hour))
	newer := cert(0xB2, now.Add(-time.Hour), now.Add(24*time.Hour))
	expired := cert(0xC3, now.Add(-48*time.Hour), now.Add(-time.Hour))
	future := cert(0xD4, now.Add(time.Hour), now.Add(48*time.Hour))
	k := newKeyring("", nil, []*x509.Certificate{old, newer, expired, future})

	for serial, want := range map[string]bool{"A1": true, "B2": true, "C3": false, "D4": false, "EE": false} {
		if _, ok := k.lookup(serial, now); ok != want {
			t.Errorf("lookup(%s) = %v, want %v", serial, ok, want)
		}
	}
	if p, ok := k.preferred(now); !ok || p.serial != "B2" {
		t.Errorf("preferred %q, want B2 (the newest valid certificate)", p.serial)
	}
	if p, _ := k.preferred(now.Add(2 * time.Hour)); p.serial != "D4" {
		t.Errorf("two hours on, preferred %q, want D4", p.serial)
	}
	withID := newKeyring("PUB_KEY_ID_1", &key.PublicKey, []*x509.Certificate{newer})
	if p, _ := withID.preferred(now); p.serial != "PUB_KEY_ID_1" {
		t.Errorf("preferred %q, want the public key ID when one is configured", p.serial)
	}
}
