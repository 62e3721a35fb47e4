package wxpay_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// Every error type and Reason value of package transport has an alias in package wxpay, so
// errors.As needs one import (ExampleResult_errors shows each in use).
func TestErrorAliasesComplete(t *testing.T) {
	names := func(path string) map[string]bool {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, s := range g.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					out[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						out[n.Name] = true
					}
				}
			}
		}
		return out
	}
	root := names("errors.go")
	root["APIError"] = names("result.go")["APIError"]
	for name := range names("transport/errors.go") {
		if ast.IsExported(name) && (strings.HasSuffix(name, "Error") || strings.HasPrefix(name, "Reason")) && !root[name] {
			t.Errorf("transport.%s has no alias in package wxpay (errors.go)", name)
		}
	}
}
