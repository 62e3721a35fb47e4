package wxpaytest

import (
	"context"

	"github.com/wxpay-oapi/wxpay/generated/server"
)

// ListCertificates answers 下载平台证书: the platform certificates, each encrypted with the
// merchant's APIv3key (AEAD_AES_256_GCM).
func (h *handlers) ListCertificates(_ context.Context, _ server.ListCertificatesRequestObject) (server.ListCertificatesResponseObject, error) {
	certs, err := h.keys.sealedCertificates()
	if err != nil {
		return nil, err // answered as 500 SYSTEM_ERROR
	}
	list := server.CertificateList{Data: make([]server.Certificate, 0, len(certs))}
	for _, c := range certs {
		list.Data = append(list.Data, server.Certificate{
			SerialNo:      c.SerialNo,
			EffectiveTime: c.EffectiveTime,
			ExpireTime:    c.ExpireTime,
			EncryptCertificate: server.EncryptCertificate{
				Algorithm:      server.EncryptCertificateAlgorithm(c.Encrypted.Algorithm),
				Nonce:          c.Encrypted.Nonce,
				AssociatedData: c.Encrypted.AssociatedData,
				Ciphertext:     c.Encrypted.Ciphertext,
			},
		})
	}
	return server.ListCertificates200JSONResponse{Body: list}, nil
}
