package wxpay_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// This is the README's example: both balance queries, signed and verified. It is compiled
// (and kept identical to README.md by TestREADMEExample) but not run: it needs real keys.
func Example() {
	ctx := context.Background()
	key, err1 := transport.LoadPrivateKeyFile("apiclient_key.pem")
	wechatPay, err2 := transport.LoadPublicKeyFile("pub_key.pem")
	tr, err3 := transport.New(transport.Config{MchID: "1900000001", CertificateSerialNo: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
		PrivateKey: key, WechatPayPublicKeyID: "PUB_KEY_ID_0114232134912410000000000000", WechatPayPublicKey: wechatPay})
	if err := errors.Join(err1, err2, err3); err != nil {
		log.Fatal(err) // says which file or field to fix
	}
	client, _ := generated.NewClientWithResponses("https://api.mch.weixin.qq.com", // errs only for a malformed URL
		generated.WithHTTPClient(&http.Client{Transport: tr}))

	bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil))
	if err != nil {
		log.Fatal(err) // *wxpay.APIError, *transport.VerificationError, *transport.InputError, …
	}
	fmt.Println("available (fen):", bal.AvailableAmount)

	account, err := tr.Encrypt("8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f")
	if err != nil {
		log.Fatal(err)
	}
	quota, err := wxpay.Result(client.QueryAccountBalanceWithResponse(ctx,
		&generated.QueryAccountBalanceParams{Mchid: "1900016681", BalAccountNo: account}))
	if err != nil {
		log.Fatal(err)
	}
	if quota.Balance != nil { // optional in the spec
		fmt.Println("channel quota:", *quota.Balance)
	}
}
