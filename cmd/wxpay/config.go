package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/internal/specdoc"
	"github.com/wxpay-oapi/wxpay/transport"
)

// The environment variables the balance commands read (wxpay.ConfigFromEnv); a flag with
// the same meaning wins, then --env-file, then the environment.
const (
	envMchID            = wxpay.EnvMchID
	envCertSerialNo     = wxpay.EnvCertSerialNo
	envPrivateKeyFile   = wxpay.EnvPrivateKeyFile
	envPublicKeyID      = wxpay.EnvPublicKeyID
	envPublicKeyFile    = wxpay.EnvPublicKeyFile
	envPlatformCertFile = wxpay.EnvPlatformCertFile
	envAPIv3Key         = wxpay.EnvAPIv3Key
	envAPIv3KeyFile     = wxpay.EnvAPIv3KeyFile
	envBaseURL          = wxpay.EnvBaseURL
)

// setting is one credential or connection setting, read from a flag or else the environment.
type setting struct {
	env   string // environment variable, e.g. WXPAY_MCHID
	flag  string // flag name without dashes, e.g. caller-mchid; "" for none (a secret's value)
	field string // the transport.Config field it fills, for ConfigError messages
	usage string // flag help
}

// settings lists every setting in the order help and .env files show them.
var settings = []setting{
	{envMchID, "caller-mchid", "MchID",
		"`ID` of the merchant that calls the API and signs (商户号, env " + envMchID + "); not the merchant queried"},
	{envCertSerialNo, "cert-serial-no", "CertificateSerialNo",
		"serial number of the merchant API certificate, 商户API证书序列号 (env " + envCertSerialNo + ")"},
	{envPrivateKeyFile, "private-key-file", "PrivateKey",
		"merchant API private key file, apiclient_key.pem (env " + envPrivateKeyFile + ")"},
	{envPublicKeyID, "public-key-id", "WechatPayPublicKeyID",
		"WeChat Pay public key ID, PUB_KEY_ID_… (env " + envPublicKeyID + ")"},
	{envPublicKeyFile, "public-key-file", "WechatPayPublicKey",
		"WeChat Pay public key file, pub_key.pem (env " + envPublicKeyFile + ")"},
	{envPlatformCertFile, "platform-cert-file", "PlatformCertificates",
		"platform certificate `files` instead of the public key, separated by '" + string(filepath.ListSeparator) + "' (env " + envPlatformCertFile + ")"},
	{envAPIv3Key, "", "APIv3Key", ""},
	{envAPIv3KeyFile, "apiv3-key-file", "APIv3Key",
		"`file` holding the APIv3 key (APIv3密钥): download the platform certificates (env " + envAPIv3KeyFile + ", or " + envAPIv3Key + " for the key itself)"},
	{envBaseURL, "base-url", "",
		"API base URL (env " + envBaseURL + "; default the first server of openapi.yaml)"},
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

// settingForEnv returns the setting read from an environment variable, or nil.
func settingForEnv(name string) *setting {
	for i := range settings {
		if settings[i].env == name {
			return &settings[i]
		}
	}
	return nil
}

// credentialFlags holds the values of the setting flags of one FlagSet, by environment
// variable, and --env-file.
type credentialFlags struct {
	values  map[string]*string
	envFile *string
}

// addCredentialFlags registers a flag for every setting on fs, and --env-file.
func addCredentialFlags(fs *flag.FlagSet) credentialFlags {
	cf := credentialFlags{values: make(map[string]*string, len(settings))}
	for _, s := range settings {
		if s.flag != "" {
			cf.values[s.env] = fs.String(s.flag, "", s.usage)
		}
	}
	cf.envFile = fs.String("env-file", "", "read the settings from this .env `file` (like the one 'wxpay mock' writes) before the environment")
	return cf
}

// lookup returns the lookup function the settings are read through: a flag's value when
// given, else --env-file's, else the environment's.
func (cf credentialFlags) lookup(getenv env) (func(string) (string, bool), error) {
	var file wxpay.Env
	if cf.envFile != nil && *cf.envFile != "" {
		var err error
		if file, err = wxpay.LoadEnvFile(*cf.envFile); err != nil {
			return nil, usagef("--env-file: %s", strings.TrimPrefix(err.Error(), "wxpay: "))
		}
	}
	return func(name string) (string, bool) {
		if p := cf.values[name]; p != nil && strings.TrimSpace(*p) != "" {
			return *p, true
		}
		if v, ok := file[name]; ok && strings.TrimSpace(v) != "" {
			return v, true
		}
		return getenv(name)
	}, nil
}

// clientConfig is what a balance command needs to build its client.
type clientConfig struct {
	transport transport.Config
	baseURL   string
	keyFile   string // the merchant private key file, for warnMockKeys
}

// load resolves the settings and loads the key files (wxpay.ConfigFromEnv). Every failure
// is a *usageError naming the variable (and flag) to set.
func (cf credentialFlags) load(getenv env) (*clientConfig, error) {
	lookup, err := cf.lookup(getenv)
	if err != nil {
		return nil, err
	}
	ec, err := wxpay.ConfigFromEnv(lookup)
	if err != nil {
		return nil, envMessage(err)
	}
	keyFile, _ := lookup(envPrivateKeyFile)
	return &clientConfig{transport: ec.Transport, baseURL: ec.BaseURL, keyFile: strings.TrimSpace(keyFile)}, nil
}

// envMessage words a wxpay.EnvError with the flag that stands in for its variable.
func envMessage(err error) error {
	var ee *wxpay.EnvError
	if !errors.As(err, &ee) {
		return err
	}
	orFlag := ""
	if s := settingForEnv(ee.Var); s != nil && s.flag != "" {
		orFlag = " (or pass --" + s.flag + ")"
	}
	if len(ee.Unset) == 0 {
		return usagef("%s: %s%s", ee.Var, ee.Reason, orFlag)
	}
	msg := fmt.Sprintf("%s is not set: %s%s", ee.Var, ee.Reason, orFlag)
	if len(ee.Unset) > 1 {
		msg += "; also not set: " + strings.Join(ee.Unset[1:], ", ")
	}
	if len(ee.Unset) >= 5 {
		msg += "; to try wxpay without credentials, run 'wxpay demo'"
	}
	return &usageError{msg: msg}
}

// specDoc is the embedded openapi.yaml, parsed once per process for this command, the
// wxpay package and transport together.
func specDoc() (*openapi3.T, error) { return specdoc.Load() }
