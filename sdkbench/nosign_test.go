package sdkbench

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wechatpay-apiv3/wechatpay-go/core/auth"

	"github.com/wxpay-oapi/wxpay/internal/pkcs1"
)

// fixedSigner is a crypto.Signer that returns a copy of one precomputed signature, as
// crypto/rsa returns a new slice: a Transport signing with it does all of a call but the
// RSA private-key operation. Only the canned base RoundTripper sees what it signs.
type fixedSigner struct {
	pub   crypto.PublicKey
	sig   []byte
	calls atomic.Int64
}

func (s *fixedSigner) Public() crypto.PublicKey { return s.pub }

func (s *fixedSigner) Sign(_ io.Reader, _ []byte, _ crypto.SignerOpts) ([]byte, error) {
	s.calls.Add(1)
	return bytes.Clone(s.sig), nil
}

// fixedSDKSigner is wechatpay-go's SHA256WithRSASigner (utils.SignSHA256WithRSA) with the
// rsa.SignPKCS1v15 call replaced by a copy of one precomputed signature: the checks, the
// hashing and the base64 encoding are its own.
type fixedSDKSigner struct {
	sig   []byte
	calls atomic.Int64
}

func (s *fixedSDKSigner) Sign(_ context.Context, message string) (*auth.SignatureResult, error) {
	s.calls.Add(1)
	if strings.TrimSpace(certSerial) == "" {
		return nil, fmt.Errorf("you must set mch certificate serial no to use SHA256WithRSASigner")
	}
	h := crypto.Hash.New(crypto.SHA256)
	h.Write([]byte(message))
	h.Sum(nil) // the digest rsa.SignPKCS1v15 would sign
	return &auth.SignatureResult{MchID: mchID, CertificateSerialNo: certSerial,
		Signature: base64.StdEncoding.EncodeToString(bytes.Clone(s.sig))}, nil
}

func (s *fixedSDKSigner) Algorithm() string { return "SHA256-RSA2048" }

// withoutSigning returns signers that skip the RSA signature (a real one, computed once).
func withoutSigning(k keyPair) (signing, *fixedSigner, *fixedSDKSigner) {
	d := sha256.Sum256(floorMsg)
	sig, err := rsa.SignPKCS1v15(nil, k.merchant, crypto.SHA256, d[:])
	if err != nil {
		panic(err)
	}
	tx, sdk := &fixedSigner{pub: &k.merchant.PublicKey, sig: sig}, &fixedSDKSigner{sig: sig}
	return signing{merchant: tx, sdk: sdk}, tx, sdk
}

// TestWithoutSigningChangesOnlyTheSignature: with the fixed signers each client still
// delivers the canned answer's values (verified: the tampered answer is refused), and
// signs through the fixed signer, once per call, never with the merchant key.
func TestWithoutSigningChangesOnlyTheSignature(t *testing.T) {
	k := theKeys()
	want := balance{SubMchID: "1900000109", AvailableAmount: 10000, PendingAmount: 1, AccountType: "BASIC"}
	s, tx, sdk := withoutSigning(k)
	tampered := strings.Replace(cannedBody, `"available_amount":10000`, `"available_amount":10001`, 1)
	refusing := clientsSigning(t, k, newCanned(k, cannedBody, tampered), s)
	for i, c := range clientsSigning(t, k, newCanned(k, cannedBody, cannedBody), s) {
		t.Run(c.name, func(t *testing.T) {
			signer := &tx.calls
			if c.name == "wechatpay-go" {
				signer = &sdk.calls
			}
			before := signer.Load()
			got, err := c.decode(context.Background())
			if err != nil || got != want {
				t.Fatalf("got %+v, %v; want %+v", got, err, want)
			}
			if n := signer.Load() - before; n != 1 {
				t.Errorf("the fixed signer signed %d times for one call, want 1", n)
			}
			if got, err := refusing[i].decode(context.Background()); err == nil {
				t.Errorf("accepted a tampered answer: %+v", got)
			}
		})
	}
}

// BenchmarkWithoutSigning splits a call's time into RSA and the client's own work, warm:
// each client calls with a signer that skips the RSA private-key operation (fixedSigner,
// fixedSDKSigner) — everything else, the answer's verification included, as in a call —
// and verify/<kind> times the RSA verification that client makes, alone (a Transport's
// prepared key; crypto/rsa.VerifyPKCS1v15 for wechatpay-go, as in its verifier). The
// difference is the client's own work. Calls run back to back, so that work runs with warm
// caches; in BenchmarkVsFloor it follows a millisecond of RSA arithmetic, which costs more
// and, on a shared machine, more again under load.
func BenchmarkWithoutSigning(b *testing.B) {
	k := theKeys()
	ctx := context.Background()
	s, _, _ := withoutSigning(k)
	for _, c := range clientsSigning(b, k, newCanned(k, cannedBody, cannedBody), s) {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.call(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	fl := newFloor(k)
	d := sha256.Sum256(floorMsg)
	prepared := pkcs1.Prepare(&k.platform.PublicKey)
	b.Run("verify/prepared", func(b *testing.B) {
		if prepared == nil {
			b.Skip("crypto/rsa verifies in this build (boringcrypto or FIPS 140-3 mode)")
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := prepared.VerifySHA256(d[:], fl.sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify/crypto-rsa", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := rsa.VerifyPKCS1v15(&k.platform.PublicKey, crypto.SHA256, d[:], fl.sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}
