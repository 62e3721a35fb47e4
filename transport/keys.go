package transport

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wxpay-oapi/wxpay/internal/boundedread"
)

const minKeyBits = 2048

// LoadPrivateKey parses a merchant API private key from PEM: PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY").
func LoadPrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	return loadPrivateKey(pemBytes, "")
}

// LoadPrivateKeyFile reads and parses a merchant API private key file (apiclient_key.pem).
func LoadPrivateKeyFile(path string) (*rsa.PrivateKey, error) {
	b, err := readKeyFile("merchant private key", path)
	if err != nil {
		return nil, err
	}
	return loadPrivateKey(b, path)
}

// LoadPublicKey parses a WeChat Pay public key from PEM ("PUBLIC KEY", PKIX).
func LoadPublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	return loadPublicKey(pemBytes, "")
}

// LoadPublicKeyFile reads and parses a WeChat Pay public key file (pub_key.pem).
func LoadPublicKeyFile(path string) (*rsa.PublicKey, error) {
	b, err := readKeyFile("WeChat Pay public key", path)
	if err != nil {
		return nil, err
	}
	return loadPublicKey(b, path)
}

// LoadCertificate parses a WeChat Pay platform certificate from PEM ("CERTIFICATE", X.509, RSA key).
func LoadCertificate(pemBytes []byte) (*x509.Certificate, error) {
	return loadCertificate(pemBytes, "")
}

// LoadCertificateFile reads and parses a WeChat Pay platform certificate file.
func LoadCertificateFile(path string) (*x509.Certificate, error) {
	b, err := readKeyFile("platform certificate", path)
	if err != nil {
		return nil, err
	}
	return loadCertificate(b, path)
}

// MaxKeyFileBytes bounds what is read of a key or certificate file: a PEM key or
// certificate is a few KiB, and a path naming /dev/zero or a huge file must not take
// memory without end.
const MaxKeyFileBytes = 1 << 20

func readKeyFile(what, path string) ([]byte, error) {
	b, err := boundedread.File(path, MaxKeyFileBytes)
	if errors.Is(err, boundedread.ErrTooLarge) {
		return nil, &KeyError{What: what, Path: path, Reason: fmt.Sprintf("larger than %d bytes: not a PEM key or certificate file", MaxKeyFileBytes), Err: err}
	}
	if err != nil {
		reason := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error() // the path is already named
		}
		return nil, &KeyError{What: what, Path: path, Reason: "cannot read the file: " + reason, Err: err}
	}
	return b, nil
}

// decodePEM returns the first PEM block, checking its type against the accepted ones.
func decodePEM(what, path string, data []byte, accepted ...string) (*pem.Block, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, &KeyError{What: what, Path: path, Reason: "not PEM: expected a \"-----BEGIN " + accepted[0] + "-----\" block"}
	}
	if block.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		return nil, &KeyError{What: what, Path: path, Reason: "the PEM block is encrypted: decrypt it first (e.g. openssl pkcs8 -in key.pem -out plain.pem)"}
	}
	for _, t := range accepted {
		if block.Type == t {
			return block, nil
		}
	}
	quoted := make([]string, len(accepted))
	for i, t := range accepted {
		quoted[i] = strconv.Quote(t)
	}
	return nil, &KeyError{What: what, Path: path, Reason: fmt.Sprintf("wrong PEM block type %q: expected %s", shorten(block.Type, 40), strings.Join(quoted, " or "))}
}

func loadPrivateKey(data []byte, path string) (*rsa.PrivateKey, error) {
	const what = "merchant private key"
	block, err := decodePEM(what, path, data, "PRIVATE KEY", "RSA PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	var key any
	if block.Type == "RSA PRIVATE KEY" {
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	} else {
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		// The parse error names the structure, never the key's contents.
		return nil, &KeyError{What: what, Path: path, Reason: "malformed " + block.Type + " block", Err: err}
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, &KeyError{What: what, Path: path, Reason: fmt.Sprintf("not an RSA key (%T): WeChat Pay APIv3 needs RSA-2048", key)}
	}
	if rk.N.BitLen() < minKeyBits {
		return nil, &KeyError{What: what, Path: path, Reason: fmt.Sprintf("RSA key is %d bits: WeChat Pay needs at least %d", rk.N.BitLen(), minKeyBits)}
	}
	rk.Precompute()
	return rk, nil
}

func loadPublicKey(data []byte, path string) (*rsa.PublicKey, error) {
	const what = "WeChat Pay public key"
	block, err := decodePEM(what, path, data, "PUBLIC KEY", "RSA PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	var key any
	if block.Type == "RSA PUBLIC KEY" {
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	} else {
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	}
	if err != nil {
		return nil, &KeyError{What: what, Path: path, Reason: "malformed " + block.Type + " block", Err: err}
	}
	return checkRSAPublic(what, path, key)
}

func loadCertificate(data []byte, path string) (*x509.Certificate, error) {
	const what = "platform certificate"
	block, err := decodePEM(what, path, data, "CERTIFICATE")
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, &KeyError{What: what, Path: path, Reason: "malformed CERTIFICATE block", Err: err}
	}
	if _, err := checkRSAPublic(what, path, cert.PublicKey); err != nil {
		return nil, err
	}
	return cert, nil
}

func checkRSAPublic(what, path string, key any) (*rsa.PublicKey, error) {
	pk, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, &KeyError{What: what, Path: path, Reason: fmt.Sprintf("not an RSA public key (%T)", key)}
	}
	if pk == nil || pk.N == nil || pk.N.Sign() <= 0 || pk.E < 2 {
		return nil, &KeyError{What: what, Path: path, Reason: "malformed RSA public key: no modulus or exponent (load it from PEM)"}
	}
	if pk.N.BitLen() < minKeyBits {
		return nil, &KeyError{What: what, Path: path, Reason: fmt.Sprintf("RSA key is %d bits: expected at least %d", pk.N.BitLen(), minKeyBits)}
	}
	return pk, nil
}

// CertificateSerial returns a certificate's serial number as WeChat Pay writes it: upper-case hex.
func CertificateSerial(cert *x509.Certificate) string {
	return strings.ToUpper(cert.SerialNumber.Text(16))
}

// shorten cuts s to at most n bytes (on a rune boundary), marking the cut, so an error never
// echoes an input of unbounded size.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
