package wxpay_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/transport"
)

// mockEnv writes the suite's keys the way `wxpay mock` does and returns the settings
// pointing at them, plus the directory.
func mockEnv(t *testing.T) (wxpay.Env, string) {
	t.Helper()
	dir := t.TempDir()
	env, err := keysFor(t).WriteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return env, dir
}

func TestConfigFromEnvModes(t *testing.T) {
	base, dir := mockEnv(t)
	k := keysFor(t)
	cert := filepath.Join(dir, "platform_cert.pem")
	keyFile := filepath.Join(dir, "apiv3.txt")
	if err := os.WriteFile(keyFile, append(k.APIv3Key.Bytes(), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	only := func(extra map[string]string) wxpay.Env {
		e := wxpay.Env{}
		for _, n := range []string{wxpay.EnvMchID, wxpay.EnvCertSerialNo, wxpay.EnvPrivateKeyFile} {
			e[n] = base[n]
		}
		for n, v := range extra {
			e[n] = v
		}
		return e
	}

	t.Run("public key", func(t *testing.T) {
		got, err := wxpay.ConfigFromEnv(base.Lookup)
		if err != nil {
			t.Fatal(err)
		}
		c := got.Transport
		if c.MchID != k.MchID || c.CertificateSerialNo != k.CertificateSerialNo || !c.PrivateKey.Equal(k.MerchantKey) ||
			c.WechatPayPublicKeyID != k.PublicKeyID || !c.WechatPayPublicKey.Equal(&k.WechatPayKey.PublicKey) ||
			len(c.PlatformCertificates) != 0 || !c.APIv3Key.IsZero() {
			t.Errorf("config = %v", c)
		}
		if got.BaseURL != "https://api.mch.weixin.qq.com" {
			t.Errorf("BaseURL = %q, want openapi.yaml's first server", got.BaseURL)
		}
	})
	t.Run("platform certificates", func(t *testing.T) {
		got, err := wxpay.ConfigFromEnv(only(map[string]string{wxpay.EnvPlatformCertFile: cert + string(filepath.ListSeparator) + cert}).Lookup)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(got.Transport.PlatformCertificates); n != 2 || !got.Transport.PlatformCertificates[0].Equal(k.PlatformCertificate) || got.Transport.WechatPayPublicKey != nil {
			t.Errorf("PlatformCertificates = %d, public key %v", n, got.Transport.WechatPayPublicKey != nil)
		}
		if _, err := transport.New(got.Transport); err != nil {
			t.Errorf("transport.New: %v", err)
		}
	})
	for _, tc := range []struct{ name, v, value string }{
		{"APIv3 key", wxpay.EnvAPIv3Key, string(k.APIv3Key.Bytes())},
		{"APIv3 key file", wxpay.EnvAPIv3KeyFile, keyFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := wxpay.ConfigFromEnv(only(map[string]string{tc.v: tc.value, wxpay.EnvBaseURL: "http://127.0.0.1:1/"}).Lookup)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Transport.APIv3Key.Bytes()) != string(k.APIv3Key.Bytes()) || got.BaseURL != "http://127.0.0.1:1" {
				t.Errorf("APIv3Key set %v, BaseURL %q", !got.Transport.APIv3Key.IsZero(), got.BaseURL)
			}
		})
	}
}

func TestConfigFromEnvNamesWhatToSet(t *testing.T) {
	base, dir := mockEnv(t)
	k := keysFor(t)
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	cert := filepath.Join(dir, "platform_cert.pem")
	edit := func(kv ...string) wxpay.Env {
		e := wxpay.Env{}
		for n, v := range base {
			e[n] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(e, kv[i])
			} else {
				e[kv[i]] = kv[i+1]
			}
		}
		return e
	}
	tests := []struct {
		name  string
		env   wxpay.Env
		v     string
		unset []string
		want  string
	}{
		{"nothing", wxpay.Env{}, wxpay.EnvMchID, []string{wxpay.EnvMchID, wxpay.EnvCertSerialNo, wxpay.EnvPrivateKeyFile, wxpay.EnvPublicKeyID, wxpay.EnvPublicKeyFile},
			"WXPAY_MCHID is not set: set it to your merchant ID (商户号); also not set: WXPAY_CERT_SERIAL_NO, WXPAY_PRIVATE_KEY_FILE, WXPAY_PUBLIC_KEY_ID, WXPAY_PUBLIC_KEY_FILE"},
		{"blank counts as unset", edit(wxpay.EnvMchID, "  "), wxpay.EnvMchID, []string{wxpay.EnvMchID}, "merchant ID"},
		{"no key ID", edit(wxpay.EnvPublicKeyID, ""), wxpay.EnvPublicKeyID, []string{wxpay.EnvPublicKeyID}, "PUB_KEY_ID_"},
		{"no public key file", edit(wxpay.EnvPublicKeyFile, ""), wxpay.EnvPublicKeyFile, []string{wxpay.EnvPublicKeyFile}, "pub_key.pem"},
		{"bad private key", edit(wxpay.EnvPrivateKeyFile, notPEM), wxpay.EnvPrivateKeyFile, nil, "merchant private key (" + notPEM + ")"},
		{"certificate as public key", edit(wxpay.EnvPublicKeyFile, cert), wxpay.EnvPublicKeyFile, nil,
			"is a platform certificate, not the WeChat Pay public key: set WXPAY_PLATFORM_CERT_FILE to it instead"},
		{"public key as certificate", edit(wxpay.EnvPlatformCertFile, base[wxpay.EnvPublicKeyFile]), wxpay.EnvPlatformCertFile, nil,
			"is a WeChat Pay public key, not a platform certificate"},
		{"short APIv3 key", edit(wxpay.EnvAPIv3Key, "0123456789"), wxpay.EnvAPIv3Key, nil, "is 32 characters, not 10"},
		{"both APIv3 settings", edit(wxpay.EnvAPIv3Key, string(k.APIv3Key.Bytes()), wxpay.EnvAPIv3KeyFile, notPEM), wxpay.EnvAPIv3Key, nil, "not both"},
		{"missing APIv3 key file", edit(wxpay.EnvAPIv3KeyFile, filepath.Join(dir, "nope")), wxpay.EnvAPIv3KeyFile, nil, "no such file"},
		{"bad base URL", edit(wxpay.EnvBaseURL, "api.mch.weixin.qq.com"), wxpay.EnvBaseURL, nil, "not a base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wxpay.ConfigFromEnv(tt.env.Lookup)
			var ee *wxpay.EnvError
			if !errors.As(err, &ee) {
				t.Fatalf("err = %v, want an *EnvError", err)
			}
			if ee.Var != tt.v || !slices.Equal(ee.Unset, tt.unset) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q (Var %s, Unset %v), want Var %s, Unset %v, text %q", err, ee.Var, ee.Unset, tt.v, tt.unset, tt.want)
			}
			if strings.Contains(err.Error(), string(k.APIv3Key.Bytes())) || strings.Contains(err.Error(), "0123456789") {
				t.Errorf("err %q shows the APIv3 key", err)
			}
		})
	}
}

func TestLoadEnvFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	src := "# wxpay mock: comment\n\nA=plain\nexport B='it'\\''s quoted'\nC=\"dq \\\"x\\\" \\$HOME\" # trailing comment\nD=\nE=a'b c'd\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	env, err := wxpay.LoadEnvFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := wxpay.Env{"A": "plain", "B": "it's quoted", "C": `dq "x" $HOME`, "D": "", "E": "ab cd"}
	if len(env) != len(want) {
		t.Errorf("env = %q, want %q", env, want)
	}
	for k, v := range want {
		if got, ok := env.Lookup(k); !ok || got != v {
			t.Errorf("%s = %q, %v; want %q", k, got, ok, v)
		}
	}
	for _, bad := range []string{"NO_EQUALS\n", "1X=a\n", "X='secret\n", "X=two words\n"} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := wxpay.LoadEnvFile(path)
		if err == nil || !strings.Contains(err.Error(), path+":1") || strings.Contains(err.Error(), "secret") {
			t.Errorf("LoadEnvFile(%q) = %v, want an error naming %s:1 and no value", bad, err, path)
		}
	}
}

// TestMockEnvFileConfiguresAClient loads the .env that `wxpay mock` writes (through the
// same writer the command uses, Keys.WriteDir plus the .env) and queries the server with it.
func TestEnvFileConfiguresAClient(t *testing.T) {
	srv := startServer(t)
	settings, dir := mockEnv(t)
	var b strings.Builder
	b.WriteString("# wxpay mock: settings\n")
	settings[wxpay.EnvBaseURL] = srv.URL
	for n, v := range settings {
		b.WriteString(n + "='" + v + "'\n")
	}
	path := filepath.Join(dir, ".env")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	env, err := wxpay.LoadEnvFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := wxpay.ConfigFromEnv(env.Lookup)
	if err != nil {
		t.Fatal(err)
	}
	client, err := wxpay.NewClient(cfg.BaseURL, cfg.Transport)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", nil))
	if err != nil || bal.AvailableAmount != 10000 {
		t.Fatalf("balance = %v, %v", bal, err)
	}
}
