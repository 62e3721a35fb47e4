// Package wxpay queries WeChat Pay APIv3 balances: the channel quota of a balance
// account and the real-time balance of an e-commerce sub-merchant.
//
// The API is described by openapi.yaml (embedded here, see [Spec]); package
// generated holds the client generated from it, and package transport signs every
// request and verifies every answer.
package wxpay

import _ "embed"

//go:embed openapi.yaml
var specYAML []byte

// Spec returns a copy of the embedded openapi.yaml, the contract every layer follows.
func Spec() []byte { return append([]byte(nil), specYAML...) }
