package wxpaytest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/wxpay-oapi/wxpay/generated/server"
)

// extEncrypted marks a parameter sent encrypted (RSA-OAEP under the Wechatpay-Serial key).
const extEncrypted = "x-wechatpay-encrypted"

// extErrors lists a response's documented error codes and descriptions.
const extErrors = "x-wechatpay-errors"

// extDefault is the value openapi.yaml assumes for an omitted optional parameter (labelled
// as on no page by x-wechatpay-source).
const extDefault = "x-wechatpay-default"

// apiSpec is the embedded openapi.yaml, prepared for routing and validation.
type apiSpec struct {
	doc      *openapi3.T
	router   routers.Router
	errors   errorTable
	defaults paramDefaults
	ops      []string // the operationIds, sorted
}

// paramDefaults holds the x-wechatpay-default of each operation's parameters:
// operationId → parameter name → value.
type paramDefaults map[string]map[string]string

// newParamDefaults reads every x-wechatpay-default of doc.
func newParamDefaults(doc *openapi3.T) paramDefaults {
	out := paramDefaults{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, p := range slices.Concat(item.Parameters, op.Parameters) {
				if p.Value == nil {
					continue
				}
				if v, ok := p.Value.Extensions[extDefault].(string); ok {
					if out[op.OperationID] == nil {
						out[op.OperationID] = map[string]string{}
					}
					out[op.OperationID][p.Value.Name] = v
				}
			}
		}
	}
	return out
}

// validation options: Authorization and Wechatpay-Serial are checked before validation runs.
var (
	requestOptions  = &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	responseOptions = &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
)

func loadSpec() (*apiSpec, error) {
	doc, err := server.GetSpec()
	if err != nil {
		return nil, fmt.Errorf("wxpaytest: loading the embedded openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("wxpaytest: the embedded openapi.yaml is invalid: %w", err)
	}
	// Route on the path alone: the fake answers on any host (primary, backup, loopback).
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("wxpaytest: routing openapi.yaml: %w", err)
	}
	return &apiSpec{doc: doc, router: router, errors: newErrorTable(doc), defaults: newParamDefaults(doc), ops: operationIDs(doc)}, nil
}

// operationIDs lists doc's operationIds, sorted.
func operationIDs(doc *openapi3.T) []string {
	var ids []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	slices.Sort(ids)
	return ids
}

// route finds the operation of a request. When there is none, allowed lists the methods
// that the path does have (empty: the path is not in the spec).
func (s *apiSpec) route(r *http.Request) (route *routers.Route, pathParams map[string]string, allowed []string) {
	route, pathParams, err := s.router.FindRoute(r)
	if err == nil {
		return route, pathParams, nil
	}
	probe := *r
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe.Method = m
		if _, _, err := s.router.FindRoute(&probe); err == nil {
			allowed = append(allowed, m)
		}
	}
	return nil, nil, allowed
}

// encryptedParams returns the parameters of an operation marked x-wechatpay-encrypted.
func encryptedParams(route *routers.Route) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range params {
			if p.Value != nil && p.Value.Extensions[extEncrypted] == true {
				out = append(out, p.Value)
			}
		}
	}
	return out
}

// serialScheme is the security scheme of the Wechatpay-Serial header in openapi.yaml.
const serialScheme = "WechatPaySerial"

// requiresSerial reports whether every security requirement of an operation (its own, else
// the document's) includes Wechatpay-Serial.
func requiresSerial(route *routers.Route) bool {
	reqs := route.Spec.Security
	if route.Operation.Security != nil {
		reqs = *route.Operation.Security
	}
	if len(reqs) == 0 {
		return false
	}
	for _, req := range reqs {
		if _, ok := req[serialScheme]; !ok {
			return false
		}
	}
	return true
}

// paramError is a request that the spec rejects: 400 PARAM_ERROR naming the parameter.
type paramError struct {
	Name, In, Value, Issue string
}

func (e *paramError) Error() string {
	if e.Name == "" {
		return e.Issue
	}
	return fmt.Sprintf("%s parameter %q: %s", e.In, e.Name, e.Issue)
}

// validateRequest checks a request's parameters against the operation's schema.
func validateRequest(r *http.Request, route *routers.Route, pathParams map[string]string) error {
	// No parameter of openapi.yaml is an array: a repeated or unparsable query is ambiguous.
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return &paramError{In: "query", Issue: "the query string cannot be parsed (\";\" separator or bad %-escape)"}
	}
	for name, vals := range q {
		if len(vals) > 1 {
			return &paramError{Name: name, In: "query", Issue: fmt.Sprintf("given %d times; send each parameter once", len(vals))}
		}
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: pathParams, Route: route, Options: requestOptions}
	err = openapi3filter.ValidateRequest(r.Context(), in)
	if err == nil {
		return nil
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Parameter != nil {
		pe := &paramError{Name: re.Parameter.Name, In: re.Parameter.In, Issue: re.Reason}
		var se *openapi3.SchemaError
		switch {
		case errors.As(err, &se):
			pe.Issue = se.Reason
		case errors.Is(err, openapi3filter.ErrInvalidRequired):
			pe.Issue = "required but missing"
		case pe.Issue == "" && re.Err != nil:
			pe.Issue = re.Err.Error()
		}
		if pe.Issue == "" {
			pe.Issue = "invalid value"
		}
		if re.Parameter.Extensions[extEncrypted] != true {
			pe.Value = paramValue(r, pathParams, re.Parameter)
		}
		return pe
	}
	if errors.As(err, &re) {
		return &paramError{Issue: re.Error()}
	}
	return &paramError{Issue: err.Error()}
}

func paramValue(r *http.Request, pathParams map[string]string, p *openapi3.Parameter) string {
	var v string
	switch p.In {
	case openapi3.ParameterInPath:
		v = pathParams[p.Name]
	case openapi3.ParameterInQuery:
		v = r.URL.Query().Get(p.Name)
	case openapi3.ParameterInHeader:
		v = r.Header.Get(p.Name)
	}
	return truncate(v, 128)
}

// validateResponse checks the server's own answer against the operation's responses.
func validateResponse(r *http.Request, route *routers.Route, status int, header http.Header, body []byte) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, Route: route, Options: responseOptions},
		Status:                 status,
		Header:                 header,
		Options:                responseOptions,
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(r.Context(), in)
}
