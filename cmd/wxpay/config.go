package main

import (
	"flag"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/transport"
)

// The environment variables the balance commands read; a flag with the same meaning wins.
const (
	envMchID          = "WXPAY_MCHID"
	envCertSerialNo   = "WXPAY_CERT_SERIAL_NO"
	envPrivateKeyFile = "WXPAY_PRIVATE_KEY_FILE"
	envPublicKeyID    = "WXPAY_PUBLIC_KEY_ID"
	envPublicKeyFile  = "WXPAY_PUBLIC_KEY_FILE"
	envBaseURL        = "WXPAY_BASE_URL"
)

// setting is one credential or connection setting, read from a flag or else the environment.
type setting struct {
	env   string // environment variable, e.g. WXPAY_MCHID
	flag  string // flag name without dashes, e.g. merchant-id
	field string // the transport.Config field it fills, for ConfigError messages
	usage string // flag help
	unset string // what to do when it is missing
}

// settings lists every setting in the order they are checked and reported.
var settings = []setting{
	{envMchID, "merchant-id", "MchID",
		"merchant ID (商户号) that calls the API (env " + envMchID + ")",
		"set it to your merchant ID (商户号)"},
	{envCertSerialNo, "cert-serial-no", "CertificateSerialNo",
		"serial number of the merchant API certificate, 商户API证书序列号 (env " + envCertSerialNo + ")",
		"set it to your merchant API certificate's serial number (商户API证书序列号)"},
	{envPrivateKeyFile, "private-key-file", "PrivateKey",
		"merchant API private key file, apiclient_key.pem (env " + envPrivateKeyFile + ")",
		"point it at apiclient_key.pem"},
	{envPublicKeyID, "public-key-id", "WechatPayPublicKeyID",
		"WeChat Pay public key ID, PUB_KEY_ID_… (env " + envPublicKeyID + ")",
		"set it to the WeChat Pay public key's ID (PUB_KEY_ID_…, shown in the merchant platform)"},
	{envPublicKeyFile, "public-key-file", "WechatPayPublicKey",
		"WeChat Pay public key file, pub_key.pem (env " + envPublicKeyFile + ")",
		"point it at pub_key.pem, the WeChat Pay public key downloaded from the merchant platform"},
	{envBaseURL, "base-url", "",
		"API base URL (env " + envBaseURL + "; default the first server of openapi.yaml)",
		""},
}

// settingForField returns the setting that fills a transport.Config field, or nil.
func settingForField(field string) *setting {
	for i := range settings {
		if settings[i].field == field {
			return &settings[i]
		}
	}
	return nil
}

// credentialFlags holds the values of the setting flags of one FlagSet, by environment variable.
type credentialFlags map[string]*string

// addCredentialFlags registers a flag for every setting on fs.
func addCredentialFlags(fs *flag.FlagSet) credentialFlags {
	cf := make(credentialFlags, len(settings))
	for _, s := range settings {
		cf[s.env] = fs.String(s.flag, "", s.usage)
	}
	return cf
}

// values returns every setting, the flag's value when given and the environment's otherwise.
func (cf credentialFlags) values(getenv env) map[string]string {
	v := make(map[string]string, len(settings))
	for _, s := range settings {
		val := ""
		if p := cf[s.env]; p != nil {
			val = strings.TrimSpace(*p)
		}
		if val == "" {
			val = strings.TrimSpace(getenv(s.env))
		}
		v[s.env] = val
	}
	return v
}

// clientConfig is what a balance command needs to build its client.
type clientConfig struct {
	transport transport.Config
	baseURL   string
}

// load resolves the settings and loads the key files. Every failure is a *usageError
// naming the variable (and flag) to set, or a *transport.KeyError for a key file.
func (cf credentialFlags) load(getenv env) (*clientConfig, error) {
	v := cf.values(getenv)
	var missing []*setting
	for i := range settings {
		s := &settings[i]
		if s.unset != "" && v[s.env] == "" {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		s := missing[0]
		msg := fmt.Sprintf("%s is not set: %s (or pass --%s)", s.env, s.unset, s.flag)
		if len(missing) > 1 {
			var names []string
			for _, m := range missing[1:] {
				names = append(names, m.env)
			}
			msg += "; also not set: " + strings.Join(names, ", ")
		}
		if len(missing) == len(settings)-1 {
			msg += "; to try wxpay without credentials, run 'wxpay demo'"
		}
		return nil, &usageError{msg: msg}
	}
	baseURL, err := resolveBaseURL(v[envBaseURL])
	if err != nil {
		return nil, err
	}
	priv, err := transport.LoadPrivateKeyFile(v[envPrivateKeyFile])
	if err != nil {
		return nil, err
	}
	pub, err := transport.LoadPublicKeyFile(v[envPublicKeyFile])
	if err != nil {
		return nil, err
	}
	return &clientConfig{
		transport: transport.Config{
			MchID:                v[envMchID],
			CertificateSerialNo:  v[envCertSerialNo],
			PrivateKey:           priv,
			WechatPayPublicKeyID: v[envPublicKeyID],
			WechatPayPublicKey:   pub,
		},
		baseURL: baseURL,
	}, nil
}

// resolveBaseURL checks a WXPAY_BASE_URL value, or returns the spec's first server when empty.
func resolveBaseURL(raw string) (string, error) {
	if raw == "" {
		return defaultBaseURL()
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		def, _ := defaultBaseURL()
		return "", usagef("%s is not a base URL: expected scheme and host only, like %s (or pass --base-url)", envBaseURL, def)
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// specDoc is the embedded openapi.yaml, loaded once.
var specDoc = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(wxpay.Spec())
	if err != nil {
		return nil, fmt.Errorf("loading the embedded openapi.yaml: %w", err)
	}
	return doc, nil
})

var specServers = sync.OnceValues(func() (openapi3.Servers, error) {
	doc, err := specDoc()
	if err != nil {
		return nil, err
	}
	if len(doc.Servers) == 0 || doc.Servers[0].URL == "" {
		return nil, fmt.Errorf("the embedded openapi.yaml lists no servers: set %s", envBaseURL)
	}
	return doc.Servers, nil
})

// defaultBaseURL is the first server of the embedded openapi.yaml: WeChat Pay's primary host.
func defaultBaseURL() (string, error) {
	servers, err := specServers()
	if err != nil {
		return "", err
	}
	return servers[0].URL, nil
}
