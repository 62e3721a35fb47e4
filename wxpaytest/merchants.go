package wxpaytest

import (
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/wxpay-oapi/wxpay/transport"
)

// AddMerchant makes the server accept requests from one more merchant identity besides its
// Keys' own, as WeChat Pay serves every merchant: a service provider (服务商) or SaaS
// platform holding many merchants tests them all against one server. The server checks
// that merchant's requests against certificateSerialNo and the public half of key, and
// answers with its Keys' WeChat Pay keys. AddMerchant returns a transport.Config for the
// merchant, like TransportConfig. It is safe to call while the server runs; an mchID
// already known is an error.
func (s *Server) AddMerchant(mchID, certificateSerialNo string, key *rsa.PrivateKey) (transport.Config, error) {
	switch {
	case !headerSafe(mchID) || !headerSafe(certificateSerialNo):
		return transport.Config{}, errors.New("wxpaytest: AddMerchant needs an mchID and a certificate serial of printable ASCII without spaces, quotes or commas")
	case key == nil || key.N == nil || key.N.BitLen() < 2048:
		return transport.Config{}, errors.New("wxpaytest: AddMerchant needs an RSA key of at least 2048 bits")
	case mchID == s.keys.MchID:
		return transport.Config{}, fmt.Errorf("wxpaytest: merchant %s is the server's own (Keys.MchID)", mchID)
	}
	if _, loaded := s.others.LoadOrStore(mchID, merchantKey{serial: certificateSerialNo, pub: &key.PublicKey}); loaded {
		return transport.Config{}, fmt.Errorf("wxpaytest: merchant %s was already added", mchID)
	}
	cfg := s.TransportConfig()
	cfg.MchID, cfg.CertificateSerialNo, cfg.PrivateKey = mchID, certificateSerialNo, key
	return cfg, nil
}

// merchant returns the serial and key a merchant's requests are checked against.
func (s *Server) merchant(mchID string) (merchantKey, bool) {
	if mchID == s.keys.MchID {
		return merchantKey{s.keys.CertificateSerialNo, &s.keys.MerchantKey.PublicKey}, true
	}
	m, ok := s.others.Load(mchID)
	if !ok {
		return merchantKey{}, false
	}
	return m.(merchantKey), true
}

// headerSafe reports whether s is non-empty and can go verbatim into a quoted
// Authorization field: printable ASCII without spaces, quotes or commas.
func headerSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b <= ' ' || b >= 0x7f || b == '"' || b == ',' {
			return false
		}
	}
	return s != ""
}
