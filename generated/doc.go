// Package generated is the WeChat Pay balance API as openapi.yaml describes it: the models
// (ECommerceBalance, AccountBalance, AccountType, …), a client with one method per
// operation (QueryECommerceBalanceWithResponse, QueryAccountBalanceWithResponse,
// ListCertificatesWithResponse), and the operationIds as constants (OpQueryECommerceBalance,
// …). Every *.gen.go file here is generated from openapi.yaml by `make generate`
// (oapi-codegen, through the user templates in templates/, and internal/genops for the
// constants) and is never edited by hand; generated/server's GetSpec returns this package's
// embedded spec.
//
// The client does not sign or verify by itself: build it with wxpay.NewClient, or give it a
// transport.Transport with WithHTTPClient, and turn its answers into a verified body or one
// error with wxpay.Result:
//
//	client, err := wxpay.NewClient("", cfg) // "" is openapi.yaml's first server
//	...
//	bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil))
package generated
