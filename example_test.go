package wxpay_test

import (
	"context"
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
	key, err := transport.LoadPrivateKeyFile("apiclient_key.pem")
	if err != nil {
		log.Fatal(err)
	}
	wechatPay, err := transport.LoadPublicKeyFile("pub_key.pem")
	if err != nil {
		log.Fatal(err)
	}
	tr, err := transport.New(transport.Config{
		MchID:                "1900000001",
		CertificateSerialNo:  "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
		PrivateKey:           key,
		WechatPayPublicKeyID: "PUB_KEY_ID_0114232134912410000000000000",
		WechatPayPublicKey:   wechatPay,
	})
	if err != nil {
		log.Fatal(err)
	}
	client, err := generated.NewClientWithResponses("https://api.mch.weixin.qq.com",
		generated.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		log.Fatal(err)
	}

	basic := generated.AccountTypeBasic
	bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, "1900000109",
		&generated.QueryECommerceBalanceParams{AccountType: &basic}))
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
	fmt.Println("channel quota:", *quota.Balance)
}
