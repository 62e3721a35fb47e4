package wxpaytest

import "github.com/wxpay-oapi/wxpay/transport"

// Transport returns the transport.Transport that Client sends through: for Encrypt (a
// sensitive field sealed with the key the next request names) and RefreshCertificates,
// without a type assertion on Client().Transport. Call it after Start.
//
// wxpay.NewClientWithTransport(srv.URL, srv.Transport()) gives the same client, with
// Encrypt on it, the way wxpay.NewClient does for production code.
func (s *Server) Transport() *transport.Transport {
	return s.Client().Transport.(*transport.Transport)
}
