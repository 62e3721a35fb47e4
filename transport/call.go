package transport

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxParams bounds the parameters of one operation (path and query together), which a
// call holds inline: the operations of openapi.yaml have a handful, and loadOperations
// refuses an operation with more.
const maxParams = 8

// call is a request matched to its operation, with its parameters read once: the value it
// gives each parameter of the operation, indexed like op.params — a path parameter
// unescaped, a query parameter unescaped as url.ParseQuery unescapes it.
type call struct {
	op    *operation
	vals  [maxParams]string
	given [maxParams]bool

	sealed [maxParams]sealedParam // encrypted's result, held here rather than allocated
}

// sealedParam is a query parameter marked x-wechatpay-encrypted and the value a call gives it.
type sealedParam struct{ name, value string }

// paramIndex returns the index in op.params of the parameter name located in ("path" or
// "query"), or -1. The spec's rules that name a parameter (echo, rate limit) are resolved
// with it once per process; a call's value of parameter i is then c.vals[i].
func (op *operation) paramIndex(in, name string) int {
	return slices.IndexFunc(op.params, func(c paramCheck) bool { return c.p.In == in && c.p.Name == name })
}

// check finds req's operation and checks the request against openapi.yaml before any I/O:
// every parameter against its schema, and path parameters that would change the path.
// It is small enough to be inlined, so the call stays in the caller's frame when it does
// not escape there.
func (ops *operations) check(req *http.Request) (*call, error) {
	c := new(call)
	if err := ops.checkInto(req, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (ops *operations) checkInto(req *http.Request, c *call) error {
	if req.URL.Opaque != "" { // sent instead of the path checked here (url.URL.RequestURI)
		return &InputError{Reason: "the URL has an opaque part (url.URL.Opaque), which would be sent instead of its path: build the URL with url.Parse or the generated client"}
	}
	path := req.URL.EscapedPath()
	if !ops.match(req.Method, path, c) {
		return &InputError{Reason: fmt.Sprintf("%s %s is not an operation of openapi.yaml "+
			"(a path parameter containing \"/\", \"..\" or \"?\" changes the path)", req.Method, path)}
	}
	// What is sent is exactly what is checked: the request target (target.go).
	if err := c.checkTarget(path, req.URL.RawQuery); err != nil {
		return err
	}
	return c.checkParams()
}

// encrypted returns the call's values of parameters marked x-wechatpay-encrypted.
func (c *call) encrypted() []sealedParam {
	sealed := c.sealed[:0]
	for _, i := range c.op.encrypted {
		if c.given[i] && c.vals[i] != "" {
			sealed = append(sealed, sealedParam{name: c.op.params[i].p.Name, value: c.vals[i]})
		}
	}
	return sealed
}

// checkEncrypted rejects an encrypted parameter that is not one RSA ciphertext for a key of size bytes.
func (c *call) checkEncrypted(encrypted []sealedParam, size int) error {
	for _, e := range encrypted {
		if !looksEncrypted(e.value, size) {
			return &InputError{Operation: c.op.id, Parameter: e.name, In: openapi3.ParameterInQuery,
				Reason: "must be encrypted (x-wechatpay-encrypted in openapi.yaml): pass the plaintext through (*Transport).Encrypt"}
		}
	}
	return nil
}
