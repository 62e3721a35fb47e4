package transport

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"sync"
	"time"

	"github.com/wxpay-oapi/wxpay/internal/pkcs1"
)

// verifyKey is one WeChat Pay key: the public key (PUB_KEY_ID_…) or a platform certificate's.
type verifyKey struct {
	serial    string
	pub       *rsa.PublicKey
	prepared  *preparedKey
	notBefore time.Time // zero for the public key, which has no validity period
	notAfter  time.Time
}

func newVerifyKey(serial string, pub *rsa.PublicKey, notBefore, notAfter time.Time) verifyKey {
	return verifyKey{serial: serial, pub: pub, prepared: &preparedKey{pub: pub}, notBefore: notBefore, notAfter: notAfter}
}

// preparedKey is a key's modulus built for verifying, on the first answer it checks: a
// merchant's Transport that never calls costs nothing for it (BenchmarkNewTransports).
type preparedKey struct {
	pub  *rsa.PublicKey
	once sync.Once
	key  *pkcs1.PublicKey // nil: crypto/rsa verifies (pkcs1.Prepare)
}

// verifySHA256 checks a PKCS #1 v1.5 signature of a SHA-256 digest with the prepared key,
// or with crypto/rsa where pkcs1.Prepare leaves the key to it.
func (p *preparedKey) verifySHA256(digest, sig []byte) error {
	p.once.Do(func() { p.key = pkcs1.Prepare(p.pub) })
	if p.key == nil {
		return rsa.VerifyPKCS1v15(p.pub, crypto.SHA256, digest, sig)
	}
	return p.key.VerifySHA256(digest, sig)
}

func (k verifyKey) validAt(now time.Time) bool {
	return (k.notBefore.IsZero() || !now.Before(k.notBefore)) && (k.notAfter.IsZero() || !now.After(k.notAfter))
}

// keyring holds the WeChat Pay keys a Transport trusts; safe for concurrent use.
//
// Configured keys (Config.WechatPayPublicKey, Config.PlatformCertificates) are fixed for the
// Transport's life: a download never replaces or shadows one, whatever serial it claims.
// Downloaded certificates are replaced as a whole by each verified download, so the keyring
// holds at most the configured keys plus what the latest download listed.
type keyring struct {
	mu          sync.RWMutex
	publicKeyID string               // preferred when set
	configured  map[string]verifyKey // from Config; never changed after newKeyring
	downloaded  map[string]verifyKey // from the latest verified GET /v3/certificates
}

func newKeyring(publicKeyID string, pub *rsa.PublicKey, certs []*x509.Certificate) *keyring {
	k := &keyring{publicKeyID: publicKeyID, configured: make(map[string]verifyKey), downloaded: make(map[string]verifyKey)}
	if pub != nil {
		k.configured[publicKeyID] = newVerifyKey(publicKeyID, pub, time.Time{}, time.Time{})
	}
	for _, c := range certs {
		key := certificateKey(c)
		k.configured[key.serial] = key
	}
	return k
}

func certificateKey(c *x509.Certificate) verifyKey {
	s := CertificateSerial(c)
	return newVerifyKey(s, c.PublicKey.(*rsa.PublicKey), c.NotBefore, c.NotAfter)
}

// replaceDownloaded makes certs, the list of a verified download, the downloaded keys:
// those not expired at now and not under a configured serial. It returns how many it keeps.
func (k *keyring) replaceDownloaded(certs []*x509.Certificate, now time.Time) int {
	k.mu.RLock()
	prev := k.downloaded
	k.mu.RUnlock()
	next := make(map[string]verifyKey, len(certs))
	for _, c := range certs {
		key := certificateKey(c)
		if _, pinned := k.configured[key.serial]; pinned || now.After(key.notAfter) {
			continue
		}
		if old, ok := prev[key.serial]; ok && old.pub.Equal(key.pub) {
			key.prepared = old.prepared // the same key, listed again: keep what was built for it
		}
		next[key.serial] = key
	}
	k.mu.Lock()
	k.downloaded = next
	k.mu.Unlock()
	return len(next)
}

// empty reports whether no key at all is trusted, configured or downloaded, valid or not:
// the only state in which a download may be verified with a certificate it carries.
func (k *keyring) empty() bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.configured) == 0 && len(k.downloaded) == 0
}

// size returns how many keys the keyring holds.
func (k *keyring) size() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.configured) + len(k.downloaded)
}

// lookup returns the key a serial names, if it is trusted and valid at now; a configured
// key wins over a downloaded one.
func (k *keyring) lookup(serial string, now time.Time) (verifyKey, bool) {
	key, ok := k.configured[serial] // never written after newKeyring
	if !ok {
		k.mu.RLock()
		key, ok = k.downloaded[serial]
		k.mu.RUnlock()
	}
	if !ok || !key.validAt(now) {
		return verifyKey{}, false
	}
	return key, true
}

// preferred returns the key a request names in Wechatpay-Serial: the public key when
// configured, else the valid platform certificate that became valid last.
func (k *keyring) preferred(now time.Time) (verifyKey, bool) {
	if key, ok := k.configured[k.publicKeyID]; ok && k.publicKeyID != "" {
		return key, true
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	var best verifyKey
	for _, m := range [...]map[string]verifyKey{k.configured, k.downloaded} {
		for _, key := range m {
			if key.validAt(now) && (best.pub == nil || key.notBefore.After(best.notBefore)) {
				best = key
			}
		}
	}
	return best, best.pub != nil
}
