// Package specdoc is the embedded openapi.yaml, parsed and validated once per process for
// every package of this module that reads it — transport, the root package and the CLI —
// instead of once in each. The document is shared: no caller may modify it.
package specdoc

import (
	"context"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay/generated"
)

var load = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := generated.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("loading the embedded openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the embedded openapi.yaml is invalid: %w", err)
	}
	return doc, nil
})

// Load returns the parsed, validated openapi.yaml; every call returns the same document.
func Load() (*openapi3.T, error) { return load() }
