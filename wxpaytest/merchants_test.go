package wxpaytest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// A server answers every merchant added with AddMerchant, checks each one's requests
// against that merchant's own serial and key, and still refuses merchants it does not know.
func TestAddMerchant(t *testing.T) {
	srv := newTestServer(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	call := func(cfg transport.Config) *generated.QueryECommerceBalanceResponse {
		t.Helper()
		cfg.MaxAttempts = 1
		tr, err := transport.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(&http.Client{Transport: tr}))
		resp, err := c.QueryECommerceBalanceWithResponse(context.Background(), DemoSubMchID, nil)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	stranger := srv.TransportConfig()
	stranger.MchID, stranger.CertificateSerialNo, stranger.PrivateKey = "1900000777", "7777", key
	if resp := call(stranger); resp.StatusCode() != http.StatusUnauthorized || !strings.Contains(string(resp.Body), "not this server's merchant") {
		t.Fatalf("an unknown merchant got %d %s, want 401", resp.StatusCode(), resp.Body)
	}

	cfg, err := srv.AddMerchant("1900000777", "7777", key)
	if err != nil {
		t.Fatal(err)
	}
	if resp := call(cfg); resp.JSON200 == nil || resp.JSON200.AvailableAmount != 10000 {
		t.Fatalf("the added merchant got %d %s", resp.StatusCode(), resp.Body)
	}
	if resp := call(srv.TransportConfig()); resp.JSON200 == nil {
		t.Fatalf("the server's own merchant got %d %s", resp.StatusCode(), resp.Body)
	}

	wrongSerial := cfg
	wrongSerial.CertificateSerialNo = "8888"
	if resp := call(wrongSerial); resp.StatusCode() != http.StatusUnauthorized || !strings.Contains(string(resp.Body), "serial_no") {
		t.Errorf("a wrong serial got %d %s, want 401", resp.StatusCode(), resp.Body)
	}
	wrongKey := cfg
	wrongKey.PrivateKey = srv.Keys().MerchantKey // the server's own merchant's key, not this merchant's
	if resp := call(wrongKey); resp.StatusCode() != http.StatusUnauthorized || !strings.Contains(string(resp.Body), "signature") {
		t.Errorf("another merchant's key got %d %s, want 401", resp.StatusCode(), resp.Body)
	}

	for _, bad := range []struct {
		mchID, serial string
		key           *rsa.PrivateKey
	}{
		{"1900000777", "7777", key},               // already added
		{srv.Keys().MchID, "7777", key},           // the server's own
		{"", "7777", key},                         // empty
		{"19000 00778", "7777", key},              // space
		{"1900000778", `77"77`, key},              // quote
		{"1900000778", "7777", nil},               // no key
		{"1900000778", "7777", &rsa.PrivateKey{}}, // no modulus
	} {
		if _, err := srv.AddMerchant(bad.mchID, bad.serial, bad.key); err == nil {
			t.Errorf("AddMerchant(%q, %q) accepted", bad.mchID, bad.serial)
		}
	}
}
