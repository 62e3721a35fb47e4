package transport

import (
	"bytes"
	"crypto"
	"crypto/fips140"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"runtime"
	"strings"
	"testing"
	"time"
)

// selfSigned is a self-signed certificate for k, valid from from to to; the external tests
// use it as transport.SelfSigned (export_test.go).
func selfSigned(t testing.TB, k *rsa.PrivateKey, serial int64, from, to time.Time) *x509.Certificate {
	t.Helper()
	tpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "Tenpay.com Root CA"}, NotBefore: from, NotAfter: to}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newKey is a fresh RSA-2048 key.
func newKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeyringUsesOnlyValidCertificatesAndPrefersTheNewest(t *testing.T) {
	key := newKey(t)
	now := time.Now()
	cert := func(serial int64, from, to time.Time) *x509.Certificate {
		return selfSigned(t, key, serial, from, to)
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

// fakeCert is a certificate as the keyring sees it (serial, key, validity); the keyring never
// looks at the signature, so none is made.
func fakeCert(pub *rsa.PublicKey, serial int64, from, to time.Time) *x509.Certificate {
	return &x509.Certificate{SerialNumber: big.NewInt(serial), PublicKey: pub, NotBefore: from, NotAfter: to}
}

// TestDownloadsNeverReplaceConfiguredKeys: a downloaded certificate under the serial of a
// configured one (or under the public key's ID) changes neither what verifies nor what
// Encrypt seals for.
func TestDownloadsNeverReplaceConfiguredKeys(t *testing.T) {
	good := newKey(t)
	evil := newKey(t)
	now := time.Now()
	pinned := fakeCert(&good.PublicKey, 0xA1, now.Add(-time.Hour), now.Add(time.Hour))
	forged := fakeCert(&evil.PublicKey, 0xA1, now.Add(-time.Minute), now.Add(48*time.Hour)) // newer, same serial
	for name, k := range map[string]*keyring{
		"certificate only": newKeyring("", nil, []*x509.Certificate{pinned}),
		"with public key":  newKeyring("PUB_KEY_ID_1", &good.PublicKey, []*x509.Certificate{pinned}),
	} {
		k.replaceDownloaded([]*x509.Certificate{forged}, now)
		if key, ok := k.lookup("A1", now); !ok || !key.pub.Equal(&good.PublicKey) {
			t.Errorf("%s: after a download under the configured serial A1, lookup gives the downloaded key", name)
		}
		if key, ok := k.preferred(now); !ok || !key.pub.Equal(&good.PublicKey) {
			t.Errorf("%s: after a download under the configured serial A1, Encrypt would seal for the downloaded key (%s)", name, key.serial)
		}
		if n := k.size(); n > 2 {
			t.Errorf("%s: %d keys; the shadowing certificate was kept", name, n)
		}
	}
}

// TestDownloadsReplaceEachOther: five downloads of 400 certificates each leave at most 400
// downloaded keys (plus the configured ones), and an expired listed certificate is not kept.
func TestDownloadsReplaceEachOther(t *testing.T) {
	key := newKey(t)
	now := time.Now()
	k := newKeyring("PUB_KEY_ID_1", &key.PublicKey, nil)
	const perDownload, downloads = 400, 5
	for d := range downloads {
		certs := make([]*x509.Certificate, 0, perDownload+1)
		for i := range perDownload {
			certs = append(certs, fakeCert(&key.PublicKey, int64(d*perDownload+i+1), now.Add(-time.Hour), now.Add(time.Hour)))
		}
		certs = append(certs, fakeCert(&key.PublicKey, 999999, now.Add(-2*time.Hour), now.Add(-time.Hour))) // listed but expired
		if kept := k.replaceDownloaded(certs, now); kept != perDownload {
			t.Errorf("download %d kept %d, want %d", d+1, kept, perDownload)
		}
	}
	if n := k.size(); n > perDownload+1 {
		t.Errorf("after %d downloads of %d certificates: %d keys, want at most %d", downloads, perDownload, n, perDownload+1)
	}
	t.Logf("keyring after %d downloads of %d: %d keys", downloads, perDownload, k.size())
	if _, ok := k.lookup("1", now); ok {
		t.Error("a certificate the latest download no longer lists is still trusted")
	}
	if _, ok := k.lookup(CertificateSerial(fakeCert(&key.PublicKey, downloads*perDownload, now, now)), now); !ok {
		t.Error("a certificate the latest download lists is not trusted")
	}
}

// TestPreparedKeyVerifiesAsCryptoRSA: a verify key checks signatures the same way whether
// pkcs1.Prepare took it or left it to crypto/rsa (a boringcrypto build, FIPS 140-3 mode).
func TestPreparedKeyVerifiesAsCryptoRSA(t *testing.T) {
	key := newKey(t)
	digest := sha256.Sum256([]byte("an answer's signed message"))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	other := sha256.Sum256([]byte("another message"))
	bad := bytes.Clone(sig)
	bad[100] ^= 1
	for _, prepared := range []bool{true, false} {
		p := newVerifyKey("S", &key.PublicKey, time.Time{}, time.Time{}).prepared
		if !prepared {
			p.once.Do(func() {}) // as when pkcs1.Prepare declines: p.key stays nil
		}
		if err := p.verifySHA256(digest[:], sig); err != nil {
			t.Errorf("prepared=%v: a good signature: %v", prepared, err)
		}
		for what, c := range map[string]struct{ d, s []byte }{"another digest": {other[:], sig}, "a flipped bit": {digest[:], bad}} {
			if err := p.verifySHA256(c.d, c.s); !errors.Is(err, rsa.ErrVerification) {
				t.Errorf("prepared=%v, %s: got %v, want rsa.ErrVerification", prepared, what, err)
			}
		}
		if prepared && p.key == nil && !fips140.Enabled() && !strings.Contains(runtime.Version(), "boring") {
			t.Error("a 2048-bit key was not prepared")
		}
	}
}

// TestDownloadKeepsPreparedKey: a certificate listed again by the next download keeps the
// key prepared for it; a new one gets its own.
func TestDownloadKeepsPreparedKey(t *testing.T) {
	key := newKey(t)
	now := time.Now()
	mk := func(serial int64) *x509.Certificate {
		return selfSigned(t, key, serial, now.Add(-time.Hour), now.Add(time.Hour))
	}
	a := mk(10)
	k := newKeyring("", nil, nil)
	k.replaceDownloaded([]*x509.Certificate{a}, now)
	first, _ := k.lookup(CertificateSerial(a), now)
	k.replaceDownloaded([]*x509.Certificate{mk(10), mk(11)}, now) // parsed afresh, as a download does
	again, _ := k.lookup(CertificateSerial(a), now)
	if again.prepared != first.prepared {
		t.Error("the same certificate, downloaded again, lost its prepared key")
	}
	if b, ok := k.lookup("B", now); !ok || b.prepared == nil || b.prepared == first.prepared { // serial 11
		t.Error("a new certificate has no prepared key of its own")
	}
}
