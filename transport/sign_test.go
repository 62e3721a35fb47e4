package transport

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/protocol"
)

func TestRequestMessageLayout(t *testing.T) {
	got := string(protocol.RequestMessage("GET", "/v3/ecommerce/fund/balance/1900000109?account_type=BASIC", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", nil))
	want := "GET\n/v3/ecommerce/fund/balance/1900000109?account_type=BASIC\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := string(protocol.ResponseMessage("1554208460", "N", []byte(`{"a":1}`))); got != "1554208460\nN\n{\"a\":1}\n" {
		t.Errorf("response message %q", got)
	}
}

func TestAuthorizationLayout(t *testing.T) {
	got := protocol.Authorization("1900000001", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", "593BEC0C930BF1AFEB40B4A08C8FB242", 1554208460, "c2ln")
	want := `WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="c2ln"`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestSignIsPKCS1v15SHA256(t *testing.T) {
	k := newKey(t)
	msg := protocol.RequestMessage("GET", "/v3/x", 1, "n", nil)
	sig, err := protocol.Sign(k, msg)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := protocol.Sign(k, msg)
	if sig != again {
		t.Error("PKCS#1 v1.5 signatures are deterministic; got two different ones")
	}
	raw, _ := base64.StdEncoding.DecodeString(sig)
	d := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, d[:], raw); err != nil {
		t.Errorf("crypto/rsa does not verify our signature: %v", err)
	}
}

func TestNonces(t *testing.T) {
	seen := make(map[string]bool)
	for i := 0; i < 10000; i++ {
		n, err := protocol.NewNonce(rand.Reader)
		if err != nil || len(n) != 32 || seen[n] {
			t.Fatalf("nonce %q (%v) is short or repeated", n, err)
		}
		seen[n] = true
	}
}

func TestVerifyResponseWithAFixedClock(t *testing.T) {
	k := newKey(t)
	now := time.Unix(1554208460, 0)
	body := []byte(`{"balance":1}`)
	sign := func(ts string) string {
		d := sha256.Sum256(protocol.ResponseMessage(ts, "N", body))
		s, _ := rsa.SignPKCS1v15(nil, k, crypto.SHA256, d[:])
		return base64.StdEncoding.EncodeToString(s)
	}
	keys := func(serial string) (*rsa.PublicKey, bool) { return &k.PublicKey, serial == "S" }
	header := func(ts string) http.Header {
		return http.Header{"Wechatpay-Timestamp": {ts}, "Wechatpay-Nonce": {"N"}, "Wechatpay-Signature": {sign(ts)}, "Wechatpay-Serial": {"S"}}
	}
	for _, tc := range []struct {
		name string
		ts   string
		want Reason
	}{
		{"now", "1554208460", ""},
		{"4m59s old", "1554208161", ""},
		{"5m01s old", "1554208159", ReasonStale},
		{"5m01s ahead", "1554208761", ReasonStale},
	} {
		err := VerifyResponse(keys, header(tc.ts), body, now)
		var ve *VerificationError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (!errors.As(err, &ve) || ve.Reason != tc.want):
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
		}
	}
}

func TestVerifyResponseRejectsLineBreaksInSignedHeaders(t *testing.T) {
	k := newKey(t)
	now := time.Unix(1554208460, 0)
	// A nonce "N\nX" with body "Y" signs the same bytes as nonce "N" with body "X\nY".
	d := sha256.Sum256(protocol.ResponseMessage("1554208460", "N", []byte("X\nY")))
	s, _ := rsa.SignPKCS1v15(nil, k, crypto.SHA256, d[:])
	h := http.Header{"Wechatpay-Timestamp": {"1554208460"}, "Wechatpay-Nonce": {"N\nX"},
		"Wechatpay-Signature": {base64.StdEncoding.EncodeToString(s)}, "Wechatpay-Serial": {"S"}}
	keys := func(string) (*rsa.PublicKey, bool) { return &k.PublicKey, true }
	if err := VerifyResponse(keys, h, []byte("Y"), now); err == nil {
		t.Fatal("a nonce with a line break verified")
	}
}
