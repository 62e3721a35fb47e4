package transport

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// kinParamAccepts is the check the compiled one replaced: kin-openapi's ValidateParameter.
func kinParamAccepts(op *operation, p *openapi3.Parameter, v string, present bool) bool {
	path, q := map[string]string{}, url.Values{}
	if present {
		if p.In == openapi3.ParameterInPath {
			path[p.Name] = v
		} else {
			q.Set(p.Name, v)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "https://h/?"+q.Encode(), nil)
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: path, QueryParams: q, Route: op.route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	return openapi3filter.ValidateParameter(context.Background(), in, p) == nil
}

// The compiled parameter check never accepts a value kin-openapi's ValidateParameter
// refuses, accepts the documented examples, and names the parameter when it refuses.
func TestCompiledParamsNoLaxerThanKinOpenAPI(t *testing.T) {
	ops, err := sharedOperations()
	if err != nil {
		t.Fatal(err)
	}
	values := []string{"", " ", "1900000109", "1900016681", "BASIC", "FEES", "OPERATION", "DEPOSIT", "basic", "BASIC ", "GOLD",
		strings.Repeat("1", 32), strings.Repeat("1", 33), strings.Repeat("商", 32), strings.Repeat("商", 33),
		strings.Repeat("A", 1024), strings.Repeat("A", 1025), "a,b", "a&b=c", "\x00", "\xff\xfe", "null", "[]", "{}", "1", "true"}
	checked := 0
	for _, op := range ops.list {
		for _, c := range op.params {
			for _, present := range []bool{false, true} {
				for _, v := range values {
					ours, kin := c.check(v, present), kinParamAccepts(op, c.p, v, present)
					if ours == nil && !kin {
						t.Errorf("%s %s=%q (present %v): the compiled check accepts what kin-openapi refuses", op.id, c.p.Name, v, present)
					}
					if ours != nil {
						if ie := inputError(op.id, c.p, ours); ie.Parameter != c.p.Name || ie.Reason == "" || ie.Reason == "invalid value" {
							t.Errorf("%s %s=%q: unclear error %+v", op.id, c.p.Name, v, ie)
						}
					}
					checked++
					if !present {
						break
					}
				}
			}
			if ex, ok := c.p.Example.(string); ok {
				if err := c.check(ex, true); err != nil {
					t.Errorf("%s: openapi.yaml's example %s=%q refused: %v", op.id, c.p.Name, ex, err)
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d values checked", checked)
	}
}
