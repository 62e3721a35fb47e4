package wxpay_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// TestResultRedactsQueryValues: when a call fails without an answer, net/http's *url.Error
// names the request URL; wxpay.Result replaces the values of fields openapi.yaml marks
// x-wechatpay-encrypted (bal_account_no's ciphertext) with REDACTED, and keeps the others
// (mchid), the path and the cause.
func TestResultRedactsQueryValues(t *testing.T) {
	k := keysFor(t)
	tr, err := transport.New(transport.Config{MchID: k.MchID, CertificateSerialNo: k.CertificateSerialNo, PrivateKey: k.MerchantKey,
		WechatPayPublicKeyID: k.PublicKeyID, WechatPayPublicKey: &k.WechatPayKey.PublicKey, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := generated.NewClientWithResponses(closedURL(t), generated.WithHTTPClient(&http.Client{Transport: tr}))
	ct, err := tr.Encrypt(secretAccount)
	if err != nil {
		t.Fatal(err)
	}
	_, err = wxpay.Result(c.QueryAccountBalanceWithResponse(context.Background(),
		&generated.QueryAccountBalanceParams{MchID: targetMchID, BalAccountNo: ct}))
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want a *url.Error (no answer from a closed port)", err)
	}
	for _, leaked := range []string{ct, url.QueryEscape(ct)} {
		if strings.Contains(err.Error(), leaked) {
			t.Errorf("error repeats a query value (%.20s…): %v", leaked, err)
		}
	}
	if !strings.Contains(err.Error(), "/v3/aggracct-bc/wb-channel/account/balance?bal_account_no=REDACTED&mchid="+targetMchID) {
		t.Errorf("want the path, bal_account_no REDACTED and mchid readable: %v", err)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" {
		t.Errorf("the cause, a refused connection, is gone: %v", err)
	}
}

// Only encrypted fields are hidden: the e-commerce query's sub-merchant and account type
// stay readable in an error.
func TestResultKeepsPlainQueryValues(t *testing.T) {
	k := keysFor(t)
	c, err := wxpay.NewClient(closedURL(t), transport.Config{MchID: k.MchID, CertificateSerialNo: k.CertificateSerialNo, PrivateKey: k.MerchantKey,
		WechatPayPublicKeyID: k.PublicKeyID, WechatPayPublicKey: &k.WechatPayKey.PublicKey, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	basic := generated.AccountTypeBasic
	_, err = wxpay.Result(c.QueryECommerceBalanceWithResponse(context.Background(), "1900000109", &generated.QueryECommerceBalanceParams{AccountType: &basic}))
	if err == nil || !strings.Contains(err.Error(), "/balance/1900000109?account_type=BASIC") {
		t.Errorf("want the URL readable: %v", err)
	}
}
