package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay"
)

// TestFlagsWinOverEnvironment checks that every setting but the APIv3 key's value has a
// flag, and that a flag wins over --env-file, which wins over the environment.
func TestFlagsWinOverEnvironment(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(envFile, []byte("WXPAY_CERT_SERIAL_NO=FILE\nWXPAY_PUBLIC_KEY_ID='from file'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cf := addCredentialFlags(fs)
	if err := fs.Parse([]string{"--caller-mchid", "1900000002", "--base-url", "http://flag", "--public-key-id", "FLAG", "--env-file", envFile}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{envMchID: "1900000001", envBaseURL: "http://env", envCertSerialNo: "ABC", envPrivateKeyFile: "ENV"}
	lookup, err := cf.lookup(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{envMchID: "1900000002", envBaseURL: "http://flag", envPublicKeyID: "FLAG",
		envCertSerialNo: "FILE", envPrivateKeyFile: "ENV", envPublicKeyFile: ""} {
		if got, _ := lookup(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	for _, s := range settings {
		if (fs.Lookup(s.flag) == nil) != (s.env == envAPIv3Key) {
			t.Errorf("flag --%s for %s: want one for every setting but the APIv3 key itself (keep secrets off the command line)", s.flag, s.env)
		}
	}
}

func TestLoadNamesWhatToSet(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := map[string]string{
		envMchID: "1900000001", envCertSerialNo: "ABC", envPrivateKeyFile: notPEM,
		envPublicKeyID: "PUB_KEY_ID_1", envPublicKeyFile: notPEM,
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set", nil, []string{"WXPAY_MCHID is not set", "--caller-mchid", "also not set: WXPAY_CERT_SERIAL_NO, WXPAY_PRIVATE_KEY_FILE, WXPAY_PUBLIC_KEY_ID, WXPAY_PUBLIC_KEY_FILE", "wxpay demo"}},
		{"no mchid", without(full, envMchID), []string{"WXPAY_MCHID is not set: set it to your merchant ID (商户号) (or pass --caller-mchid)"}},
		{"no serial", without(full, envCertSerialNo), []string{"WXPAY_CERT_SERIAL_NO is not set", "--cert-serial-no"}},
		{"no private key", without(full, envPrivateKeyFile), []string{"WXPAY_PRIVATE_KEY_FILE is not set: point it at apiclient_key.pem (or pass --private-key-file)"}},
		{"no key ID", without(full, envPublicKeyID), []string{"WXPAY_PUBLIC_KEY_ID is not set", "--public-key-id"}},
		{"no public key", without(full, envPublicKeyFile), []string{"WXPAY_PUBLIC_KEY_FILE is not set", "pub_key.pem", "--public-key-file"}},
		{"blank counts as unset", with(full, envMchID, "  "), []string{"WXPAY_MCHID is not set"}},
		{"bad base URL", with(full, envBaseURL, "api.mch.weixin.qq.com"), []string{"WXPAY_BASE_URL: not a base URL", "(or pass --base-url)"}},
		{"bad key file", full, []string{"WXPAY_PRIVATE_KEY_FILE: merchant private key (" + notPEM + ")", "(or pass --private-key-file)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := credentialFlags{}.load(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if err == nil {
				t.Fatal("load succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(tt.name, "nothing") == false && strings.Contains(err.Error(), "also not set") {
				t.Errorf("error %q lists more than the missing variable", err)
			}
		})
	}
}

// The --account-type values come from openapi.yaml, not from Go: a value added to the
// spec's enum shows up in the help and in the error for a bad value.
func TestAccountTypesFromSpec(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(wxpay.Spec())
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, v := range doc.Components.Schemas["AccountType"].Value.Enum {
		want = append(want, v.(string))
	}
	if got := accountTypes(doc); !slices.Equal(got, want) || len(got) == 0 {
		t.Fatalf("accountTypes = %v, want the spec's enum %v", got, want)
	}
	doc.Components.Schemas["AccountType"].Value.Enum = append(doc.Components.Schemas["AccountType"].Value.Enum, "GOLD")
	if got := accountTypes(doc); !slices.Contains(got, "GOLD") {
		t.Errorf("after adding GOLD to the spec's enum: %v", got)
	}
	if got := orList([]string{"A", "B", "C"}); got != "A, B or C" {
		t.Errorf("orList = %q", got)
	}
}
