package transport

import (
	"crypto/rsa"
	"crypto/x509"
	"sync"
	"time"
)

// verifyKey is one WeChat Pay key: the public key (PUB_KEY_ID_…) or a platform certificate's.
type verifyKey struct {
	serial    string
	pub       *rsa.PublicKey
	notBefore time.Time // zero for the public key, which has no validity period
	notAfter  time.Time
}

func (k verifyKey) validAt(now time.Time) bool {
	return (k.notBefore.IsZero() || !now.Before(k.notBefore)) && (k.notAfter.IsZero() || !now.After(k.notAfter))
}

// keyring holds the WeChat Pay keys a Transport trusts; safe for concurrent use.
type keyring struct {
	mu          sync.RWMutex
	publicKeyID string // preferred when set
	keys        map[string]verifyKey
}

func newKeyring(publicKeyID string, pub *rsa.PublicKey, certs []*x509.Certificate) *keyring {
	k := &keyring{publicKeyID: publicKeyID, keys: make(map[string]verifyKey)}
	if pub != nil {
		k.keys[publicKeyID] = verifyKey{serial: publicKeyID, pub: pub}
	}
	k.addCertificates(certs)
	return k
}

func (k *keyring) addCertificates(certs []*x509.Certificate) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, c := range certs {
		s := CertificateSerial(c)
		k.keys[s] = verifyKey{serial: s, pub: c.PublicKey.(*rsa.PublicKey), notBefore: c.NotBefore, notAfter: c.NotAfter}
	}
}

// lookup returns the key a serial names, if it is trusted and valid at now.
func (k *keyring) lookup(serial string, now time.Time) (verifyKey, bool) {
	k.mu.RLock()
	key, ok := k.keys[serial]
	k.mu.RUnlock()
	if !ok || !key.validAt(now) {
		return verifyKey{}, false
	}
	return key, true
}

// preferred returns the key a request names in Wechatpay-Serial: the public key when
// configured, else the valid platform certificate that became valid last.
func (k *keyring) preferred(now time.Time) (verifyKey, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if key, ok := k.keys[k.publicKeyID]; ok && k.publicKeyID != "" {
		return key, true
	}
	var best verifyKey
	for _, key := range k.keys {
		if key.validAt(now) && (best.pub == nil || key.notBefore.After(best.notBefore)) {
			best = key
		}
	}
	return best, best.pub != nil
}
