package sdkbench

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func decodeJSON(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// TestSameAnswerSameValues: every client in the comparison sends the same request, signed
// with the merchant key, and delivers the same values from the canned answer.
func TestSameAnswerSameValues(t *testing.T) {
	k := theKeys()
	want := balance{SubMchID: "1900000109", AvailableAmount: 10000, PendingAmount: 1, AccountType: "BASIC"}
	for _, c := range clients(t, k, &checkRequest{t: t, k: k, next: newCanned(k, cannedBody, cannedBody)}) {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.decode(context.Background())
			if err != nil {
				t.Fatalf("the canned answer was refused: %v", err)
			}
			if got != want {
				t.Errorf("decoded %+v, want %+v", got, want)
			}
			if err := c.call(context.Background()); err != nil {
				t.Errorf("the benchmarked call failed: %v", err)
			}
		})
	}
}

// TestTamperedAnswerRefused: every client refuses the canned answer with one byte of its
// body changed (10000 → 10001, still valid JSON and schema, under the original signature),
// so no client in the comparison wins by skipping verification.
func TestTamperedAnswerRefused(t *testing.T) {
	k := theKeys()
	tampered := strings.Replace(cannedBody, `"available_amount":10000`, `"available_amount":10001`, 1)
	if len(tampered) != len(cannedBody) || tampered == cannedBody {
		t.Fatal("the tampered body must differ from the canned one in one byte")
	}
	var v sdkBalance
	if err := json.Unmarshal([]byte(tampered), &v); err != nil || v.balance().AvailableAmount != 10001 {
		t.Fatalf("the tampered body must decode (so only its signature can refuse it): %v", err)
	}
	for _, c := range clients(t, k, newCanned(k, cannedBody, tampered)) {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.decode(context.Background())
			if err == nil {
				t.Fatalf("accepted a tampered answer: %+v", got)
			}
			t.Logf("refused: %v", err)
			if err := c.call(context.Background()); err == nil {
				t.Error("the benchmarked call accepted a tampered answer")
			}
		})
	}
}

// checkRequest checks each request before passing it on: the query of the comparison
// (GET requestURI, no body) and an Authorization header whose signature verifies with the
// merchant's public key over WeChat Pay's signing message.
type checkRequest struct {
	t    *testing.T
	k    keyPair
	next http.RoundTripper
	mu   sync.Mutex
}

func (c *checkRequest) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := c.check(req); err != nil {
		c.mu.Lock()
		c.t.Errorf("request %s %s: %v", req.Method, req.URL.RequestURI(), err)
		c.mu.Unlock()
	}
	return c.next.RoundTrip(req)
}

func (c *checkRequest) check(req *http.Request) error {
	if req.Method != http.MethodGet || req.URL.RequestURI() != requestURI || req.URL.Host != "api.mch.weixin.qq.com" {
		return fmt.Errorf("want GET https://api.mch.weixin.qq.com%s", requestURI)
	}
	if req.Body != nil && req.Body != http.NoBody {
		if b, _ := io.ReadAll(req.Body); len(b) > 0 {
			return fmt.Errorf("a GET with a %d-byte body", len(b))
		}
	}
	auth, ok := strings.CutPrefix(req.Header.Get("Authorization"), "WECHATPAY2-SHA256-RSA2048 ")
	if !ok {
		return fmt.Errorf("Authorization %q is not WECHATPAY2-SHA256-RSA2048", req.Header.Get("Authorization"))
	}
	f := map[string]string{}
	for _, kv := range strings.Split(auth, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(kv), "=")
		f[name] = strings.Trim(val, `"`)
	}
	if f["mchid"] != mchID || f["serial_no"] != certSerial {
		return fmt.Errorf("mchid %q serial_no %q, want %q %q", f["mchid"], f["serial_no"], mchID, certSerial)
	}
	sig, err := base64.StdEncoding.DecodeString(f["signature"])
	if err != nil {
		return fmt.Errorf("signature: %v", err)
	}
	d := sha256.Sum256([]byte("GET\n" + requestURI + "\n" + f["timestamp"] + "\n" + f["nonce_str"] + "\n\n"))
	if err := rsa.VerifyPKCS1v15(&c.k.merchant.PublicKey, crypto.SHA256, d[:], sig); err != nil {
		return fmt.Errorf("the request signature does not verify with the merchant key: %v", err)
	}
	return nil
}
