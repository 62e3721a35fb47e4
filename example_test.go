package wxpay_test

import (
	"context"
	"errors"
	"fmt"
	"log"

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
	if err := errors.Join(err1, err2); err != nil {
		log.Fatal(err) // says which file to fix
	}
	client, err := wxpay.NewClient("https://api.mch.weixin.qq.com", transport.Config{MchID: "1900000001",
		CertificateSerialNo: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", PrivateKey: key,
		WechatPayPublicKeyID: "PUB_KEY_ID_0114232134912410000000000000", WechatPayPublicKey: wechatPay})
	if err != nil {
		log.Fatal(err) // says which field to fix
	}

	bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil))
	if err != nil {
		log.Fatal(err) // *wxpay.APIError, *wxpay.VerificationError, *wxpay.InputError, …
	}
	fmt.Println("available (fen):", bal.AvailableAmount)

	account, err := client.Encrypt("8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f")
	if err != nil {
		log.Fatal(err)
	}
	quota, err := wxpay.Result(client.QueryAccountBalanceWithResponse(ctx,
		&generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: account}))
	if err != nil {
		log.Fatal(err)
	}
	if quota.Balance != nil { // optional in the spec
		fmt.Println("channel quota:", *quota.Balance)
	}
}

// ConfigFromEnv reads the WXPAY_* settings, here from the .env file that wxpay mock
// writes (pass os.LookupEnv to read the process environment instead). Compiled, not run.
func ExampleConfigFromEnv() {
	env, err := wxpay.LoadEnvFile("wxpay-mock/.env")
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := wxpay.ConfigFromEnv(env.Lookup)
	if err != nil {
		log.Fatal(err) // a *wxpay.EnvError naming the variable to set
	}
	client, err := wxpay.NewClient(cfg.BaseURL, cfg.Transport)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
}
