package protocol

import (
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // WeChat Pay mandates RSA-OAEP with SHA-1; it is not used as a signature hash.
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// EncryptOAEP encrypts a sensitive field as WeChat Pay requires: RSA-OAEP with SHA-1 and
// MGF1-SHA-1, empty label, the ciphertext in base64 standard encoding.
func EncryptOAEP(random io.Reader, pub *rsa.PublicKey, plaintext string) (string, error) {
	if plaintext == "" {
		return "", errors.New("transport: nothing to encrypt: the plaintext is empty")
	}
	ct, err := rsa.EncryptOAEP(sha1.New(), random, pub, []byte(plaintext), nil)
	if err != nil {
		if errors.Is(err, rsa.ErrMessageTooLong) {
			return "", fmt.Errorf("transport: plaintext of %d bytes is too long for RSA-OAEP with a %d-bit key (at most %d)",
				len(plaintext), pub.N.BitLen(), pub.Size()-2*sha1.Size-2)
		}
		return "", fmt.Errorf("transport: encrypting: %w", err)
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}
