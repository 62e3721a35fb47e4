package protocol

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
)

// APIv3KeySize is the length of a merchant's APIv3 key (APIv3密钥), in bytes.
const APIv3KeySize = 32

// DecryptAEAD decrypts a WeChat Pay AEAD_AES_256_GCM resource (e.g. an encrypted platform
// certificate): ciphertext is base64 of the GCM ciphertext followed by its tag, sealed with
// the merchant's 32-byte APIv3 key, nonce and associatedData as given.
func DecryptAEAD(apiV3Key []byte, nonce, associatedData, ciphertext string) ([]byte, error) {
	aead, err := newAEAD(apiV3Key, nonce)
	if err != nil {
		return nil, err
	}
	ct, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil {
		return nil, errors.New("transport: AEAD ciphertext is not standard base64")
	}
	pt, err := aead.Open(nil, []byte(nonce), ct, []byte(associatedData))
	if err != nil {
		return nil, errors.New("transport: AEAD ciphertext does not decrypt: wrong APIv3 key, or tampered data")
	}
	return pt, nil
}

func newAEAD(key []byte, nonce string) (cipher.AEAD, error) {
	if len(key) != APIv3KeySize {
		return nil, fmt.Errorf("transport: the APIv3 key must be %d bytes, got %d", APIv3KeySize, len(key))
	}
	if nonce == "" {
		return nil, errors.New("transport: empty AEAD nonce")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithNonceSize(block, len(nonce))
}
