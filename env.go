package wxpay

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay/protocol"
	"github.com/wxpay-oapi/wxpay/transport"

	"github.com/wxpay-oapi/wxpay/internal/boundedread"
	"github.com/wxpay-oapi/wxpay/internal/specdoc"
)

// The environment variables ConfigFromEnv reads. `wxpay mock` writes them into its .env
// file, and the wxpay command reads them too.
const (
	EnvMchID            = "WXPAY_MCHID"              // the calling merchant's ID (商户号)
	EnvCertSerialNo     = "WXPAY_CERT_SERIAL_NO"     // the merchant API certificate's serial (商户API证书序列号)
	EnvPrivateKeyFile   = "WXPAY_PRIVATE_KEY_FILE"   // the merchant API private key file (apiclient_key.pem)
	EnvPublicKeyID      = "WXPAY_PUBLIC_KEY_ID"      // the WeChat Pay public key's ID (PUB_KEY_ID_…)
	EnvPublicKeyFile    = "WXPAY_PUBLIC_KEY_FILE"    // the WeChat Pay public key file (pub_key.pem)
	EnvPlatformCertFile = "WXPAY_PLATFORM_CERT_FILE" // platform certificate files, separated like PATH
	EnvAPIv3Key         = "WXPAY_APIV3_KEY"          // the 32-character APIv3 key (APIv3密钥): download platform certificates
	EnvAPIv3KeyFile     = "WXPAY_APIV3_KEY_FILE"     // a file holding the APIv3 key, instead of EnvAPIv3Key
	EnvBaseURL          = "WXPAY_BASE_URL"           // the API host; unset means openapi.yaml's first server
)

// EnvConfig is a client's configuration as ConfigFromEnv reads it.
type EnvConfig struct {
	// Transport holds the identity and the keys, loaded from their files. Set Logger,
	// Base and the rest before passing it to NewClient or transport.New.
	Transport transport.Config
	// BaseURL is WXPAY_BASE_URL without a trailing slash, or openapi.yaml's first server
	// (https://api.mch.weixin.qq.com) when it is unset.
	BaseURL string
}

// EnvError reports a WXPAY_* variable that is missing or wrong: it names the variable and
// says what to set it to. It never holds a key, nor the APIv3 key's value.
type EnvError struct {
	Var    string   // the variable to fix, e.g. "WXPAY_MCHID"
	Unset  []string // when required variables are not set: all of them, Var first
	Reason string   // what is wrong, or what to set Var to
	Err    error    // the underlying error, e.g. a *transport.KeyError for a key file
}

// Error names the variable and what to do about it.
func (e *EnvError) Error() string {
	if len(e.Unset) > 0 {
		msg := "wxpay: " + e.Var + " is not set: " + e.Reason
		if len(e.Unset) > 1 {
			msg += "; also not set: " + strings.Join(e.Unset[1:], ", ")
		}
		return msg
	}
	return "wxpay: " + e.Var + ": " + e.Reason
}

// Unwrap returns the underlying error, for errors.As.
func (e *EnvError) Unwrap() error { return e.Err }

// required lists the variables every configuration needs, in the order they are reported,
// with what to set each to.
var required = []struct{ name, what string }{
	{EnvMchID, "set it to your merchant ID (商户号)"},
	{EnvCertSerialNo, "set it to your merchant API certificate's serial number (商户API证书序列号)"},
	{EnvPrivateKeyFile, "point it at apiclient_key.pem"},
}

// noVerifyKey says what to set when nothing can verify WeChat Pay's answers.
const noVerifyKey = "point it at pub_key.pem, the WeChat Pay public key downloaded from the merchant platform, and set " +
	EnvPublicKeyID + " to its ID (or set " + EnvPlatformCertFile + " to platform certificate files, or " +
	EnvAPIv3Key + " to download them)"

// ConfigFromEnv reads a client's configuration from WXPAY_* variables through lookup
// (os.LookupEnv, or an Env from LoadEnvFile) and loads the key files they name. Blank
// values count as unset. Required: WXPAY_MCHID, WXPAY_CERT_SERIAL_NO and
// WXPAY_PRIVATE_KEY_FILE, plus at least one way to verify answers:
//
//   - WXPAY_PUBLIC_KEY_ID and WXPAY_PUBLIC_KEY_FILE: the WeChat Pay public key;
//   - WXPAY_PLATFORM_CERT_FILE: platform certificate files (several separated like PATH);
//   - WXPAY_APIV3_KEY or WXPAY_APIV3_KEY_FILE: the APIv3 key, which downloads the platform
//     certificates from GET /v3/certificates (call Close on the Transport when done).
//
// WXPAY_BASE_URL chooses the host. Every error is an *EnvError naming the variable to fix;
// when required variables are missing it lists them all.
func ConfigFromEnv(lookup func(string) (string, bool)) (*EnvConfig, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	var unset []string
	reason := ""
	for _, r := range required {
		if get(r.name) == "" {
			if reason == "" {
				reason = r.what
			}
			unset = append(unset, r.name)
		}
	}
	id, pubFile, certFiles := get(EnvPublicKeyID), get(EnvPublicKeyFile), get(EnvPlatformCertFile)
	apiv3, apiv3File := get(EnvAPIv3Key), get(EnvAPIv3KeyFile)
	switch {
	case id != "" && pubFile == "":
		unset = append(unset, EnvPublicKeyFile)
	case id == "" && pubFile != "":
		unset = append(unset, EnvPublicKeyID)
	case id == "" && certFiles == "" && apiv3 == "" && apiv3File == "":
		unset = append(unset, EnvPublicKeyID, EnvPublicKeyFile)
	}
	if len(unset) > 0 {
		if reason == "" {
			switch unset[0] {
			case EnvPublicKeyID:
				reason = "set it to the WeChat Pay public key's ID (PUB_KEY_ID_…, shown in the merchant platform)"
				if pubFile == "" {
					reason = "set it to the WeChat Pay public key's ID (PUB_KEY_ID_…), and " + EnvPublicKeyFile + " to pub_key.pem " +
						"(or set " + EnvPlatformCertFile + " to platform certificate files, or " + EnvAPIv3Key + " to download them)"
				}
			case EnvPublicKeyFile:
				reason = noVerifyKey
			}
		}
		return nil, &EnvError{Var: unset[0], Unset: unset, Reason: reason}
	}

	baseURL, err := envBaseURL(get(EnvBaseURL))
	if err != nil {
		return nil, err
	}
	cfg := transport.Config{MchID: get(EnvMchID), CertificateSerialNo: get(EnvCertSerialNo)}
	if cfg.PrivateKey, err = transport.LoadPrivateKeyFile(get(EnvPrivateKeyFile)); err != nil {
		return nil, keyError(EnvPrivateKeyFile, err)
	}
	if id != "" {
		cfg.WechatPayPublicKeyID = id
		if cfg.WechatPayPublicKey, err = transport.LoadPublicKeyFile(pubFile); err != nil {
			if _, cerr := transport.LoadCertificateFile(pubFile); cerr == nil {
				return nil, &EnvError{Var: EnvPublicKeyFile, Err: err, Reason: pubFile + " is a platform certificate, not the WeChat Pay public key: " +
					"set " + EnvPlatformCertFile + " to it instead (and unset " + EnvPublicKeyID + " and " + EnvPublicKeyFile + ")"}
			}
			return nil, keyError(EnvPublicKeyFile, err)
		}
	}
	for _, f := range filepath.SplitList(certFiles) {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		cert, err := transport.LoadCertificateFile(f)
		if err != nil {
			if _, perr := transport.LoadPublicKeyFile(f); perr == nil {
				return nil, &EnvError{Var: EnvPlatformCertFile, Err: err, Reason: f + " is a WeChat Pay public key, not a platform certificate: " +
					"set " + EnvPublicKeyFile + " to it instead, and " + EnvPublicKeyID + " to its ID"}
			}
			return nil, keyError(EnvPlatformCertFile, err)
		}
		cfg.PlatformCertificates = append(cfg.PlatformCertificates, cert)
	}
	if cfg.APIv3Key, err = loadAPIv3Key(apiv3, apiv3File); err != nil {
		return nil, err
	}
	return &EnvConfig{Transport: cfg, BaseURL: baseURL}, nil
}

// keyError names the variable behind a key file that did not load.
func keyError(name string, err error) error {
	return &EnvError{Var: name, Reason: strings.TrimPrefix(err.Error(), "transport: "), Err: err}
}

// loadAPIv3Key returns the APIv3 key from its value or its file; the zero Secret when
// neither is set. Its errors give lengths, never the key.
func loadAPIv3Key(value, file string) (transport.Secret, error) {
	name := EnvAPIv3Key
	switch {
	case value != "" && file != "":
		return transport.Secret{}, &EnvError{Var: EnvAPIv3Key, Reason: "set it or " + EnvAPIv3KeyFile + ", not both"}
	case file != "":
		name = EnvAPIv3KeyFile
		b, err := boundedread.File(file, MaxEnvFileBytes)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return transport.Secret{}, &EnvError{Var: name, Reason: fmt.Sprintf("reading %s: %v", file, err), Err: err}
		}
		value = strings.TrimSpace(string(b))
	case value == "":
		return transport.Secret{}, nil
	}
	if len(value) != protocol.APIv3KeySize {
		return transport.Secret{}, &EnvError{Var: name, Reason: fmt.Sprintf("the APIv3 key (APIv3密钥) is %d characters, not %d: copy it from the merchant platform", protocol.APIv3KeySize, len(value))}
	}
	return transport.NewSecret([]byte(value)), nil
}

// envBaseURL checks a WXPAY_BASE_URL value, or returns openapi.yaml's first server when empty.
func envBaseURL(raw string) (string, error) {
	def, err := defaultBaseURL()
	if raw == "" {
		return def, err
	}
	u, perr := url.Parse(raw)
	if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawPath != "" || u.Opaque != "" {
		return "", &EnvError{Var: EnvBaseURL, Reason: "not a base URL: expected scheme and host only, like " + def}
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// specDoc is the embedded openapi.yaml, parsed once per process for transport, this
// package and the CLI together.
func specDoc() (*openapi3.T, error) {
	doc, err := specdoc.Load()
	if err != nil {
		return nil, fmt.Errorf("wxpay: %w", err)
	}
	return doc, nil
}

// specServers is the servers of the embedded openapi.yaml.
func specServers() (openapi3.Servers, error) {
	doc, err := specDoc()
	if err != nil {
		return nil, err
	}
	if len(doc.Servers) == 0 || doc.Servers[0].URL == "" {
		return nil, errors.New("wxpay: the embedded openapi.yaml lists no servers: set " + EnvBaseURL)
	}
	return doc.Servers, nil
}

// defaultBaseURL is the first server of the embedded openapi.yaml: WeChat Pay's primary host.
func defaultBaseURL() (string, error) {
	servers, err := specServers()
	if err != nil {
		return "", err
	}
	return servers[0].URL, nil
}
