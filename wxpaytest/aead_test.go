package wxpaytest

import (
	"testing"

	"github.com/wxpay-oapi/wxpay/protocol"
	"github.com/wxpay-oapi/wxpay/transport"
)

// The certificates the fake will serve decrypt with the client's own AEAD code.
func TestSealedCertificates(t *testing.T) {
	k := testKeys(t)
	certs, err := k.sealedCertificates()
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 || certs[0].SerialNo != k.PlatformSerial() || certs[0].Encrypted.Algorithm != "AEAD_AES_256_GCM" ||
		len(certs[0].Encrypted.Nonce) != 12 || certs[0].Encrypted.AssociatedData != "certificate" {
		t.Fatalf("sealed = %+v", certs)
	}
	e := certs[0].Encrypted
	pemBytes, err := protocol.DecryptAEAD(k.APIv3Key.Bytes(), e.Nonce, e.AssociatedData, e.Ciphertext)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := transport.LoadCertificate(pemBytes)
	if err != nil || !cert.Equal(k.PlatformCertificate) {
		t.Fatalf("decrypted certificate: %v", err)
	}
	if _, err := protocol.DecryptAEAD(k.APIv3Key.Bytes(), e.Nonce, "other", e.Ciphertext); err == nil {
		t.Error("associated data not authenticated")
	}
	if _, err := sealAEAD([]byte("short"), "x", nil); err == nil {
		t.Error("short APIv3 key accepted")
	}
}
