package protocol_test

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// seal is what WeChat Pay does to a resource: AES-256-GCM, ciphertext‖tag, base64 —
// written here with crypto/cipher directly, independent of DecryptAEAD.
func seal(t *testing.T, key []byte, nonce, ad string, plaintext []byte) string {
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(gcm.Seal(nil, []byte(nonce), plaintext, []byte(ad)))
}

func TestAEADRoundTripAndTamper(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	ct := seal(t, key, "d215b0511e9c", "certificate", []byte("-----BEGIN CERTIFICATE-----"))
	pt, err := protocol.DecryptAEAD(key, "d215b0511e9c", "certificate", ct)
	if err != nil || string(pt) != "-----BEGIN CERTIFICATE-----" {
		t.Fatalf("got %q, %v", pt, err)
	}
	for name, try := range map[string]func() error{
		"wrong key": func() error {
			_, err := protocol.DecryptAEAD([]byte(strings.Repeat("x", 32)), "d215b0511e9c", "certificate", ct)
			return err
		},
		"wrong AD":    func() error { _, err := protocol.DecryptAEAD(key, "d215b0511e9c", "other", ct); return err },
		"wrong nonce": func() error { _, err := protocol.DecryptAEAD(key, "000000000000", "certificate", ct); return err },
		"short key":   func() error { _, err := protocol.DecryptAEAD(key[:16], "d215b0511e9c", "certificate", ct); return err },
		"not base64":  func() error { _, err := protocol.DecryptAEAD(key, "d215b0511e9c", "certificate", "%%%"); return err },
		"flipped byte": func() error {
			_, err := protocol.DecryptAEAD(key, "d215b0511e9c", "certificate", "A"+ct[1:])
			return err
		},
	} {
		if err := try(); err == nil {
			t.Errorf("%s: decrypted", name)
		} else if strings.Contains(err.Error(), string(key)) {
			t.Errorf("%s: error contains the key", name)
		}
	}
}
