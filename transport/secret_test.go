package transport_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/transport"
)

// keyForms returns every form of key that must never be printed: raw, hex (either case),
// base64, and fmt's byte-list rendering ([75 51 …]) of its first bytes.
func keyForms(key []byte) map[string]string {
	dec := make([]string, 6)
	for i := range dec {
		dec[i] = fmt.Sprint(key[i])
	}
	return map[string]string{
		"raw":       string(key),
		"raw start": string(key[:8]),
		"hex":       hex.EncodeToString(key[:8]),
		"HEX":       strings.ToUpper(hex.EncodeToString(key[:8])),
		"base64":    base64.StdEncoding.EncodeToString(key)[:12],
		"bytes":     strings.Join(dec, " "),
		"bytes,":    strings.Join(dec, ", "),
	}
}

// TestSecretsNeverPrint: the APIv3 key shows under no fmt verb, no slog handler and no JSON
// encoding, whatever holds it — a Secret, a Config, a *Transport, or a struct of the
// caller's holding any of them in an unexported field (where fmt cannot call their
// methods and prints by reflection), an exported field, embedded, in a slice or a map.
func TestSecretsNeverPrint(t *testing.T) {
	key := []byte("K3yMaterial!0123456789abcdefWXYZ")
	cfg := goodConfig(t)
	cfg.APIv3Key = transport.NewSecret(key)
	cfg.Base = closedBase{} // the background refresh must not reach a network
	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	secret := cfg.APIv3Key
	client, err := wxpay.NewClient("http://127.0.0.1:1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	env := wxpay.EnvConfig{Transport: cfg, BaseURL: "http://127.0.0.1:1"}

	type unexportedConfig struct{ cfg transport.Config }
	type exportedConfig struct{ Cfg transport.Config }
	type embeddedConfig struct{ transport.Config }
	type unexportedPointer struct{ cfg *transport.Config }
	type unexportedSecret struct{ key transport.Secret }
	type exportedSecret struct{ Key transport.Secret }
	type unexportedTransport struct{ t *transport.Transport }
	type unexportedSlice struct{ cfgs []transport.Config }
	type unexportedMap struct{ m map[string]transport.Config }
	type nested struct{ inner unexportedConfig }
	holders := map[string]any{
		"Secret":                    secret,
		"*Secret":                   &secret,
		"Config":                    cfg,
		"*Config":                   &cfg,
		"*Transport":                tr,
		"struct{cfg Config}":        unexportedConfig{cfg},
		"*struct{cfg Config}":       &unexportedConfig{cfg},
		"struct{Cfg Config}":        exportedConfig{cfg},
		"struct{Config}":            embeddedConfig{cfg},
		"struct{cfg *Config}":       unexportedPointer{&cfg},
		"struct{key Secret}":        unexportedSecret{secret},
		"struct{Key Secret}":        exportedSecret{secret},
		"struct{t *Transport}":      unexportedTransport{tr},
		"struct{cfgs []Config}":     unexportedSlice{[]transport.Config{cfg}},
		"struct{m map[…]Config}":    unexportedMap{map[string]transport.Config{"m": cfg}},
		"struct{inner struct{cfg}}": nested{unexportedConfig{cfg}},
		"[]Config":                  []transport.Config{cfg},
		"map[string]Secret":         map[string]transport.Secret{"k": secret},
		"wxpay.EnvConfig":           env,
		"*wxpay.EnvConfig":          &env,
		"*wxpay.Client":             client,
	}
	verbs := []string{"%s", "%q", "%v", "%+v", "%#v", "%x", "%X", "%d", "%T"}
	forms := keyForms(key)
	for name, h := range holders {
		outputs := map[string]string{}
		for _, verb := range verbs {
			outputs[verb] = fmt.Sprintf(verb, h)
		}
		outputs["Sprint"] = fmt.Sprint(h)
		outputs["Sprintln"] = fmt.Sprintln(h)
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", h)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", h)
		outputs["slog text"], outputs["slog JSON"] = text.String(), js.String()
		if b, err := json.Marshal(h); err == nil {
			outputs["json.Marshal"] = string(b)
		}
		for how, out := range outputs {
			for form, s := range forms {
				if strings.Contains(out, s) {
					t.Errorf("%s printed with %s shows the APIv3 key (%s): %.300s", name, how, form, out)
				}
			}
			for _, s := range secretsOf(cfg.PrivateKey) {
				if strings.Contains(out, s) {
					t.Errorf("%s printed with %s shows the private key: %.80s…", name, how, out)
				}
			}
		}
	}
	if got := fmt.Sprintf("%v %q %#v", secret, secret, secret); got != `[REDACTED] "[REDACTED]" transport.Secret{[REDACTED]}` {
		t.Errorf("Secret prints as %s", got)
	}
	if !bytes.Equal(secret.Bytes(), key) || secret.Len() != len(key) || (transport.Secret{}).Len() != 0 {
		t.Error("Secret does not hold the key it was given")
	}
}

// closedBase refuses every request: nothing in the test reaches a network.
type closedBase struct{}

func (closedBase) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("closedBase: no network in this test")
}

// TestNewSecretCopies: changing the caller's slice afterwards changes nothing, and an empty
// Secret is set (so New says the key is the wrong length) while the zero Secret is unset.
func TestNewSecretCopies(t *testing.T) {
	b := []byte(strings.Repeat("a", 32))
	s := transport.NewSecret(b)
	b[0] = 'b'
	if s.Bytes()[0] != 'a' {
		t.Error("NewSecret did not copy")
	}
	if transport.NewSecret(nil).IsZero() || !(transport.Secret{}).IsZero() {
		t.Error("NewSecret(nil) must be set, the zero Secret unset")
	}
	c := goodConfig(t)
	c.APIv3Key = transport.NewSecret(nil)
	var ce *transport.ConfigError
	if _, err := transport.New(c); !errors.As(err, &ce) || ce.Field != "APIv3Key" {
		t.Errorf("an empty APIv3Key: %v; want a *ConfigError for APIv3Key", err)
	}
}
