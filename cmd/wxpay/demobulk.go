package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// demoBulkInput is the demo's --sub-mchids file: a few sub-merchants the server holds,
// one it does not know (403 NO_AUTH), and one row openapi.yaml refuses (never sent).
const demoBulkInput = `# sub-merchants of the platform, one per line
1900000109
1900000201
1900000202
1900000299
1900/0203
1900000203
`

// demoBulk shows a small bulk run: the demo's sub-merchants through the same machinery as
// "wxpay ecommerce-balance --sub-mchids FILE -o table", records and summary on w.
func demoBulk(ctx context.Context, p *demoPrinter, srv *wxpaytest.Server, w io.Writer) error {
	for i, id := range []string{"1900000201", "1900000202", "1900000203"} {
		srv.SetECommerceBalance(id, generated.AccountTypeBasic, int64(250000*(i+1)+i*37), int64(i*100))
	}
	p.line("")
	p.line("3. All sub-merchants at once (wxpay ecommerce-balance --sub-mchids FILE -o table)")
	p.step("→", "the file: %d lines, # comments skipped; every row checked against openapi.yaml before any request",
		strings.Count(demoBulkInput, "\n"))
	p.line("")
	if p.err != nil {
		return p.err
	}
	client, err := wxpay.NewClientWithTransport(srv.URL, srv.Transport())
	if err != nil {
		return err
	}
	b := &bulkRun{
		command: "ecommerce-balance", layout: ecommerceLayout, input: "-", format: formatTable,
		flags:   &bulkFlags{concurrency: 4, quiet: true},
		timeout: defaultTimeout, grace: defaultTimeout, interval: progressInterval,
		amountName: "available_amount", throttle: newThrottle(4),
	}
	b.query = b.queryECommerce(client)
	err = b.run(ctx, strings.NewReader(demoBulkInput), w, w)
	if _, failed := err.(*bulkFailedError); failed {
		err = nil // the unknown sub-merchant and the bad row are the point
	}
	if err != nil {
		return fmt.Errorf("the bulk run: %w", err)
	}
	p.line("")
	p.step("=", "one record per row, in input order; exit status 1 when any row failed, as here")
	return p.err
}
