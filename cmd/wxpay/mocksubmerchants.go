package main

import (
	"hash/fnv"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// loadSubMerchants gives the mock every sub-merchant listed in file (one ID per line, or
// a CSV with a sub_mchid column), each with a BASIC account whose amounts follow from its
// ID: the same file gives the same balances on every run. Rows openapi.yaml refuses are
// skipped: no client could ask for them.
func loadSubMerchants(srv *wxpaytest.Server, file string) error {
	layout := ecommerceLayout
	layout.flag = "--sub-merchants"
	in, err := openBulkInput(layout.flag, file, nil)
	if err != nil {
		return err
	}
	defer in.Close()
	doc, err := specDoc()
	if err != nil {
		return err
	}
	return eachRow(in, layout, func(row *bulkRow) error {
		if !checkRow(doc, layout, row) {
			return nil
		}
		id := row.values["sub_mchid"]
		h := fnv.New64a()
		_, _ = h.Write([]byte(id))
		sum := h.Sum64()
		srv.SetECommerceBalance(id, generated.AccountTypeBasic, int64(sum%10_000_000), int64(sum/10_000_000%10_000))
		return nil
	})
}
