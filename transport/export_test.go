package transport

import (
	"crypto/rsa"
	"crypto/x509"
	"testing"
	"time"
)

// NewWithCertificateRefresh is New with a background certificate refresh every every, which
// may be below MinCertificateRefresh: for tests of the refresh itself.
func NewWithCertificateRefresh(cfg Config, every time.Duration) (*Transport, error) {
	cfg.CertificateRefresh = 0
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return newTransport(cfg, every)
}

// SetClock replaces tr's clock (time.Now), before its first call: for tests of rules kept
// in time, such as the fail-over cool-down, that must not depend on how fast the test runs.
func SetClock(tr *Transport, now func() time.Time) { tr.now = now }

// SelfSigned is selfSigned (keyring_test.go), for the external tests.
func SelfSigned(t testing.TB, k *rsa.PrivateKey, serial int64, from, to time.Time) *x509.Certificate {
	t.Helper()
	return selfSigned(t, k, serial, from, to)
}
