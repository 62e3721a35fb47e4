package transport

import (
	"errors"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// paramCheck is a parameter of an operation of openapi.yaml with its schema compiled once
// per process, replacing kin-openapi's ValidateParameter on every call (which decoded the
// value and built validation settings each time: 10 allocations per call). Only string
// parameters in the path or query are implemented — all openapi.yaml has; another kind
// fails at start-up, not silently.
type paramCheck struct {
	p      *openapi3.Parameter
	schema *jsonSchema
}

var errRequired = errors.New("required but missing")

func compileParam(p *openapi3.Parameter) (paramCheck, error) {
	switch {
	case p.In != openapi3.ParameterInQuery && p.In != openapi3.ParameterInPath:
		return paramCheck{}, fmt.Errorf("parameter %s in %s: only query and path parameters are implemented", p.Name, p.In)
	case p.Schema == nil || p.Schema.Value == nil || p.Content != nil:
		return paramCheck{}, fmt.Errorf("parameter %s: only parameters with a schema are implemented", p.Name)
	}
	s, err := compileSchema(p.Schema.Value)
	if err != nil {
		return paramCheck{}, fmt.Errorf("parameter %s: %w", p.Name, err)
	}
	if s.typ != "string" || s.nullable {
		return paramCheck{}, fmt.Errorf("parameter %s: only string parameters are implemented", p.Name)
	}
	return paramCheck{p: p, schema: s}, nil
}

// check checks a parameter's value; present is false when the request does not give it.
func (c paramCheck) check(v string, present bool) error {
	if !present {
		if c.p.Required {
			return errRequired
		}
		return nil
	}
	return c.schema.checkString(v)
}

// checkParams checks every parameter of c's operation against its schema.
func (c *call) checkParams() error {
	for i, pc := range c.op.params {
		if err := pc.check(c.vals[i], c.given[i]); err != nil {
			return inputError(c.op.id, pc.p, err)
		}
	}
	return nil
}
