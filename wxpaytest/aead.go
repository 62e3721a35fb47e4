package wxpaytest

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"time"
)

// AEADAlgorithm is the algorithm WeChat Pay encrypts resources for the merchant with.
const AEADAlgorithm = "AEAD_AES_256_GCM"

// sealed is one resource encrypted for the merchant, as WeChat Pay sends it.
type sealed struct {
	Algorithm, Nonce, AssociatedData, Ciphertext string
}

// sealAEAD encrypts plaintext with the merchant's APIv3 key as WeChat Pay does: AES-256-GCM,
// a random 12-character nonce and the associated data as given, base64 of ciphertext plus tag.
func sealAEAD(apiV3Key []byte, associatedData string, plaintext []byte) (sealed, error) {
	return sealAEADNonce(apiV3Key, strings.ToLower(randomHex(6)), associatedData, plaintext)
}

// sealAEADNonce is sealAEAD with a given nonce, whose 12 UTF-8 bytes are the GCM nonce (the
// associated data's UTF-8 bytes are GCM's additional data).
func sealAEADNonce(apiV3Key []byte, nonce, associatedData string, plaintext []byte) (sealed, error) {
	if len(apiV3Key) != 32 {
		return sealed{}, errors.New("wxpaytest: the APIv3 key must be 32 bytes")
	}
	block, err := aes.NewCipher(apiV3Key)
	if err != nil {
		return sealed{}, err
	}
	gcm, err := cipher.NewGCM(block) // 12-byte nonce, 16-byte tag
	if err != nil {
		return sealed{}, err
	}
	if len(nonce) != gcm.NonceSize() {
		return sealed{}, errors.New("wxpaytest: the AEAD nonce must be 12 bytes")
	}
	ct := gcm.Seal(nil, []byte(nonce), plaintext, []byte(associatedData))
	return sealed{Algorithm: AEADAlgorithm, Nonce: nonce, AssociatedData: associatedData, Ciphertext: base64.StdEncoding.EncodeToString(ct)}, nil
}

// platformCertificate is one platform certificate as GET /v3/certificates lists it.
type platformCertificate struct {
	SerialNo                  string
	EffectiveTime, ExpireTime time.Time
	Encrypted                 sealed
}

// sealedCertificates returns the platform certificates k holds, each encrypted with its APIv3 key.
func (k *Keys) sealedCertificates() ([]platformCertificate, error) {
	var out []platformCertificate
	for _, c := range k.platformCertificates() {
		if c == nil {
			continue
		}
		enc, err := sealAEAD(k.APIv3Key.Bytes(), "certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
		if err != nil {
			return nil, err
		}
		out = append(out, platformCertificate{
			SerialNo: strings.ToUpper(c.SerialNumber.Text(16)), EffectiveTime: c.NotBefore, ExpireTime: c.NotAfter, Encrypted: enc,
		})
	}
	return out, nil
}
