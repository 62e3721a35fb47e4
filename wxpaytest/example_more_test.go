package wxpaytest_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// Faults: a 500 the transport retries away, then one on every attempt that reaches the
// caller, then a dropped connection; the request log shows what the server did.
func ExampleServer_QueueFault() {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	client, _ := wxpay.NewClientWithTransport(srv.URL, srv.Transport())
	ctx := context.Background()

	srv.QueueFault(wxpaytest.Fault{Operation: generated.OpQueryECommerceBalance, Status: 500})
	_, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, wxpaytest.DemoSubMchID, nil))
	fmt.Println("one 500:", err, "— attempts:", len(srv.Requests()))

	srv.QueueFault(wxpaytest.Fault{Status: 500, Times: wxpaytest.EveryAttempt})
	_, err = wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, wxpaytest.DemoSubMchID, nil))
	var apiErr *wxpay.APIError
	fmt.Println("every attempt:", errors.As(err, &apiErr), apiErr.StatusCode, apiErr.Code)
	srv.ClearFaults()

	srv.QueueFault(wxpaytest.Fault{Drop: true, Times: wxpaytest.EveryAttempt})
	_, err = wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, wxpaytest.DemoSubMchID, nil))
	fmt.Println("dropped:", errors.Is(err, io.EOF))
	srv.ClearFaults()
	// Output:
	// one 500: <nil> — attempts: 2
	// every attempt: true 500 SYSTEM_ERROR
	// dropped: true
}

// Transport gives the test's client what production code gets from wxpay.NewClient:
// Encrypt, for the channel-quota query's encrypted bal_account_no.
func ExampleServer_Transport() {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	client, _ := wxpay.NewClientWithTransport(srv.URL, srv.Transport())
	account, err := client.Encrypt(wxpaytest.DemoBalAccountNo)
	if err != nil {
		panic(err)
	}
	quota, err := wxpay.Result(client.QueryAccountBalanceWithResponse(context.Background(),
		&generated.QueryAccountBalanceParams{MchID: "1900016681", BalAccountNo: account}))
	fmt.Println(*quota.Balance, err, srv.Requests()[0].Decrypted["bal_account_no"] == wxpaytest.DemoBalAccountNo)
	// Output: 1 <nil> true
}
