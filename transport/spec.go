package transport

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/wxpay-oapi/wxpay/internal/specdoc"
	"github.com/wxpay-oapi/wxpay/protocol"
)

// operation is one operation of the embedded openapi.yaml, prepared for matching and checks.
type operation struct {
	id        string
	route     *routers.Route
	segments  []string            // the path template split on "/"; "{name}" segments are parameters
	segParam  []int               // for each segment, the index in params of the path parameter it holds, or -1
	encrypted []int               // the indices in params of query parameters marked x-wechatpay-encrypted
	okSchemas map[int]*jsonSchema // the JSON schema of each 2xx answer, by status, compiled
	rate      *rateRule           // x-wechatpay-rate-limit; nil when the operation has none
	params    []paramCheck        // every parameter, compiled

	echo       map[int][]echoRule // x-wechatpay-echo of each 2xx answer's schema, by status
	errorShape []string           // the required properties of the operation's error answers
}

// operations is the route table built once from the embedded spec.
type operations struct {
	doc             *openapi3.T
	list            []*operation
	primary, backup *url.URL                 // openapi.yaml's first two servers: nearest and backup access points
	rules           map[*operation]*rateRule // openapi.yaml's rate limits, for a Config without RateLimits
}

// sharedOperations parses and validates the embedded openapi.yaml once per process: every
// Transport shares the result, which nothing modifies after it is built, so one more
// merchant costs only its own identity (BenchmarkNewTransports).
var sharedOperations = sync.OnceValues(loadOperations)

func loadOperations() (*operations, error) {
	doc, err := specdoc.Load() // shared with the root package and the CLI: read, never modified
	if err != nil {
		return nil, fmt.Errorf("transport: %w", err)
	}
	ops := &operations{doc: doc}
	if len(doc.Servers) >= 2 {
		ops.primary, _ = url.Parse(doc.Servers[0].URL)
		ops.backup, _ = url.Parse(doc.Servers[1].URL)
	}
	paths := doc.Paths.InMatchingOrder()
	for _, path := range paths {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			o := &operation{
				id:       op.OperationID,
				route:    &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
				segments: strings.Split(path, "/"),
			}
			if o.rate, err = rateRuleOf(op); err != nil {
				return nil, err
			}
			for _, p := range op.Parameters {
				pc, err := compileParam(p.Value)
				if err != nil {
					return nil, fmt.Errorf("transport: %s in openapi.yaml: %w", o.id, err)
				}
				if p.Value.In == openapi3.ParameterInQuery && p.Value.Extensions[protocol.ExtEncrypted] == true {
					o.encrypted = append(o.encrypted, len(o.params))
				}
				o.params = append(o.params, pc)
			}
			if err := o.indexPathParams(); err != nil {
				return nil, err
			}
			if err := o.rate.resolve(o); err != nil {
				return nil, err
			}
			o.okSchemas = make(map[int]*jsonSchema)
			for code, r := range op.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil || status < 200 || status > 299 || r.Value == nil {
					continue
				}
				if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
					if o.okSchemas[status], err = compileSchema(mt.Schema.Value); err != nil {
						return nil, fmt.Errorf("transport: the HTTP %d answer of %s in openapi.yaml: %w", status, o.id, err)
					}
				}
			}
			if err := o.prepareAnswers(op); err != nil {
				return nil, err
			}
			ops.list = append(ops.list, o)
		}
	}
	// Literal paths before templated ones, so /a/b wins over /a/{x}.
	sort.SliceStable(ops.list, func(i, j int) bool {
		return strings.Count(ops.list[i].route.Path, "{") < strings.Count(ops.list[j].route.Path, "{")
	})
	if ops.rules, err = ops.rateRules(nil); err != nil {
		return nil, err
	}
	return ops, nil
}

// match finds the operation for a method and escaped path, storing it and its path
// parameters (unescaped) in c.
func (ops *operations) match(method, escapedPath string, c *call) bool {
	var buf [16]string // on the stack: paths of openapi.yaml have a handful of segments
	segs := appendSplit(buf[:0], escapedPath, '/')
	for _, op := range ops.list {
		if op.route.Method != method || len(op.segments) != len(segs) || !op.matchLiterals(segs) {
			continue
		}
		*c = call{op: op}
		ok := true
		for i, p := range op.segParam {
			if p < 0 {
				continue
			}
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				ok = false
				break
			}
			c.vals[p], c.given[p] = v, true
		}
		if ok {
			return true
		}
	}
	*c = call{}
	return false
}

// matchLiterals reports whether the segments of a path equal op's template outside its parameters.
func (op *operation) matchLiterals(segs []string) bool {
	for i, t := range op.segments {
		if op.segParam[i] < 0 && t != segs[i] {
			return false
		}
	}
	return true
}

// indexPathParams finds the parameter of each "{name}" segment of op's path template, once
// per process, and refuses an operation with more parameters than a call holds.
func (op *operation) indexPathParams() error {
	if len(op.params) > maxParams {
		return fmt.Errorf("transport: %s in openapi.yaml: more than %d parameters are not implemented", op.id, maxParams)
	}
	op.segParam = make([]int, len(op.segments))
	for i, t := range op.segments {
		op.segParam[i] = -1
		if !strings.HasPrefix(t, "{") || !strings.HasSuffix(t, "}") {
			continue
		}
		op.segParam[i] = op.paramIndex(openapi3.ParameterInPath, t[1:len(t)-1])
		if op.segParam[i] < 0 {
			return fmt.Errorf("transport: %s in openapi.yaml: path parameter %s is not among the operation's parameters", op.id, t)
		}
	}
	return nil
}

// rateRules returns every operation's x-wechatpay-rate-limit, applying overrides by
// operationId; without overrides, the table shared by every Transport.
func (ops *operations) rateRules(overrides map[string]RateLimit) (map[*operation]*rateRule, error) {
	if len(overrides) == 0 && ops.rules != nil {
		return ops.rules, nil
	}
	rules := make(map[*operation]*rateRule)
	for _, op := range ops.list {
		r := op.rate
		if o, ok := overrides[op.id]; ok {
			r = &rateRule{limit: o} // a copy: op.rate is shared
			if op.rate != nil {
				r.param, r.in, r.index = op.rate.param, op.rate.in, op.rate.index
			}
		}
		if r != nil && r.limit.QPS > 0 {
			rules[op] = r
		}
	}
	for id := range overrides {
		if ops.byID(id) == nil {
			return nil, &ConfigError{Field: "RateLimits", Reason: fmt.Sprintf("%q is not an operationId of openapi.yaml", id)}
		}
	}
	return rules, nil
}

func (ops *operations) byID(id string) *operation {
	for _, op := range ops.list {
		if op.id == id {
			return op
		}
	}
	return nil
}

// inputError turns a parameter's check error into an InputError that names the parameter.
func inputError(opID string, p *openapi3.Parameter, err error) *InputError {
	reason := "invalid value"
	var se *schemaError
	switch {
	case errors.As(err, &se):
		reason = se.reason
	case errors.Is(err, errRequired):
		reason = errRequired.Error()
	}
	if p.Schema != nil && p.Schema.Value != nil {
		if s := p.Schema.Value; s.MaxLength != nil {
			reason += fmt.Sprintf(" (openapi.yaml: %d to %d characters)", s.MinLength, *s.MaxLength)
		}
	}
	return &InputError{Operation: opID, Parameter: p.Name, In: p.In, Reason: reason}
}

// looksEncrypted reports whether v is base64 of exactly one RSA ciphertext of size bytes.
func looksEncrypted(v string, size int) bool {
	if len(v) != base64.StdEncoding.EncodedLen(size) {
		return false
	}
	var buf [516]byte // on the stack: what an RSA-4096 ciphertext's base64 decodes into
	dst := buf[:]
	if n := base64.StdEncoding.DecodedLen(len(v)); n > len(dst) {
		dst = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(dst, stringBytes(v))
	return err == nil && n == size
}

// checkResponse validates a 2xx answer against the operation's response schema in
// openapi.yaml: a JSON content type and a body the schema accepts, which is an answer to
// this operation (not an error object, not a body with none of its properties: an
// *answerError). It returns the body as the validJSON it checked, for the echo check.
func (op *operation) checkResponse(resp *http.Response, body []byte) (validJSON, error) {
	schema := op.okSchemas[resp.StatusCode]
	if schema == nil {
		return validJSON{}, fmt.Errorf("HTTP %d is not an answer of %s in openapi.yaml", resp.StatusCode, op.id)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "json") {
		return validJSON{}, fmt.Errorf("Content-Type %q, want application/json", ct)
	}
	v, ok := asValidJSON(body)
	if !ok {
		return validJSON{}, errNotJSON
	}
	if err := op.notThisAnswer(schema, v); err != nil {
		return validJSON{}, err
	}
	return v, schema.checkValid(v)
}
