package specdiff

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// specError is one entry of a response's x-wechatpay-errors list.
type specError struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Solution    string `json:"solution"`
	Source      string `json:"source"`
}

// errorKeys are the keys an x-wechatpay-errors entry may have.
var errorKeys = map[string]bool{"code": true, "description": true, "solution": true, "source": true, "scope": true}

// oddKeys returns, for each x-wechatpay-errors entry of status, the keys it should
// not have — the mark of an unquoted comma inside a YAML flow mapping.
func (s *specOp) oddKeys(status int) map[int][]string {
	if s.op.Responses == nil {
		return nil
	}
	r := s.op.Responses.Value(strconv.Itoa(status))
	if r == nil || r.Value == nil {
		return nil
	}
	var rows []map[string]any
	ext(r.Value.Extensions, "x-wechatpay-errors", &rows)
	out := map[int][]string{}
	for i, row := range rows {
		for _, k := range sortedKeys(row) {
			if !errorKeys[k] {
				out[i] = append(out[i], k)
			}
		}
	}
	return out
}

// specRateLimit is an operation's x-wechatpay-rate-limit.
type specRateLimit struct {
	QPS         float64 `json:"qps"`
	Key         string  `json:"key"`
	In          string  `json:"in"`
	Description string  `json:"description"`
}

// ext decodes extension name of exts into out and reports whether it was present
// and decodable.
func ext(exts map[string]any, name string, out any) bool {
	v, ok := exts[name]
	if !ok || v == nil {
		return false
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return false
	}
	return json.Unmarshal(raw, out) == nil
}

// specOp is an operation found in the spec, with what it inherits.
type specOp struct {
	name string
	item *openapi3.PathItem
	op   *openapi3.Operation
}

var templateRE = regexp.MustCompile(`\{[^{}]*\}`)

// findOp returns the spec's operation for method and path; path templates match
// whatever their parameter names.
func findOp(doc *openapi3.T, method, path string) *specOp {
	if doc.Paths == nil {
		return nil
	}
	keys := doc.Paths.InMatchingOrder()
	sort.Strings(keys)
	for _, exact := range []bool{true, false} {
		for _, k := range keys {
			if exact && k != path || !exact && templateRE.ReplaceAllString(k, "{}") != templateRE.ReplaceAllString(path, "{}") {
				continue
			}
			item := doc.Paths.Value(k)
			if item == nil {
				continue
			}
			if op := item.GetOperation(method); op != nil {
				name := op.OperationID
				if name == "" {
					name = method + " " + k
				}
				return &specOp{name: name, item: item, op: op}
			}
		}
	}
	return nil
}

// param returns the operation's parameter in/name (operation level first).
func (s *specOp) param(in, name string) *openapi3.Parameter {
	for _, ps := range []openapi3.Parameters{s.op.Parameters, s.item.Parameters} {
		for _, ref := range ps {
			if ref == nil || ref.Value == nil {
				continue
			}
			if ref.Value.In == in && (ref.Value.Name == name || in == "header" && strings.EqualFold(ref.Value.Name, name)) {
				return ref.Value
			}
		}
	}
	return nil
}

// params returns every parameter of the operation (operation level first).
func (s *specOp) params() []*openapi3.Parameter {
	var out []*openapi3.Parameter
	seen := map[string]bool{}
	for _, ps := range []openapi3.Parameters{s.op.Parameters, s.item.Parameters} {
		for _, ref := range ps {
			if ref == nil || ref.Value == nil || seen[ref.Value.In+" "+ref.Value.Name] {
				continue
			}
			seen[ref.Value.In+" "+ref.Value.Name] = true
			out = append(out, ref.Value)
		}
	}
	return out
}

// bodySchema returns the application/json request body schema, or nil.
func (s *specOp) bodySchema() *openapi3.Schema {
	if s.op.RequestBody == nil || s.op.RequestBody.Value == nil {
		return nil
	}
	return jsonSchema(s.op.RequestBody.Value.Content)
}

// successSchema returns the JSON schema of the first 2xx response and its status,
// or nil.
func (s *specOp) successSchema() (*openapi3.Schema, string) {
	if s.op.Responses == nil {
		return nil, ""
	}
	keys := s.op.Responses.Keys()
	sort.Strings(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, "2") {
			continue
		}
		r := s.op.Responses.Value(k)
		if r == nil || r.Value == nil {
			continue
		}
		return jsonSchema(r.Value.Content), k
	}
	return nil, ""
}

// jsonSchema returns the schema of content's JSON media type, or nil.
func jsonSchema(c openapi3.Content) *openapi3.Schema {
	for _, mt := range []string{"application/json", "application/json; charset=utf-8"} {
		if m := c.Get(mt); m != nil && m.Schema != nil {
			return m.Schema.Value
		}
	}
	return nil
}

// errors returns the x-wechatpay-errors of the operation's response for status,
// and whether the operation has a response for that status at all.
func (s *specOp) errors(status int) ([]specError, bool) {
	if s.op.Responses == nil {
		return nil, false
	}
	r := s.op.Responses.Value(strconv.Itoa(status))
	if r == nil {
		r = s.op.Responses.Value(strconv.Itoa(status/100) + "XX")
	}
	if r == nil || r.Value == nil {
		return nil, false
	}
	var out []specError
	ext(r.Value.Extensions, "x-wechatpay-errors", &out)
	return out, true
}

// allErrors returns every x-wechatpay-errors row of the operation by status.
func (s *specOp) allErrors() map[int][]specError {
	out := map[int][]specError{}
	if s.op.Responses == nil {
		return out
	}
	for _, k := range s.op.Responses.Keys() {
		st, err := strconv.Atoi(k)
		if err != nil {
			continue
		}
		out[st], _ = s.errors(st)
	}
	return out
}

// headerScheme reports whether a security scheme the operation requires is sent
// in header name.
func headerScheme(doc *openapi3.T, s *specOp, name string) bool {
	reqs := doc.Security
	if s.op.Security != nil {
		reqs = *s.op.Security
	}
	for _, req := range reqs {
		for scheme := range req {
			if doc.Components == nil {
				continue
			}
			ref := doc.Components.SecuritySchemes[scheme]
			if ref == nil || ref.Value == nil {
				continue
			}
			v := ref.Value
			if v.Type == "apiKey" && v.In == "header" && strings.EqualFold(v.Name, name) {
				return true
			}
			if strings.EqualFold(name, "Authorization") && (v.Type == "http" || v.Type == "oauth2" || v.Type == "openIdConnect") {
				return true
			}
		}
	}
	return false
}

// servers returns the server URLs that apply to the operation, without trailing '/'.
func servers(doc *openapi3.T, s *specOp) []string {
	list := doc.Servers
	if len(s.item.Servers) > 0 {
		list = s.item.Servers
	}
	if s.op.Servers != nil && len(*s.op.Servers) > 0 {
		list = *s.op.Servers
	}
	var out []string
	for _, srv := range list {
		if srv != nil {
			out = append(out, strings.TrimRight(srv.URL, "/"))
		}
	}
	return out
}

// mentions reports whether the spec's own text (API, path or operation description)
// mentions s.
func mentions(doc *openapi3.T, op *specOp, s string) bool {
	texts := []string{op.op.Description, op.op.Summary, op.item.Description}
	if doc.Info != nil {
		texts = append(texts, doc.Info.Description)
	}
	for _, t := range texts {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// schemaType returns a schema's single type, or "".
func schemaType(s *openapi3.Schema) string {
	if s == nil || s.Type == nil {
		return ""
	}
	return strings.Join(s.Type.Slice(), "|")
}

// enumStrings returns a schema's enum values as strings, and their descriptions
// from x-enum-descriptions ("" where absent).
func enumStrings(s *openapi3.Schema) (values, descs []string) {
	if s == nil {
		return nil, nil
	}
	var d []string
	ext(s.Extensions, "x-enum-descriptions", &d)
	for i, v := range s.Enum {
		values = append(values, fmt.Sprint(v))
		if i < len(d) {
			descs = append(descs, d[i])
		} else {
			descs = append(descs, "")
		}
	}
	return values, descs
}
