// Package interop_test is the reverse direction of make interop: our Go client —
// transport.Transport plus the generated client — against a Node server built on the
// wechatpay-axios-plugin primitives (reverse-server.mjs), which checks our Authorization,
// decrypts bal_account_no and signs its answers. make interop runs it with WXPAY_INTEROP=1
// after npm ci; elsewhere it skips.
package interop_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

const client = "go-client-vs-node-server"

func TestReverseNodeServer(t *testing.T) {
	if os.Getenv("WXPAY_INTEROP") == "" {
		t.Skip("the reverse interop test runs under make interop (WXPAY_INTEROP=1, Node and interop/node_modules)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed:", err)
	}
	for _, mode := range []string{"public-key", "platform-certificate"} {
		t.Run(mode, func(t *testing.T) { reverse(t, node, mode) })
	}
}

func reverse(t *testing.T, node, mode string) {
	keys, err := wxpaytest.NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := keys.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	wrong, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cfg := transport.Config{MchID: keys.MchID, CertificateSerialNo: keys.CertificateSerialNo, PrivateKey: keys.MerchantKey, MaxAttempts: 1}
	signKey, signSerial := keys.WechatPayKey, keys.PublicKeyID
	if mode == "public-key" {
		cfg.WechatPayPublicKeyID, cfg.WechatPayPublicKey = keys.PublicKeyID, &keys.WechatPayKey.PublicKey
	} else {
		signKey, signSerial = keys.PlatformKey, keys.PlatformSerial()
		cfg.PlatformCertificates = []*x509.Certificate{keys.PlatformCertificate}
	}
	conf, _ := json.Marshal(map[string]string{
		"mchid":            keys.MchID,
		"merchantSerial":   keys.CertificateSerialNo,
		"merchantCertFile": filepath.Join(dir, "apiclient_cert.pem"),
		"signKeyFile":      writeKey(t, dir, "wechatpay_key.test.pem", signKey), // test-only: the server's signing key
		"wrongKeyFile":     writeKey(t, dir, "wrong_key.test.pem", wrong),
		"signSerial":       signSerial,
	})
	baseURL := startServer(t, node, string(conf))

	tr, err := transport.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := generated.NewClientWithResponses(baseURL, generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	row(t, mode, "ecommerce", func() error {
		basic := generated.AccountTypeBasic
		r, err := c.QueryECommerceBalanceWithResponse(ctx, "1900000109", &generated.QueryECommerceBalanceParams{AccountType: &basic})
		if err != nil {
			return err
		}
		if r.JSON200 == nil || r.JSON200.AvailableAmount != 10000 || r.JSON200.SubMchID != "1900000109" {
			return fmt.Errorf("answer %d %s", r.StatusCode(), r.Body)
		}
		return nil
	})
	row(t, mode, "channel", func() error {
		ct, err := tr.Encrypt(wxpaytest.DemoBalAccountNo)
		if err != nil {
			return err
		}
		r, err := c.QueryAccountBalanceWithResponse(ctx, &generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: ct})
		if err != nil {
			return err
		}
		if r.JSON200 == nil || r.JSON200.Balance == nil || *r.JSON200.Balance != 1 {
			return fmt.Errorf("answer %d %s", r.StatusCode(), r.Body)
		}
		return nil
	})
	row(t, mode, "bad-signature-refused-by-server", func() error {
		// Signed with a key that is not the merchant's: the Node server must answer 401.
		bad := cfg
		bad.PrivateKey = wrong
		btr, err := transport.New(bad)
		if err != nil {
			return err
		}
		bc, err := generated.NewClientWithResponses(baseURL, generated.WithHTTPClient(&http.Client{Transport: btr}))
		if err != nil {
			return err
		}
		r, err := bc.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil)
		if err != nil {
			return err
		}
		if r.StatusCode() != http.StatusUnauthorized || !strings.Contains(string(r.Body), "SIGN_ERROR") {
			return fmt.Errorf("a request signed by another key: %d %s, want 401 SIGN_ERROR", r.StatusCode(), r.Body)
		}
		return nil
	})
	row(t, mode, "wrong-key-refused", func() error {
		_, err := c.QueryECommerceBalanceWithResponse(ctx, "1900000666", nil)
		var ve *transport.VerificationError
		if !errors.As(err, &ve) {
			return fmt.Errorf("an answer signed by another key: err = %v, want a *transport.VerificationError", err)
		}
		return nil
	})
}

// row runs one case as a subtest and appends "client mode query pass|fail" to
// $WXPAY_INTEROP_RESULTS for make interop's matrix.
func row(t *testing.T, mode, query string, fn func() error) {
	t.Run(query, func(t *testing.T) {
		err := fn()
		result := "pass"
		if err != nil {
			result = "fail"
			t.Error(err)
		}
		if path := os.Getenv("WXPAY_INTEROP_RESULTS"); path != "" {
			f, ferr := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if ferr != nil {
				t.Fatal(ferr)
			}
			defer f.Close()
			fmt.Fprintf(f, "%s %s %s %s\n", client, mode, query, result)
		}
	})
}

func writeKey(t *testing.T, dir, name string, key *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startServer runs reverse-server.mjs until the test ends and returns its URL.
func startServer(t *testing.T, node, conf string) string {
	t.Helper()
	cmd := exec.Command(node, "reverse-server.mjs")
	cmd.Env = append(os.Environ(), "REVERSE_CONFIG="+conf)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
	}()
	select {
	case l, ok := <-line:
		if !ok || !strings.HasPrefix(l, "listening ") {
			t.Fatalf("reverse-server.mjs did not start: %q", l)
		}
		return strings.TrimPrefix(l, "listening ")
	case <-time.After(30 * time.Second):
		t.Fatal("reverse-server.mjs did not start within 30 s")
	}
	return ""
}
