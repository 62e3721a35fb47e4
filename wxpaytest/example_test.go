package wxpaytest_test

import (
	"context"
	"fmt"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// A test against the fake: set a balance, queue a fault, call through the real transport.
func Example() {
	srv := wxpaytest.NewServer()
	defer srv.Close()
	srv.SetECommerceBalance("1900000200", generated.AccountTypeBasic, 2500, 0)
	srv.QueueFault(wxpaytest.Fault{Status: 500}) // the transport retries it

	c, _ := generated.NewClientWithResponses(srv.URL, generated.WithHTTPClient(srv.Client()))
	r, err := c.QueryECommerceBalanceWithResponse(context.Background(), "1900000200", nil)
	fmt.Println(r.JSON200.AvailableAmount, err, len(srv.Requests()), srv.Requests()[1].Attempt)
	// Output: 2500 <nil> 2 2
}
