// Command gen writes spec/conformance/vectors.json: fixed inputs and the exact outputs the
// WeChat Pay APIv3 protocol of openapi.yaml (info.description, "Protocol") gives for them —
// request signing, answer verification, RSA-OAEP field decryption, AES-256-GCM certificate
// decryption — under the TEST ONLY keys of spec/conformance/testkeys.
//
//	go run ./spec/conformance/gen            # rewrite vectors.json
//	go run ./spec/conformance/gen -check     # fail when vectors.json is not what gen writes
//	go run ./spec/conformance/gen -newkeys   # make new test keys first (changes every vector)
//
// It uses the Go standard library's crypto directly, not package transport or wxpaytest,
// which the vectors test. PKCS#1 v1.5 signatures are deterministic; the randomness RSA-OAEP
// needs comes from a fixed SHA-256 stream, so the file is the same on every run. Run it from
// the repository root (make vectors does).
package main

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // WeChat Pay's RSA-OAEP uses SHA-1.
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wxpay-oapi/wxpay/spec/conformance"
)

const (
	dir     = "spec/conformance"
	keysDir = dir + "/testkeys"
	outFile = dir + "/vectors.json"
)

// The TEST ONLY identity. Every key below is published in this repository: never use any
// of them for anything but tests.
const (
	mchID          = "1900000001"                               // the merchant (the docs' curl example)
	merchantSerial = "7E57000000000000000000000000000000000001" // merchant API certificate serial ("7E57" = TEST)
	publicKeyID    = "PUB_KEY_ID_0119000000012026120100000001"  // WeChat Pay public key ID
	platformSerial = "7E570000000000000000000000000000000000C1" // platform certificate serial
	apiV3Key       = "TESTONLYapiv3key0123456789abcdef"         // 32 bytes: the APIv3 key (APIv3密钥)
	unknownSerial  = "PUB_KEY_ID_0119000000019999999999999999"  // a key nobody holds
)

var keyFiles = struct{ merchant, wechatpay, platformKey, platformCert string }{
	merchant:     "TEST_ONLY_merchant_apiclient_key.pem",
	wechatpay:    "TEST_ONLY_wechatpay_public_key_pair.pem",
	platformKey:  "TEST_ONLY_platform_key.pem",
	platformCert: "TEST_ONLY_platform_cert.pem",
}

const keyBanner = "TEST ONLY — published in the wxpay repository for conformance vectors. Never use it for anything real.\n"

func main() {
	check := flag.Bool("check", false, "compare vectors.json with what gen writes, and fail on a difference")
	newKeys := flag.Bool("newkeys", false, "generate new TEST ONLY keys in "+keysDir+" first")
	flag.Parse()
	if err := run(*check, *newKeys); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(check, newKeys bool) error {
	if newKeys {
		if check {
			return errors.New("-check and -newkeys exclude each other")
		}
		if err := writeKeys(); err != nil {
			return err
		}
	}
	ks, err := readKeys()
	if err != nil {
		return fmt.Errorf("%w (run from the repository root; -newkeys makes the keys)", err)
	}
	v, err := build(ks)
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	out = append(out, '\n')
	if check {
		old, err := os.ReadFile(outFile)
		if err != nil {
			return err
		}
		if !bytes.Equal(old, out) {
			return fmt.Errorf("%s is not what gen writes: run go run ./spec/conformance/gen and commit it", outFile)
		}
		fmt.Printf("gen: %s is up to date (%d vectors)\n", outFile, v.Count())
		return nil
	}
	if err := os.WriteFile(outFile, out, 0o644); err != nil {
		return err
	}
	fmt.Printf("gen: wrote %s (%d vectors)\n", outFile, v.Count())
	return nil
}

// ---- keys ----

type keySet struct {
	merchant, wechatpay, platform *rsa.PrivateKey
	cert                          *x509.Certificate
}

func writeKeys() error {
	if err := os.MkdirAll(keysDir, 0o755); err != nil {
		return err
	}
	var keys [3]*rsa.PrivateKey
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return err
		}
		keys[i] = k
	}
	for i, name := range []string{keyFiles.merchant, keyFiles.wechatpay, keyFiles.platformKey} {
		der, err := x509.MarshalPKCS8PrivateKey(keys[i])
		if err != nil {
			return err
		}
		if err := writePEM(name, "PRIVATE KEY", der); err != nil {
			return err
		}
	}
	serial, _ := new(big.Int).SetString(platformSerial, 16)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{CommonName: "TEST ONLY WeChat Pay platform certificate (wxpay conformance vectors)",
			Organization: []string{"TEST ONLY"}, Country: []string{"CN"}},
		NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &keys[2].PublicKey, keys[2])
	if err != nil {
		return err
	}
	return writePEM(keyFiles.platformCert, "CERTIFICATE", der)
}

func writePEM(name, typ string, der []byte) error {
	data := append([]byte(keyBanner), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})...)
	return os.WriteFile(filepath.Join(keysDir, name), data, 0o644)
}

func readPEM(name, typ string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(keysDir, name))
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != typ {
		return nil, fmt.Errorf("%s: no %s PEM block", name, typ)
	}
	return b.Bytes, nil
}

func readKeys() (*keySet, error) {
	var ks keySet
	for _, f := range []struct {
		name string
		dst  **rsa.PrivateKey
	}{{keyFiles.merchant, &ks.merchant}, {keyFiles.wechatpay, &ks.wechatpay}, {keyFiles.platformKey, &ks.platform}} {
		der, err := readPEM(f.name, "PRIVATE KEY")
		if err != nil {
			return nil, err
		}
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok || rk.N.BitLen() != 2048 {
			return nil, fmt.Errorf("%s: not an RSA-2048 key", f.name)
		}
		*f.dst = rk
	}
	der, err := readPEM(keyFiles.platformCert, "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	if ks.cert, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	if !ks.cert.PublicKey.(*rsa.PublicKey).Equal(&ks.platform.PublicKey) {
		return nil, errors.New("the platform certificate is not for the platform key")
	}
	if got := strings.ToUpper(ks.cert.SerialNumber.Text(16)); got != platformSerial {
		return nil, fmt.Errorf("the platform certificate's serial is %s, want %s", got, platformSerial)
	}
	return &ks, nil
}

func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// stream is a fixed SHA-256 counter stream: the "randomness" of RSA-OAEP here, so that
// the file is reproducible. Real encryption must use a secure random source.
type stream struct {
	seed string
	ctr  uint64
	buf  []byte
}

func (s *stream) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) {
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], s.ctr)
		s.ctr++
		h := sha256.Sum256(append([]byte(s.seed), c[:]...))
		s.buf = append(s.buf, h[:]...)
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// pctEncode percent-encodes every byte outside RFC 3986's unreserved set.
func pctEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func signingString(method, u string, ts int64, nonce, body string) string {
	return method + "\n" + u + "\n" + strconv.FormatInt(ts, 10) + "\n" + nonce + "\n" + body + "\n"
}

func sign(key *rsa.PrivateKey, msg string) (string, error) {
	d := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, d[:])
	return base64.StdEncoding.EncodeToString(sig), err
}

func build(ks *keySet) (*conformance.Vectors, error) {
	v := &conformance.Vectors{Comment: []string{
		"WeChat Pay APIv3 conformance vectors for openapi.yaml's protocol (info.description, \"Protocol\").",
		"Generated by `go run ./spec/conformance/gen`; do not edit. Checked by `make vectors`:",
		"transport/ and wxpaytest/ (Go tests) and spec/conformance/check.mjs (node:crypto, written from the spec text).",
		"Every key here is TEST ONLY, published on purpose: never use one for anything real.",
	}}
	k := &v.Keys
	k.Note = "TEST ONLY keys (spec/conformance/testkeys). RSA-2048, e = 65537."
	pk8, _ := x509.MarshalPKCS8PrivateKey(ks.merchant)
	pub, _ := x509.MarshalPKIXPublicKey(&ks.merchant.PublicKey)
	k.Merchant.MchID, k.Merchant.SerialNo = mchID, merchantSerial
	k.Merchant.PrivateKeyPEM = pemOf("PRIVATE KEY", pk8)
	k.Merchant.PrivateKeyPKCS = pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(ks.merchant))
	k.Merchant.PublicKeyPEM = pemOf("PUBLIC KEY", pub)
	wpk8, _ := x509.MarshalPKCS8PrivateKey(ks.wechatpay)
	wpub, _ := x509.MarshalPKIXPublicKey(&ks.wechatpay.PublicKey)
	k.WechatPay.PublicKeyID = publicKeyID
	k.WechatPay.PublicKeyPEM = pemOf("PUBLIC KEY", wpub)
	k.WechatPay.PrivateKeyPEM = pemOf("PRIVATE KEY", wpk8)
	ppk8, _ := x509.MarshalPKCS8PrivateKey(ks.platform)
	k.Platform.SerialNo = platformSerial
	k.Platform.CertificatePEM = pemOf("CERTIFICATE", ks.cert.Raw)
	k.Platform.PrivateKeyPEM = pemOf("PRIVATE KEY", ppk8)
	k.APIv3Key = apiV3Key

	// ---- RSA-OAEP: the page's bal_account_no example, encrypted ----
	const balAccountNo = "8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f"
	for _, o := range []struct {
		name, key, serial, plaintext string
		pub                          *rsa.PublicKey
	}{
		{"bal_account_no of the page's example, for the WeChat Pay public key", "wechatpay_public_key", publicKeyID, balAccountNo, &ks.wechatpay.PublicKey},
		{"the same, for the platform certificate", "platform_certificate", platformSerial, balAccountNo, &ks.platform.PublicKey},
		{"UTF-8 plaintext (non-ASCII)", "wechatpay_public_key", publicKeyID, "张三 Zhang San", &ks.wechatpay.PublicKey},
	} {
		ct, err := rsa.EncryptOAEP(sha1.New(), &stream{seed: "wxpay oaep " + o.name}, o.pub, []byte(o.plaintext), nil)
		if err != nil {
			return nil, err
		}
		v.OAEP = append(v.OAEP, conformance.OAEP{Name: o.name, Key: o.key, Serial: o.serial, Plaintext: o.plaintext, Ciphertext: base64.StdEncoding.EncodeToString(ct)})
	}
	encBal := v.OAEP[0].Ciphertext
	if !strings.ContainsAny(encBal, "+/=") {
		return nil, errors.New("the ciphertext has none of + / =: pick another seed, the query vector would not show percent-encoding")
	}

	// ---- query encoding ----
	v.Percent = []conformance.QueryEncoding{
		{Name: "base64 ciphertext (+ / = are encoded)", Value: encBal, Encoded: pctEncode(encBal)},
		{Name: "unreserved characters stay", Value: "AZaz09-._~", Encoded: "AZaz09-._~"},
		{Name: "UTF-8 and reserved characters", Value: "中/+=&?", Encoded: pctEncode("中/+=&?")},
	}
	for _, q := range v.Percent {
		if url.QueryEscape(q.Value) != q.Encoded {
			return nil, fmt.Errorf("url.QueryEscape and the spec's rule differ on %q", q.Value)
		}
	}

	// ---- request signing ----
	const ts = int64(1780000000) // 2026-05-28T20:26:40Z, inside the platform certificate's validity
	for i, r := range []conformance.Request{
		{Name: "GET without a query: no '?' in the URL", Operation: "QueryECommerceBalance", Method: "GET", URL: "/v3/ecommerce/fund/balance/1900000109"},
		{Name: "GET with a query", Operation: "QueryECommerceBalance", Method: "GET", URL: "/v3/ecommerce/fund/balance/1900000109?account_type=BASIC"},
		{Name: "GET with a percent-encoded ciphertext in the query", Operation: "QueryAccountBalance", Method: "GET",
			URL: "/v3/aggracct-bc/wb-channel/account/balance?mchid=1900016681&bal_account_no=" + pctEncode(encBal)},
		{Name: "GET /v3/certificates", Operation: "ListCertificates", Method: "GET", URL: "/v3/certificates"},
		{Name: "POST with a JSON body (signing functions only; no such operation)", Method: "POST", URL: "/v3/example/resource?x=1",
			Body: `{"sub_mchid":"1900000109","out_request_no":"中文-1"}`},
	} {
		r.Timestamp = ts + int64(i)
		r.Nonce = strings.ToUpper(fmt.Sprintf("%032x", sha256.Sum256([]byte(r.Name))))[:32]
		r.SigningString = signingString(r.Method, r.URL, r.Timestamp, r.Nonce, r.Body)
		sig, err := sign(ks.merchant, r.SigningString)
		if err != nil {
			return nil, err
		}
		r.Signature = sig
		r.Authorization = fmt.Sprintf(`WECHATPAY2-SHA256-RSA2048 mchid="%s",nonce_str="%s",timestamp="%d",serial_no="%s",signature="%s"`,
			mchID, r.Nonce, r.Timestamp, merchantSerial, sig)
		v.Requests = append(v.Requests, r)
	}

	// ---- answer verification ----
	const ats = int64(1780000060)
	body := `{"sub_mchid":"1900000109","available_amount":10000,"pending_amount":1,"account_type":"BASIC"}`
	answer := func(name string, key *rsa.PrivateKey, serial, nonce, b string, now int64, expect string) (conformance.Answer, error) {
		a := conformance.Answer{Name: name, Status: 200, Body: b, Now: now, Expect: expect,
			SigningString: strconv.FormatInt(ats, 10) + "\n" + nonce + "\n" + b + "\n"}
		sig, err := sign(key, a.SigningString)
		a.Headers = map[string]string{"Wechatpay-Timestamp": strconv.FormatInt(ats, 10), "Wechatpay-Nonce": nonce,
			"Wechatpay-Signature": sig, "Wechatpay-Serial": serial, "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
			"Request-ID": "08F78BB5AF0610D302A8F2D15628A3FE5E", "Content-Type": "application/json"}
		return a, err
	}
	valid, err := answer("valid, WeChat Pay public key", ks.wechatpay, publicKeyID, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", body, ats, "valid")
	if err != nil {
		return nil, err
	}
	v.Answers = append(v.Answers, valid)
	plat, err := answer("valid, platform certificate", ks.platform, platformSerial, "E1TKD7WN2PNPA5P3QJRB8TNX7ZR4JD9U", body, ats+10, "valid")
	if err != nil {
		return nil, err
	}
	v.Answers = append(v.Answers, plat)
	edge := valid
	edge.Name, edge.Now = "valid, exactly 5 minutes after the timestamp", ats+300
	changed := valid
	changed.Name, changed.Expect = "body changed after signing", "bad_signature"
	changed.Body = strings.Replace(body, "10000", "10001", 1)
	changed.SigningString = strconv.FormatInt(ats, 10) + "\n" + valid.Headers["Wechatpay-Nonce"] + "\n" + changed.Body + "\n"
	ws := valid
	ws.Name, ws.Expect = "whitespace added to the body (BODY is the raw bytes)", "bad_signature"
	ws.Body = body + "\n"
	ws.SigningString = strconv.FormatInt(ats, 10) + "\n" + valid.Headers["Wechatpay-Nonce"] + "\n" + ws.Body + "\n"
	probe := valid
	probe.Name, probe.Expect = "signature probe", "probe"
	probe.Headers = cloneHeaders(valid.Headers)
	probe.Headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + valid.Headers["Wechatpay-Signature"]
	stale := valid
	stale.Name, stale.Expect, stale.Now = "stale: verified 5 minutes 1 second after the timestamp", "stale", ats+301
	future := valid
	future.Name, future.Expect, future.Now = "stale: timestamp 5 minutes 1 second ahead of the verifier's clock", "stale", ats-301
	unknown := valid
	unknown.Name, unknown.Expect = "unknown serial", "unknown_serial"
	unknown.Headers = cloneHeaders(valid.Headers)
	unknown.Headers["Wechatpay-Serial"] = unknownSerial
	wrongKey := valid
	wrongKey.Name, wrongKey.Expect = "signed by the platform key, names the public key ID", "bad_signature"
	wrongKey.Headers = cloneHeaders(valid.Headers)
	wrongKey.Headers["Wechatpay-Signature"] = mustSign(ks.platform, valid.SigningString)
	errAnswer := conformance.Answer{Name: "a non-2xx answer is not signed: no signature to check", Status: 401, Now: ats,
		Body:    `{"code":"SIGN_ERROR","message":"验证不通过"}`,
		Headers: map[string]string{"Request-ID": "08F78BB5AF0610D302A8F2D15628A3FE5F", "Content-Type": "application/json"},
		Expect:  "not_signed"}
	v.Answers = append(v.Answers, edge, changed, ws, probe, stale, future, unknown, wrongKey, errAnswer)

	// ---- AES-256-GCM: a platform certificate as GET /v3/certificates sends it ----
	block, err := aes.NewCipher([]byte(apiV3Key))
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	const nonce, ad = "d215b0511e9c", "certificate"
	ct := gcm.Seal(nil, []byte(nonce), []byte(k.Platform.CertificatePEM), []byte(ad))
	good := conformance.AEAD{Name: "platform certificate", Key: apiV3Key, Algorithm: "AEAD_AES_256_GCM", Nonce: nonce, AssociatedData: ad,
		Ciphertext: base64.StdEncoding.EncodeToString(ct), Plaintext: k.Platform.CertificatePEM, Expect: "ok"}
	bad := good
	bad.Name, bad.Plaintext, bad.Expect = "tag altered: must not decrypt", "", "auth_failed"
	tampered := append([]byte(nil), ct...)
	tampered[len(tampered)-1] ^= 1
	bad.Ciphertext = base64.StdEncoding.EncodeToString(tampered)
	wrongAD := good
	wrongAD.Name, wrongAD.Plaintext, wrongAD.Expect, wrongAD.AssociatedData = "other associated_data: must not decrypt", "", "auth_failed", "certificates"
	v.AEAD = []conformance.AEAD{good, bad, wrongAD}

	// ---- key formats ----
	v.KeyFormats = []conformance.KeyFormat{
		{Name: "merchant private key, PKCS#8 (BEGIN PRIVATE KEY, as apiclient_key.pem)", PEM: k.Merchant.PrivateKeyPEM, Kind: "private_key", Equals: "merchant"},
		{Name: "merchant private key, PKCS#1 (BEGIN RSA PRIVATE KEY)", PEM: k.Merchant.PrivateKeyPKCS, Kind: "private_key", Equals: "merchant"},
		{Name: "WeChat Pay public key, SubjectPublicKeyInfo (BEGIN PUBLIC KEY, as pub_key.pem)", PEM: k.WechatPay.PublicKeyPEM, Kind: "public_key", Equals: "wechatpay_public_key"},
		{Name: "platform certificate, X.509 (BEGIN CERTIFICATE)", PEM: k.Platform.CertificatePEM, Kind: "certificate", Equals: "platform_certificate"},
	}
	return v, selfCheck(ks, v)
}

func cloneHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = v
	}
	return out
}

func mustSign(key *rsa.PrivateKey, msg string) string {
	s, err := sign(key, msg)
	if err != nil {
		panic(err)
	}
	return s
}

// selfCheck decrypts what was encrypted, so a vector never states a wrong answer.
func selfCheck(ks *keySet, v *conformance.Vectors) error {
	for _, o := range v.OAEP {
		key := ks.wechatpay
		if o.Key == "platform_certificate" {
			key = ks.platform
		}
		ct, _ := base64.StdEncoding.DecodeString(o.Ciphertext)
		pt, err := rsa.DecryptOAEP(sha1.New(), nil, key, ct, nil)
		if err != nil || string(pt) != o.Plaintext {
			return fmt.Errorf("self-check: OAEP vector %q does not decrypt", o.Name)
		}
	}
	return nil
}
