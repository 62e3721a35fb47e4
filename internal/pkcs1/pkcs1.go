// Package pkcs1 verifies RSASSA-PKCS1-v1_5 signatures over SHA-256 digests with a public
// key prepared once.
//
// crypto/rsa.VerifyPKCS1v15 builds the key's Montgomery modulus again for every signature:
// for a 2048-bit key that costs a third of the verification (BenchmarkVerify), on every
// answer a Transport checks. A PublicKey builds it once. The arithmetic is filippo.io/bigmod,
// the standard library's crypto/internal/fips140/bigmod re-exported by its author (v0.1.0
// is Go 1.24's; its nat.go differs from Go 1.26's only in what it exports), and the
// checks are crypto/rsa's, in its order (verifyPKCS1v15 and encrypt in
// crypto/internal/fips140/rsa): the signature is exactly k bytes, a number below the modulus,
// and its e-th power is byte for byte the encoding built from the digest — the check is
// encode-and-compare, so no parsing of the decrypted block can be fooled.
// TestAgreesWithCryptoRSA and FuzzAgreesWithCryptoRSA hold it to crypto/rsa.
//
// Where the verification must run inside a validated module — a GOEXPERIMENT=boringcrypto
// build, or FIPS 140-3 mode (GODEBUG=fips140=on or only) — Prepare returns nil and the
// caller verifies with crypto/rsa, as it does for any key Prepare does not take.
package pkcs1

import (
	"crypto/fips140"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"

	"filippo.io/bigmod"
)

// sha256Prefix is the DER DigestInfo header of a SHA-256 digest (RFC 8017, section 9.2, note 1).
var sha256Prefix = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

// PublicKey is an RSA public key prepared for verifying PKCS #1 v1.5 SHA-256 signatures;
// safe for concurrent use.
type PublicKey struct {
	n *bigmod.Modulus
	e uint
	// head is the encoded message without its digest: 0x00 0x01 0xff… 0x00 DigestInfo header.
	head []byte
}

// Prepare returns pub prepared for VerifySHA256, or nil when crypto/rsa must verify with
// it: in a boringcrypto build or FIPS 140-3 mode, and for a key crypto/rsa would refuse
// (modulus missing, even or under 1024 bits, exponent not odd or not in [3, 2³¹-1]) or
// that is too short for a SHA-256 encoding — crypto/rsa then returns its own error.
func Prepare(pub *rsa.PublicKey) *PublicKey {
	if boringCrypto || fips140.Enabled() || pub == nil || pub.N == nil || pub.N.Sign() <= 0 ||
		pub.N.Bit(0) == 0 || pub.N.BitLen() < 1024 || pub.E < 3 || pub.E&1 == 0 || pub.E > 1<<31-1 {
		return nil
	}
	n, err := bigmod.NewModulus(pub.N.Bytes())
	if err != nil {
		return nil
	}
	k := n.Size()
	tLen := len(sha256Prefix) + sha256.Size
	if k < tLen+11 {
		return nil
	}
	head := make([]byte, k-sha256.Size)
	head[1] = 1
	for i := 2; i < k-tLen-1; i++ {
		head[i] = 0xff
	}
	copy(head[k-tLen:], sha256Prefix)
	return &PublicKey{n: n, e: uint(pub.E), head: head}
}

// VerifySHA256 checks that sig is a PKCS #1 v1.5 signature of the SHA-256 digest by k. It
// returns nil or rsa.ErrVerification, as rsa.VerifyPKCS1v15 does.
func (k *PublicKey) VerifySHA256(digest, sig []byte) error {
	size := len(k.head) + sha256.Size
	if len(digest) != sha256.Size || len(sig) != size { // RFC 8017, 8.2.2 step 1
		return rsa.ErrVerification
	}
	m, err := bigmod.NewNat().SetBytes(sig, k.n) // refuses a number ≥ n
	if err != nil {
		return rsa.ErrVerification
	}
	em := bigmod.NewNat().ExpShortVarTime(m, k.e, k.n).Bytes(k.n)
	// Both halves are public (the signature and the digest of a signed message); the
	// comparison need not be constant-time, but costs nothing to make so.
	if len(em) != size || subtle.ConstantTimeCompare(em[:len(k.head)], k.head)&
		subtle.ConstantTimeCompare(em[len(k.head):], digest) != 1 {
		return rsa.ErrVerification
	}
	return nil
}
