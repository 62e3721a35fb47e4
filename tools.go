//go:build tools

// Package tools pins the code generator's version in go.mod; it is never built.
package tools

import _ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
