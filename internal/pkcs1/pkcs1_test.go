package pkcs1

import (
	"bytes"
	"crypto"
	"crypto/fips140"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"math/big"
	"sync"
	"testing"
)

// testKeys are real RSA keys generated once: 2048 bits (WeChat Pay's), 1024 (the least
// crypto/rsa verifies with), 3072, and 2049 — a size not a multiple of 8, where a
// signature's first byte is 0 or 1, so a k+1-byte signature with a leading zero, or sig+n,
// is still below 2^(8k) and only the length and range checks refuse them.
var testKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	var keys []*rsa.PrivateKey
	for _, bits := range []int{2048, 1024, 3072, 2049} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			panic(err)
		}
		keys = append(keys, k)
	}
	return keys
})

// rawSign returns em^d mod n as k bytes: a "signature" of any encoded message, so the
// tests can present encodings no signer would make. ok is false when em is not below n.
func rawSign(priv *rsa.PrivateKey, em []byte) (sig []byte, ok bool) {
	m := new(big.Int).SetBytes(em)
	if m.Cmp(priv.N) >= 0 {
		return nil, false
	}
	return new(big.Int).Exp(m, priv.D, priv.N).FillBytes(make([]byte, priv.Size())), true
}

// encode is a PKCS #1 v1.5 encoded message built from parts: 0x00 0x01, ps, 0x00, t.
func encode(k int, lead []byte, psLen int, sep []byte, t []byte) []byte {
	em := append([]byte{}, lead...)
	em = append(em, bytes.Repeat([]byte{0xff}, psLen)...)
	em = append(em, sep...)
	em = append(em, t...)
	if len(em) < k {
		em = append(make([]byte, k-len(em)), em...)
	}
	return em[:k]
}

// agree fails t unless the prepared key and crypto/rsa agree on (digest, sig).
func agree(t *testing.T, priv *rsa.PrivateKey, p *PublicKey, digest, sig []byte, what string) {
	t.Helper()
	want := rsa.VerifyPKCS1v15(&priv.PublicKey, crypto.SHA256, digest, sig)
	got := p.VerifySHA256(digest, sig)
	if (got == nil) != (want == nil) {
		t.Fatalf("%d-bit key, %s: prepared key says %v, crypto/rsa says %v", priv.N.BitLen(), what, got, want)
	}
	if got != nil && !errors.Is(got, rsa.ErrVerification) {
		t.Fatalf("%s: error %v is not rsa.ErrVerification", what, got)
	}
}

func TestAgreesWithCryptoRSA(t *testing.T) {
	for _, priv := range testKeys() {
		p := Prepare(&priv.PublicKey)
		if skipWhereCryptoRSAVerifies(t, p) {
			return
		}
		if p == nil {
			t.Fatalf("Prepare refused a %d-bit key", priv.N.BitLen())
		}
		k := priv.Size()
		digest := sha256.Sum256([]byte("GET\n/v3/ecommerce/fund/balance/1900000109\n1554208460\nnonce\n\n"))
		sig, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		if err := p.VerifySHA256(digest[:], sig); err != nil {
			t.Fatalf("a good signature: %v", err)
		}
		agree(t, priv, p, digest[:], sig, "good")
		other := sha256.Sum256([]byte("another message"))
		agree(t, priv, p, other[:], sig, "another digest")
		agree(t, priv, p, digest[:31], sig, "31-byte digest")
		agree(t, priv, p, append(digest[:], 0), sig, "33-byte digest")
		for _, i := range []int{0, 1, k / 2, k - 1} {
			for bit := range 8 {
				bad := bytes.Clone(sig)
				bad[i] ^= 1 << bit
				agree(t, priv, p, digest[:], bad, "a flipped bit")
			}
		}
		n := priv.N.FillBytes(make([]byte, k))
		nPlus := new(big.Int).Add(priv.N, new(big.Int).SetBytes(sig)).Bytes()
		for what, s := range map[string][]byte{
			"empty": {}, "zero": make([]byte, k), "one": append(make([]byte, k-1), 1), "n": n,
			"n-1":   new(big.Int).Sub(priv.N, big.NewInt(1)).FillBytes(make([]byte, k)),
			"sig+n": nPlus, "short": sig[1:], "long, leading zero": append([]byte{0}, sig...),
			"long, trailing byte": append(bytes.Clone(sig), 0), "all ones": bytes.Repeat([]byte{0xff}, k),
		} {
			agree(t, priv, p, digest[:], s, what)
		}
		// Encodings no honest signer makes, signed with the private key so that only the
		// check of the encoding can refuse them.
		t256 := append(bytes.Clone(sha256Prefix), digest[:]...)
		psLen := k - 3 - len(t256)
		sha1Prefix := []byte{0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14}
		noNull := append([]byte{0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20}, digest[:]...)
		garbage := bytes.Repeat([]byte{0xab}, 8)
		for what, em := range map[string][]byte{
			"the right encoding":        encode(k, []byte{0, 1}, psLen, []byte{0}, t256),
			"block type 2":              encode(k, []byte{0, 2}, psLen, []byte{0}, t256),
			"no leading zero":           append(encode(k, []byte{1}, psLen, []byte{0}, t256)[1:], 0),
			"no separator":              encode(k, []byte{0, 1}, psLen+1, nil, t256),
			"short padding, garbage":    append(encode(k-len(garbage), []byte{0, 1}, psLen-len(garbage), []byte{0}, t256), garbage...),
			"padding byte 0xfe":         append([]byte{0, 1, 0xfe}, encode(k-3, nil, psLen-1, []byte{0}, t256)...),
			"SHA-1 DigestInfo":          encode(k, []byte{0, 1}, k-3-len(sha1Prefix)-20, []byte{0}, append(bytes.Clone(sha1Prefix), digest[:20]...)),
			"DigestInfo without NULL":   encode(k, []byte{0, 1}, k-3-len(noNull), []byte{0}, noNull),
			"padding of seven bytes":    encode(k, []byte{0, 1}, 7, []byte{0}, append(bytes.Repeat([]byte{0}, psLen-7), t256...)),
			"digest alone, no header":   encode(k, []byte{0, 1}, k-3-sha256.Size, []byte{0}, digest[:]),
			"the right encoding, twice": encode(k, []byte{0, 1}, psLen-len(t256), []byte{0}, append(bytes.Clone(t256), t256...)),
		} {
			if len(em) != k {
				t.Fatalf("%s: test encoding is %d bytes, want %d", what, len(em), k)
			}
			s, ok := rawSign(priv, em)
			if !ok { // no signature has it: on the 2049-bit key, an encoding starting 0x01 is ≥ n
				if em[0] == 0 {
					t.Fatalf("%s: encoding not below n", what)
				}
				continue
			}
			agree(t, priv, p, digest[:], s, what)
			if what == "the right encoding" && p.VerifySHA256(digest[:], s) != nil {
				t.Fatal("the right encoding, raw-signed, does not verify")
			}
		}
	}
}

// skipWhereCryptoRSAVerifies skips a test of the prepared key in a build or mode where
// Prepare must leave every key to crypto/rsa — and fails it if Prepare took one there.
func skipWhereCryptoRSAVerifies(t testing.TB, p *PublicKey) bool {
	t.Helper()
	if boringCrypto || fips140.Enabled() {
		if p != nil {
			t.Fatal("Prepare took a key in a boringcrypto build or FIPS 140-3 mode, where crypto/rsa must verify")
		}
		t.Skip("boringcrypto build or FIPS 140-3 mode: crypto/rsa verifies")
		return true
	}
	return false
}

func TestPrepareLeavesOddKeysToCryptoRSA(t *testing.T) {
	priv := testKeys()[0]
	even := new(big.Int).Add(priv.N, big.NewInt(1))
	p256, err := rand.Prime(rand.Reader, 256)
	if err != nil {
		t.Fatal(err)
	}
	q256, err := rand.Prime(rand.Reader, 256)
	if err != nil {
		t.Fatal(err)
	}
	small := &rsa.PublicKey{N: new(big.Int).Mul(p256, q256), E: 65537} // crypto/rsa will not generate one
	for what, pub := range map[string]*rsa.PublicKey{
		"nil": nil, "no modulus": {E: 65537}, "even modulus": {N: even, E: 65537},
		"exponent 1": {N: priv.N, E: 1}, "even exponent": {N: priv.N, E: 65536},
		"odd exponent over 2³¹-1": {N: priv.N, E: 1<<31 + 1}, "512-bit": small,
		// crypto/rsa verifies with |N|; Prepare leaves that to it.
		"negative modulus": {N: new(big.Int).Neg(priv.N), E: 65537},
	} {
		if Prepare(pub) != nil {
			t.Errorf("%s: Prepare took a key it must leave to crypto/rsa", what)
		}
	}
	if p := Prepare(&rsa.PublicKey{N: priv.N, E: 1<<31 - 1}); p == nil && !boringCrypto && !fips140.Enabled() {
		t.Error("Prepare refused the largest exponent crypto/rsa takes, 2³¹-1")
	}
}

// FuzzAgreesWithCryptoRSA: for any signature bytes, and for any encoded message signed with
// the private key, the prepared key and crypto/rsa agree.
func FuzzAgreesWithCryptoRSA(f *testing.F) {
	priv := fuzzKey()
	p := Prepare(&priv.PublicKey)
	if skipWhereCryptoRSAVerifies(f, p) {
		return
	}
	digest := sha256.Sum256([]byte("message"))
	sig, _ := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, digest[:])
	em := append(bytes.Clone(p.head), digest[:]...)
	f.Add(sig, false)
	f.Add(em, true)
	f.Add(append(bytes.Clone(em[:len(em)-40]), bytes.Repeat([]byte{0}, 40)...), true)
	f.Fuzz(func(t *testing.T, b []byte, asEncoding bool) {
		if asEncoding { // b, cut or padded to k bytes, is the encoding; sign it raw
			em := make([]byte, priv.Size())
			copy(em, b)
			s, ok := rawSign(priv, em)
			if !ok {
				return
			}
			b = s
		}
		agree(t, priv, p, digest[:], b, "fuzzed")
	})
}

// fuzzKey is the one 2048-bit key the fuzzer uses: a fuzzing worker generates no other.
var fuzzKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// BenchmarkVerify: one answer's signature check, crypto/rsa against the prepared key.
func BenchmarkVerify(b *testing.B) {
	priv := fuzzKey()
	digest := sha256.Sum256([]byte("message"))
	sig, _ := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, digest[:])
	b.Run("crypto-rsa", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := rsa.VerifyPKCS1v15(&priv.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	p := Prepare(&priv.PublicKey)
	if p == nil {
		b.Skip("Prepare leaves this build or mode to crypto/rsa")
	}
	b.Run("prepared", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := p.VerifySHA256(digest[:], sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("prepare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Prepare(&priv.PublicKey)
		}
	})
}
