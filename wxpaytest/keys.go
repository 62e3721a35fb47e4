package wxpaytest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/wxpay-oapi/wxpay/transport"
)

// DefaultMchID is the merchant ID NewKeys gives the merchant: the one in the docs' curl example.
const DefaultMchID = "1900000001"

// Keys is one WeChat Pay identity: the merchant's key pair and the WeChat Pay keys that
// answer it. Share one *Keys between servers (WithKeys) to make them the same WeChat Pay.
// Do not change its fields while a server uses it; AddPlatformCertificate is safe to call
// at any time.
type Keys struct {
	MchID               string          // the merchant ID (商户号) the server accepts
	CertificateSerialNo string          // the merchant API certificate serial the server accepts
	MerchantKey         *rsa.PrivateKey // the merchant API private key (apiclient_key.pem)

	PublicKeyID  string          // the WeChat Pay public key ID (PUB_KEY_ID_…)
	WechatPayKey *rsa.PrivateKey // the WeChat Pay key pair behind PublicKeyID

	PlatformKey         *rsa.PrivateKey   // the platform certificate's private key
	PlatformCertificate *x509.Certificate // a self-signed WeChat Pay platform certificate for PlatformKey

	// APIv3Key is the merchant's APIv3 key (APIv3密钥): 32 bytes that encrypt what WeChat Pay
	// sends the merchant with AEAD_AES_256_GCM, such as downloaded platform certificates.
	// It is a transport.Secret, as Config.APIv3Key is: it prints redacted.
	APIv3Key transport.Secret

	mu      sync.RWMutex
	rotated []platformPair // platform certificates added by AddPlatformCertificate, oldest first
}

// platformPair is a platform certificate and its private key.
type platformPair struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// AddPlatformCertificate adds a fresh platform key and self-signed certificate, valid from
// now for five years, as WeChat Pay does when it rotates: GET /v3/certificates lists it
// beside the older ones and requests may name its serial. Servers keep signing as before
// until told otherwise (Server.RotatePlatformCertificate does both).
func (k *Keys) AddPlatformCertificate() (*x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("wxpaytest: generating an RSA key: %w", err)
	}
	cert, err := selfSignedPlatform(rand.Reader, key, time.Now())
	if err != nil {
		return nil, err
	}
	key.Precompute()
	k.mu.Lock()
	defer k.mu.Unlock()
	k.rotated = append(k.rotated, platformPair{key: key, cert: cert})
	return cert, nil
}

// platformCertificates returns every platform certificate held, the original first.
func (k *Keys) platformCertificates() []*x509.Certificate {
	k.mu.RLock()
	defer k.mu.RUnlock()
	var out []*x509.Certificate
	if k.PlatformCertificate != nil {
		out = append(out, k.PlatformCertificate)
	}
	for _, p := range k.rotated {
		out = append(out, p.cert)
	}
	return out
}

// NewKeys returns a fresh identity: three RSA-2048 key pairs, a PUB_KEY_ID_… ID, a random
// merchant certificate serial, a self-signed platform certificate valid for five years and
// a random APIv3 key.
func NewKeys() (*Keys, error) {
	return newKeys(rand.Reader, time.Now())
}

func newKeys(random io.Reader, now time.Time) (*Keys, error) {
	k := &Keys{MchID: DefaultMchID}
	var err error
	for _, dst := range []**rsa.PrivateKey{&k.MerchantKey, &k.WechatPayKey, &k.PlatformKey} {
		if *dst, err = rsa.GenerateKey(random, 2048); err != nil {
			return nil, fmt.Errorf("wxpaytest: generating an RSA key: %w", err)
		}
	}
	serial := make([]byte, 20)
	if _, err := io.ReadFull(random, serial); err != nil {
		return nil, fmt.Errorf("wxpaytest: reading randomness: %w", err)
	}
	serial[0] = 0x10 | serial[0]&0x6f // 40 hex digits, positive
	k.CertificateSerialNo = strings.ToUpper(hex.EncodeToString(serial))

	apiV3Key := make([]byte, 32)
	if _, err := io.ReadFull(random, apiV3Key); err != nil {
		return nil, fmt.Errorf("wxpaytest: reading randomness: %w", err)
	}
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for i, b := range apiV3Key { // printable, like the keys set in the merchant platform
		apiV3Key[i] = alnum[int(b)%len(alnum)]
	}
	k.APIv3Key = transport.NewSecret(apiV3Key)

	digits := make([]byte, 16)
	if _, err := io.ReadFull(random, digits); err != nil {
		return nil, fmt.Errorf("wxpaytest: reading randomness: %w", err)
	}
	for i := range digits {
		digits[i] = '0' + digits[i]%10
	}
	k.PublicKeyID = "PUB_KEY_ID_01" + k.MchID + string(digits)

	if k.PlatformCertificate, err = selfSignedPlatform(random, k.PlatformKey, now); err != nil {
		return nil, err
	}
	for _, key := range []*rsa.PrivateKey{k.MerchantKey, k.WechatPayKey, k.PlatformKey} {
		key.Precompute()
	}
	return k, nil
}

// selfSignedPlatform makes a self-signed platform certificate for key, valid from an hour
// before now for five years, with a random 40-hex-digit serial.
func selfSignedPlatform(random io.Reader, key *rsa.PrivateKey, now time.Time) (*x509.Certificate, error) {
	serial := make([]byte, 20)
	if _, err := io.ReadFull(random, serial); err != nil {
		return nil, fmt.Errorf("wxpaytest: reading randomness: %w", err)
	}
	serial[0] = 0x10 | serial[0]&0x6f
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(serial),
		Subject: pkix.Name{
			CommonName:         "Tenpay.com platform certificate (wxpaytest)",
			Organization:       []string{"wxpaytest"},
			OrganizationalUnit: []string{"Tenpay.com"},
			Country:            []string{"CN"},
		},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(random, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("wxpaytest: creating the platform certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("wxpaytest: parsing the platform certificate: %w", err)
	}
	return cert, nil
}

// PlatformSerial returns the platform certificate's serial number as WeChat Pay writes it (upper-case hex).
func (k *Keys) PlatformSerial() string {
	if k.PlatformCertificate == nil {
		return ""
	}
	return strings.ToUpper(k.PlatformCertificate.SerialNumber.Text(16))
}

// WechatPayKeyFor returns the WeChat Pay private key that a Wechatpay-Serial names: the
// public key ID names WechatPayKey, the platform certificate's serial names PlatformKey, and
// the serial of a certificate added by AddPlatformCertificate names its key.
func (k *Keys) WechatPayKeyFor(serial string) (*rsa.PrivateKey, bool) {
	key, _, ok := k.wechatPayKey(serial)
	return key, ok
}

// wechatPayKey is WechatPayKeyFor that also returns the serial as WeChat Pay writes it.
// Certificate serials are hex and match in any case (WeChat Pay writes them upper-case;
// SDKs that derive them from a certificate often write lower-case); the public key ID
// matches exactly.
func (k *Keys) wechatPayKey(serial string) (*rsa.PrivateKey, string, bool) {
	switch {
	case serial == "":
		return nil, "", false
	case serial == k.PublicKeyID && k.WechatPayKey != nil:
		return k.WechatPayKey, k.PublicKeyID, true
	case k.PlatformKey != nil && strings.EqualFold(serial, k.PlatformSerial()):
		return k.PlatformKey, k.PlatformSerial(), true
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, p := range k.rotated {
		if s := strings.ToUpper(p.cert.SerialNumber.Text(16)); strings.EqualFold(serial, s) {
			return p.key, s, true
		}
	}
	return nil, "", false
}

// defaultSerial is the serial a server signs with when the request names no key it holds.
func (k *Keys) defaultSerial() string {
	if k.PublicKeyID != "" && k.WechatPayKey != nil {
		return k.PublicKeyID
	}
	return k.PlatformSerial()
}

func (k *Keys) check() error {
	switch {
	case k == nil:
		return fmt.Errorf("wxpaytest: nil *Keys")
	case k.MchID == "" || k.CertificateSerialNo == "" || k.MerchantKey == nil:
		return fmt.Errorf("wxpaytest: Keys needs MchID, CertificateSerialNo and MerchantKey")
	case (k.PublicKeyID == "") != (k.WechatPayKey == nil):
		return fmt.Errorf("wxpaytest: Keys needs both PublicKeyID and WechatPayKey, or neither")
	case (k.PlatformKey == nil) != (k.PlatformCertificate == nil):
		return fmt.Errorf("wxpaytest: Keys needs both PlatformKey and PlatformCertificate, or neither")
	case k.WechatPayKey == nil && k.PlatformKey == nil:
		return fmt.Errorf("wxpaytest: Keys needs a WeChat Pay key: WechatPayKey or PlatformKey")
	}
	return nil
}

// WriteDir writes apiclient_key.pem (PKCS#8), apiclient_cert.pem (a self-signed merchant API
// certificate for that key whose serial is CertificateSerialNo, for SDKs that read the serial
// from it), pub_key.pem (the WeChat Pay public key, PKIX) and platform_cert.pem into dir, and
// returns the environment settings that point a client at them: WXPAY_MCHID,
// WXPAY_CERT_SERIAL_NO, WXPAY_PRIVATE_KEY_FILE, WXPAY_MERCHANT_CERT_FILE, and
// WXPAY_PUBLIC_KEY_ID and WXPAY_PUBLIC_KEY_FILE when k has a WeChat Pay public key, else
// WXPAY_PLATFORM_CERT_FILE; paths are absolute.
func (k *Keys) WriteDir(dir string) (map[string]string, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("wxpaytest: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("wxpaytest: %w", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(k.MerchantKey)
	if err != nil {
		return nil, fmt.Errorf("wxpaytest: encoding the merchant key: %w", err)
	}
	env := map[string]string{
		"WXPAY_MCHID":            k.MchID,
		"WXPAY_CERT_SERIAL_NO":   k.CertificateSerialNo,
		"WXPAY_PRIVATE_KEY_FILE": filepath.Join(abs, "apiclient_key.pem"),
	}
	files := []pemFile{{"apiclient_key.pem", 0o600, &pem.Block{Type: "PRIVATE KEY", Bytes: priv}}}
	if der, err := k.merchantCertificate(); err != nil {
		return nil, err
	} else if der != nil {
		files = append(files, pemFile{"apiclient_cert.pem", 0o644, &pem.Block{Type: "CERTIFICATE", Bytes: der}})
		env["WXPAY_MERCHANT_CERT_FILE"] = filepath.Join(abs, "apiclient_cert.pem")
	}
	if k.WechatPayKey != nil {
		pub, err := x509.MarshalPKIXPublicKey(&k.WechatPayKey.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("wxpaytest: encoding the WeChat Pay public key: %w", err)
		}
		files = append(files, pemFile{"pub_key.pem", 0o644, &pem.Block{Type: "PUBLIC KEY", Bytes: pub}})
		env["WXPAY_PUBLIC_KEY_ID"] = k.PublicKeyID
		env["WXPAY_PUBLIC_KEY_FILE"] = filepath.Join(abs, "pub_key.pem")
	}
	if k.PlatformCertificate != nil {
		files = append(files, pemFile{"platform_cert.pem", 0o644, &pem.Block{Type: "CERTIFICATE", Bytes: k.PlatformCertificate.Raw}})
		if k.WechatPayKey == nil {
			env["WXPAY_PLATFORM_CERT_FILE"] = filepath.Join(abs, "platform_cert.pem")
		}
	}
	for _, f := range files {
		if err := replaceFile(filepath.Join(abs, f.name), pem.EncodeToMemory(f.blk), f.mode); err != nil {
			return nil, fmt.Errorf("wxpaytest: %w", err)
		}
	}
	return env, nil
}

// merchantCertificate returns a self-signed merchant API certificate (DER) for MerchantKey
// whose serial number is CertificateSerialNo, or nil when that is not a hex serial.
func (k *Keys) merchantCertificate() ([]byte, error) {
	serial, ok := new(big.Int).SetString(k.CertificateSerialNo, 16)
	if !ok || serial.Sign() <= 0 {
		return nil, nil
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         "wxpaytest merchant " + k.MchID,
			Organization:       []string{"wxpaytest"},
			OrganizationalUnit: []string{k.MchID},
			Country:            []string{"CN"},
		},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.MerchantKey.PublicKey, k.MerchantKey)
	if err != nil {
		return nil, fmt.Errorf("wxpaytest: creating the merchant API certificate: %w", err)
	}
	return der, nil
}

type pemFile struct {
	name string
	mode os.FileMode
	blk  *pem.Block
}
