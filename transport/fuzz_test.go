package transport_test

// Fuzz targets for the parts of package transport that read bytes an attacker controls:
// WeChat Pay's answer headers and body (VerifyResponse) and key files (the PEM loaders).
//
//	go test -run '^$' -fuzz '^FuzzVerifyResponse$' -fuzztime 60s ./transport/
//
// The committed seeds live in testdata/fuzz/<FuzzName>/; they hold no private keys: real
// keys are made once per test binary and added with f.Add. Rewrite the committed seeds with
//
//	WXPAY_WRITE_FUZZ_SEEDS=1 go test -run '^TestWriteFuzzSeeds$' ./transport/

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/protocol"
	"github.com/wxpay-oapi/wxpay/transport"
)

// The genuinely signed answer FuzzVerifyResponse mutates: the docs' timestamp and nonce
// and an e-commerce balance body. The signature is made at run time with fuzzKey.
const (
	fuzzTimestamp = "1554208460"
	fuzzNonce     = "593BEC0C930BF1AFEB40B4A08C8FB242"
	fuzzBody      = `{"sub_mchid":"1900000109","available_amount":10000,"pending_amount":1,"account_type":"BASIC"}`
	fuzzSerial    = "PUB_KEY_ID_0114232134912410000000000000"
)

// Bits of FuzzVerifyResponse's mode argument.
const (
	modeGenuineSig    = 1 << iota // the signature header is the genuine signature followed by the fuzzed one
	modeGenuineSerial             // the serial header is the genuine serial followed by the fuzzed one
)

// fuzzNow is the verifier's clock: 30 s after the signed timestamp.
var fuzzNow = time.Unix(1554208460+30, 0)

// fuzzKey is the WeChat Pay key of the fuzz targets: a fresh RSA-2048 key per test binary.
var fuzzKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// fuzzGenuineSig is fuzzKey's signature over the genuine answer.
var fuzzGenuineSig = sync.OnceValue(func() string {
	d := sha256.Sum256(protocol.ResponseMessage(fuzzTimestamp, fuzzNonce, []byte(fuzzBody)))
	s, err := rsa.SignPKCS1v15(nil, fuzzKey(), crypto.SHA256, d[:])
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(s)
})

// FuzzVerifyResponse mutates a genuinely signed answer — timestamp, nonce, signature,
// serial and body — and checks that VerifyResponse never panics, always fails with a
// *VerificationError that does not echo the signature, and succeeds only for the exact
// (timestamp, nonce, body) that was signed, under the genuine serial, with a signature
// that also verifies when checked independently with crypto/rsa.
func FuzzVerifyResponse(f *testing.F) {
	f.Add(fuzzTimestamp, fuzzNonce, "", "", []byte(fuzzBody), uint8(modeGenuineSig|modeGenuineSerial))
	f.Add(fuzzTimestamp, fuzzNonce, "", fuzzSerial, []byte(fuzzBody), uint8(modeGenuineSig))
	f.Add(fuzzTimestamp, fuzzNonce, fuzzGenuineSig(), "", []byte(fuzzBody), uint8(modeGenuineSerial))
	f.Add(fuzzTimestamp, fuzzNonce, fuzzGenuineSig()[:100], fuzzSerial, []byte(fuzzBody), uint8(0))
	pub := &fuzzKey().PublicKey
	lookup := func(serial string) (*rsa.PublicKey, bool) { return pub, serial == fuzzSerial }
	genuineRaw, _ := base64.StdEncoding.DecodeString(fuzzGenuineSig())

	f.Fuzz(func(t *testing.T, ts, nonce, sig, serial string, body []byte, mode uint8) {
		if mode&modeGenuineSig != 0 {
			sig = fuzzGenuineSig() + sig
		}
		if mode&modeGenuineSerial != 0 {
			serial = fuzzSerial + serial
		}
		h := http.Header{}
		// Set the values raw, as a server could send them: no trimming, no canonical form.
		h[protocol.HeaderTimestamp] = []string{ts}
		h[protocol.HeaderNonce] = []string{nonce}
		h[protocol.HeaderSignature] = []string{sig}
		h[protocol.HeaderSerial] = []string{serial}
		h[protocol.HeaderRequestID] = []string{"08F78BB5AF0610D302A8F2D15628A3FE5E"}
		bodyCopy := bytes.Clone(body)

		err := transport.VerifyResponse(lookup, h, body, fuzzNow)

		if !bytes.Equal(body, bodyCopy) {
			t.Fatal("VerifyResponse modified the body")
		}
		exact := ts == fuzzTimestamp && nonce == fuzzNonce && string(body) == fuzzBody && serial == fuzzSerial && sig == fuzzGenuineSig()
		if err != nil {
			var ve *transport.VerificationError
			if !errors.As(err, &ve) || ve.Reason == "" {
				t.Fatalf("error %v (%T) is not a *VerificationError with a Reason", err, err)
			}
			if exact {
				t.Fatalf("the genuine answer did not verify: %v", err)
			}
			if len(sig) >= 40 && strings.Contains(err.Error(), sig[:40]) {
				t.Fatalf("the error echoes the signature: %v", err)
			}
			return
		}
		// It verified: that must be the signed answer, and nothing else.
		if serial != fuzzSerial {
			t.Fatalf("verified under serial %q, not the trusted %q", serial, fuzzSerial)
		}
		if strings.HasPrefix(sig, protocol.ProbePrefix) {
			t.Fatal("a signature probe verified")
		}
		if ts != fuzzTimestamp || nonce != fuzzNonce || string(body) != fuzzBody {
			t.Fatalf("verified a message other than the one signed: timestamp %q nonce %q body %q", ts, nonce, body)
		}
		raw, derr := base64.StdEncoding.DecodeString(sig)
		d := sha256.Sum256(protocol.ResponseMessage(ts, nonce, body))
		if derr != nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], raw) != nil {
			t.Fatalf("verified a signature %q that crypto/rsa rejects", sig)
		}
		if !bytes.Equal(raw, genuineRaw) {
			t.Fatalf("verified signature bytes other than the genuine ones") // PKCS#1 v1.5 is deterministic
		}
	})
}

// fuzzKeys are real keys in every form the PEM loaders meet, made once per test binary;
// they are added with f.Add, never committed.
type fuzzPEMs struct {
	rsaPKCS8, rsaPKCS1, rsa1024, ecPKCS8, ecSEC1, ed25519PKCS8 []byte // private keys
	rsaPKIX, rsaPKCS1Pub, ecPKIX, rsa1024PKIX                  []byte // public keys
	rsaCert, ecCert                                            []byte // certificates
}

var fuzzPEM = sync.OnceValue(func() fuzzPEMs {
	must := func(b []byte, err error) []byte {
		if err != nil {
			panic(err)
		}
		return b
	}
	enc := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	rk := fuzzKey()
	small, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // too small on purpose: the loaders must reject it
	if err != nil {
		panic(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(0x5157F09EFDC096DE), Subject: pkix.Name{CommonName: "fuzz"},
		NotBefore: time.Unix(1554208460, 0), NotAfter: time.Unix(1554208460, 0).AddDate(5, 0, 0)}
	return fuzzPEMs{
		rsaPKCS8:     enc("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(rk))),
		rsaPKCS1:     enc("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk)),
		rsa1024:      enc("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(small))),
		ecPKCS8:      enc("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(ec))),
		ecSEC1:       enc("EC PRIVATE KEY", must(x509.MarshalECPrivateKey(ec))),
		ed25519PKCS8: enc("PRIVATE KEY", must(x509.MarshalPKCS8PrivateKey(ed))),
		rsaPKIX:      enc("PUBLIC KEY", must(x509.MarshalPKIXPublicKey(&rk.PublicKey))),
		rsaPKCS1Pub:  enc("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rk.PublicKey)),
		ecPKIX:       enc("PUBLIC KEY", must(x509.MarshalPKIXPublicKey(&ec.PublicKey))),
		rsa1024PKIX:  enc("PUBLIC KEY", must(x509.MarshalPKIXPublicKey(&small.PublicKey))),
		rsaCert:      enc("CERTIFICATE", must(x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rk.PublicKey, rk))),
		ecCert:       enc("CERTIFICATE", must(x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ec.PublicKey, ec))),
	}
})

// addPEMSeeds adds every real key and certificate, and each with its PEM body cut short.
func addPEMSeeds(f *testing.F) {
	p := fuzzPEM()
	for _, b := range [][]byte{p.rsaPKCS8, p.rsaPKCS1, p.rsa1024, p.ecPKCS8, p.ecSEC1, p.ed25519PKCS8,
		p.rsaPKIX, p.rsaPKCS1Pub, p.ecPKIX, p.rsa1024PKIX, p.rsaCert, p.ecCert} {
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(append(append([]byte("junk before\n"), b...), "junk after"...))
	}
}

// checkKeyError checks a loader's failure: a *KeyError naming what was loaded, with a
// one-line reason that repeats none of the PEM body.
func checkKeyError(t *testing.T, err error, what string, input []byte) {
	t.Helper()
	var ke *transport.KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("error %v (%T) is not a *KeyError", err, err)
	}
	msg := err.Error()
	if ke.What != what || ke.Reason == "" || !strings.HasPrefix(msg, "transport: "+what+": ") {
		t.Fatalf("unclear error %q (What %q, Reason %q)", msg, ke.What, ke.Reason)
	}
	if len(msg) > 300 {
		t.Fatalf("error of %d bytes: %.300q…", len(msg), msg)
	}
	if block, _ := pem.Decode(input); block != nil {
		body := base64.StdEncoding.EncodeToString(block.Bytes)
		for i := 0; i+16 <= len(body); i += 16 {
			if strings.Contains(msg, body[i:i+16]) {
				t.Fatalf("the error repeats the PEM body: %q", msg)
			}
		}
	}
}

// FuzzLoadPrivateKey feeds LoadPrivateKey arbitrary bytes: it never panics, fails with a
// clear *KeyError, and accepts only a consistent RSA key of at least 2048 bits.
func FuzzLoadPrivateKey(f *testing.F) {
	addPEMSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := transport.LoadPrivateKey(data)
		if err != nil {
			if key != nil {
				t.Fatal("a key and an error")
			}
			checkKeyError(t, err, "merchant private key", data)
			return
		}
		if key == nil || key.N.BitLen() < 2048 {
			t.Fatalf("accepted a key of %d bits", key.N.BitLen())
		}
		if err := key.Validate(); err != nil {
			t.Fatalf("accepted an inconsistent key: %v", err)
		}
	})
}

// FuzzLoadPublicKey feeds LoadPublicKey arbitrary bytes: no panic, a clear *KeyError, and
// only RSA keys of at least 2048 bits accepted.
func FuzzLoadPublicKey(f *testing.F) {
	addPEMSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := transport.LoadPublicKey(data)
		if err != nil {
			if key != nil {
				t.Fatal("a key and an error")
			}
			checkKeyError(t, err, "WeChat Pay public key", data)
			return
		}
		if key == nil || key.N.BitLen() < 2048 || key.E < 2 {
			t.Fatalf("accepted a key of %d bits, exponent %d", key.N.BitLen(), key.E)
		}
	})
}

// FuzzLoadCertificate feeds LoadCertificate arbitrary bytes: no panic, a clear *KeyError,
// and only certificates with an RSA key of at least 2048 bits accepted.
func FuzzLoadCertificate(f *testing.F) {
	addPEMSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		cert, err := transport.LoadCertificate(data)
		if err != nil {
			if cert != nil {
				t.Fatal("a certificate and an error")
			}
			checkKeyError(t, err, "platform certificate", data)
			return
		}
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok || pub.N.BitLen() < 2048 {
			t.Fatalf("accepted a certificate with a %T key", cert.PublicKey)
		}
		if transport.CertificateSerial(cert) == "" {
			t.Fatal("a certificate without a serial")
		}
	})
}

// TestWriteFuzzSeeds rewrites the committed seed corpora (testdata/fuzz) when
// WXPAY_WRITE_FUZZ_SEEDS=1; they are edge cases with no private key in them.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("WXPAY_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set WXPAY_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz")
	}
	type vr struct {
		ts, nonce, sig, serial string
		body                   string
		mode                   uint8
	}
	g := uint8(modeGenuineSig | modeGenuineSerial)
	huge := `{"sub_mchid":"1900000109","available_amount":10000,"pending_amount":1,"account_type":"BASIC","x":"` + strings.Repeat("A", 64<<10) + `"}`
	verify := map[string]vr{
		"genuine":              {fuzzTimestamp, fuzzNonce, "", "", fuzzBody, g},
		"empty":                {"", "", "", "", "", 0},
		"empty-genuine-sig":    {"", "", "", "", "", g},
		"huge-body":            {fuzzTimestamp, fuzzNonce, "", "", huge, g},
		"tampered-body":        {fuzzTimestamp, fuzzNonce, "", "", strings.Replace(fuzzBody, "10000", "10001", 1), g},
		"body-trailing-nl":     {fuzzTimestamp, fuzzNonce, "", "", fuzzBody + "\n", g},
		"nonce-swallows-body":  {fuzzTimestamp, fuzzNonce + "\n" + fuzzBody, "", "", "", g},
		"ts-swallows-nonce":    {fuzzTimestamp + "\n" + fuzzNonce, "", "", "", fuzzBody, g},
		"probe":                {fuzzTimestamp, fuzzNonce, protocol.ProbePrefix + "0123456789ABCDEF", "", fuzzBody, modeGenuineSerial},
		"probe-after-genuine":  {fuzzTimestamp, fuzzNonce, protocol.ProbePrefix, "", fuzzBody, g},
		"non-base64":           {fuzzTimestamp, fuzzNonce, "!!!not base64!!!", "", fuzzBody, modeGenuineSerial},
		"base64-url-alphabet":  {fuzzTimestamp, fuzzNonce, "-_-_", "", fuzzBody, g},
		"sig-whitespace":       {fuzzTimestamp, fuzzNonce, "\r\n", "", fuzzBody, g},
		"short-sig":            {fuzzTimestamp, fuzzNonce, "AAAA", "", fuzzBody, modeGenuineSerial},
		"stale":                {"1554207000", fuzzNonce, "", "", fuzzBody, g},
		"future":               {"1554299999", fuzzNonce, "", "", fuzzBody, g},
		"ts-plus":              {"+" + fuzzTimestamp, fuzzNonce, "", "", fuzzBody, g},
		"ts-leading-zero":      {"0" + fuzzTimestamp, fuzzNonce, "", "", fuzzBody, g},
		"ts-space":             {" " + fuzzTimestamp, fuzzNonce, "", "", fuzzBody, g},
		"ts-overflow":          {"99999999999999999999999", fuzzNonce, "", "", fuzzBody, g},
		"ts-min-int64":         {"-9223372036854775808", fuzzNonce, "", "", fuzzBody, g},
		"ts-millis":            {fuzzTimestamp + "000", fuzzNonce, "", "", fuzzBody, g},
		"unknown-serial":       {fuzzTimestamp, fuzzNonce, "", "PUB_KEY_ID_0000000000000000000000000000", fuzzBody, modeGenuineSig},
		"serial-suffix":        {fuzzTimestamp, fuzzNonce, "", " ", fuzzBody, g},
		"serial-lowercase":     {fuzzTimestamp, fuzzNonce, "", strings.ToLower(fuzzSerial), fuzzBody, modeGenuineSig},
		"nonce-empty":          {fuzzTimestamp, "", "", "", fuzzBody, g},
		"nonce-unicode":        {fuzzTimestamp, "随机串593BEC0C930BF1AFEB40B4A08C8FB242", "", "", fuzzBody, g},
		"body-nul":             {fuzzTimestamp, fuzzNonce, "", "", "\x00" + fuzzBody, g},
		"body-invalid-utf8":    {fuzzTimestamp, fuzzNonce, "", "", "\xff\xfe" + fuzzBody, g},
		"sig-double-padding":   {fuzzTimestamp, fuzzNonce, "==", "", fuzzBody, g},
		"all-headers-newlines": {"\n", "\n", "\n", "\n", "\n", 0},
	}
	for name, v := range verify {
		writeSeed(t, "FuzzVerifyResponse", name, v.ts, v.nonce, v.sig, v.serial, []byte(v.body), v.mode)
	}

	block := func(typ string, headers map[string]string, body []byte) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: typ, Headers: headers, Bytes: body})
	}
	junk := bytes.Repeat([]byte{0x30, 0x82, 0x01, 0x0a}, 64) // DER-looking, not DER
	p := fuzzPEM()
	keyish := map[string][]byte{
		"empty":                []byte(""),
		"newline":              []byte("\n"),
		"not-pem":              []byte("not a key"),
		"begin-only":           []byte("-----BEGIN PRIVATE KEY-----\n"),
		"no-end":               []byte("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"),
		"bad-base64":           []byte("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"),
		"empty-private":        block("PRIVATE KEY", nil, nil),
		"empty-rsa-private":    block("RSA PRIVATE KEY", nil, nil),
		"empty-public":         block("PUBLIC KEY", nil, nil),
		"empty-rsa-public":     block("RSA PUBLIC KEY", nil, nil),
		"empty-certificate":    block("CERTIFICATE", nil, nil),
		"junk-private":         block("PRIVATE KEY", nil, junk),
		"junk-rsa-private":     block("RSA PRIVATE KEY", nil, junk),
		"junk-public":          block("PUBLIC KEY", nil, junk),
		"junk-rsa-public":      block("RSA PUBLIC KEY", nil, junk),
		"junk-certificate":     block("CERTIFICATE", nil, junk),
		"encrypted-pkcs8":      block("ENCRYPTED PRIVATE KEY", nil, junk),
		"encrypted-legacy":     block("RSA PRIVATE KEY", map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00112233445566778899AABBCCDDEEFF"}, junk),
		"wrong-type-openssh":   block("OPENSSH PRIVATE KEY", nil, junk),
		"wrong-type-csr":       block("CERTIFICATE REQUEST", nil, junk),
		"wrong-type-dh":        block("DH PARAMETERS", nil, junk),
		"type-lowercase":       block("private key", nil, junk),
		"type-long":            block(strings.Repeat("LONG ", 200)+"KEY", nil, junk),
		"two-blocks":           append(block("CERTIFICATE", nil, junk), block("PRIVATE KEY", nil, junk)...),
		"crlf":                 bytes.ReplaceAll(block("PUBLIC KEY", nil, junk), []byte("\n"), []byte("\r\n")),
		"huge-block":           block("PRIVATE KEY", nil, bytes.Repeat(junk, 64)),
		"ec-public":            p.ecPKIX,
		"ec-certificate":       p.ecCert,
		"rsa1024-public":       p.rsa1024PKIX,
		"public-as-private":    block("PRIVATE KEY", nil, mustDER(t, p.rsaPKIX)),
		"public-as-rsa-public": block("RSA PUBLIC KEY", nil, mustDER(t, p.rsaPKIX)),
		"cert-as-public":       block("PUBLIC KEY", nil, mustDER(t, p.rsaCert)),
	}
	for _, name := range []string{"FuzzLoadPrivateKey", "FuzzLoadPublicKey", "FuzzLoadCertificate"} {
		for seed, data := range keyish {
			writeSeed(t, name, seed, data)
		}
	}
}

func mustDER(t *testing.T, b []byte) []byte {
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatal("not PEM")
	}
	return block.Bytes
}

// writeSeed writes one seed file in the "go test fuzz v1" format.
func writeSeed(t *testing.T, target, name string, vals ...any) {
	t.Helper()
	var b strings.Builder
	b.WriteString("go test fuzz v1\n")
	for _, v := range vals {
		switch v := v.(type) {
		case string:
			fmt.Fprintf(&b, "string(%s)\n", strconv.Quote(v))
		case []byte:
			fmt.Fprintf(&b, "[]byte(%s)\n", strconv.Quote(string(v)))
		case uint8:
			fmt.Fprintf(&b, "byte(%q)\n", v)
		default:
			t.Fatalf("no encoding for %T", v)
		}
	}
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
