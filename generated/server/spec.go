package server

import (
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay/generated"
)

// GetSpec returns the parsed openapi.yaml this package was generated from. The spec is
// embedded once, in package generated (oapi-codegen.server.yaml turns embedded-spec off),
// so the client and the server never carry two copies that could drift apart.
func GetSpec() (*openapi3.T, error) { return generated.GetSpec() }
