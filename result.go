package wxpay

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/wxpay-oapi/wxpay/protocol"
	"github.com/wxpay-oapi/wxpay/transport"
)

// APIError is a non-2xx answer from WeChat Pay; see transport.APIError.
type APIError = transport.APIError

// Response is what every generated *WithResponse call returns: the decoded 200 body and the raw answer.
type Response[T any] interface {
	GetJSON200() *T
	StatusCode() int
	GetBody() []byte
}

// Result turns a generated client call into its verified 200 body or an error, so the
// common path is one check:
//
//	bal, err := wxpay.Result(client.QueryECommerceBalanceWithResponse(ctx, "1900000109", nil))
//	if err != nil { ... } // *transport.APIError, *transport.VerificationError, *transport.InputError, …
//
// A non-2xx answer becomes a *transport.APIError with WeChat Pay's code, message and Request-ID.
func Result[R Response[T], T any](resp R, err error) (*T, error) {
	if err != nil {
		return nil, redactURL(err)
	}
	if isNil(resp) {
		return nil, errors.New("wxpay: no response")
	}
	if code := resp.StatusCode(); code < 200 || code > 299 {
		return nil, transport.NewAPIError(code, headerOf(resp), resp.GetBody())
	}
	if v := resp.GetJSON200(); v != nil {
		return v, nil
	}
	return nil, errors.New("wxpay: the answer had no JSON body")
}

// CheckResponse returns nil for a 2xx answer and a *transport.APIError otherwise, reading
// (at most 64 KiB of) the body and putting it back so the caller can still read it.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return transport.NewAPIError(resp.StatusCode, resp.Header, body)
}

// redactURL replaces the values of sensitive fields — those openapi.yaml marks
// x-wechatpay-encrypted, encrypted or passed in plaintext by mistake — in the URL that
// net/http puts in a *url.Error. The other values (mchid, account_type, …) stay readable.
// A URL that does not parse loses its whole query.
func redactURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		ue.URL, _, _ = strings.Cut(ue.URL, "?")
		return err
	}
	if u.RawQuery == "" {
		return err
	}
	q, qerr := url.ParseQuery(u.RawQuery)
	sensitive := encryptedParams()
	for k := range q {
		if qerr != nil || sensitive == nil || sensitive[k] {
			q[k] = []string{"REDACTED"}
		}
	}
	u.RawQuery = q.Encode()
	ue.URL = u.String()
	return err
}

// encryptedParams is the set of parameter names openapi.yaml marks x-wechatpay-encrypted
// in any operation, read once from the embedded spec. When the spec does not load, it
// holds nil, and redactURL treats every name as sensitive.
var encryptedParams = sync.OnceValue(func() map[string]bool {
	doc, err := specDoc()
	if err != nil {
		return nil
	}
	out := make(map[string]bool)
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, ref := range append(item.Parameters, op.Parameters...) {
				if p := ref.Value; p != nil && p.Extensions[protocol.ExtEncrypted] == true {
					out[p.Name] = true
				}
			}
		}
	}
	return out
})

// headerOf returns the answer's headers from a generated response's HTTPResponse field,
// for the Request-ID; generated responses have no method for it, so this reads the field.
func headerOf(resp any) http.Header {
	v := reflect.ValueOf(resp)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return http.Header{}
		}
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		if f := v.FieldByName("HTTPResponse"); f.IsValid() {
			if hr, ok := f.Interface().(*http.Response); ok && hr != nil {
				return hr.Header
			}
		}
	}
	return http.Header{}
}

func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	return v == nil || (rv.Kind() == reflect.Pointer && rv.IsNil())
}
