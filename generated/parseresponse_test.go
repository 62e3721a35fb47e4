package generated

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// headerFields names the declared response headers' fields (every one a *string).
var headerFields = map[string]string{
	"RequestID": "Request-ID", "WechatpayNonce": "Wechatpay-Nonce", "WechatpaySerial": "Wechatpay-Serial",
	"WechatpaySignature": "Wechatpay-Signature", "WechatpaySignatureType": "Wechatpay-Signature-Type",
	"WechatpayTimestamp": "Wechatpay-Timestamp",
}

// stockParse is what the generator's own Parse<Op>Response gives for rsp (body already
// read), built field by field: Body and HTTPResponse; JSON<status>, when the operation
// declares one, decoded from the body when the Content-Type contains "json" (a decoding
// error is the parse's error); Headers<status>, when declared, each field the header's
// first value or nil.
func stockParse(typ reflect.Type, rsp *http.Response, body []byte) (reflect.Value, error) {
	v := reflect.New(typ).Elem()
	v.FieldByName("Body").Set(reflect.ValueOf(body))
	v.FieldByName("HTTPResponse").Set(reflect.ValueOf(rsp))
	status := strconv.Itoa(rsp.StatusCode)
	if f := v.FieldByName("JSON" + status); f.IsValid() && strings.Contains(rsp.Header.Get("Content-Type"), "json") {
		dest := reflect.New(f.Type().Elem())
		if err := json.Unmarshal(body, dest.Interface()); err != nil {
			return reflect.Value{}, err
		}
		f.Set(dest)
	}
	if f := v.FieldByName("Headers" + status); f.IsValid() {
		h := reflect.New(f.Type().Elem())
		for i := 0; i < h.Elem().NumField(); i++ {
			name := headerFields[h.Elem().Type().Field(i).Name]
			if values := rsp.Header.Values(name); len(values) > 0 {
				s := values[0]
				h.Elem().Field(i).Set(reflect.ValueOf(&s))
			}
		}
		f.Set(h)
	}
	return v, nil
}

// TestParsedResponseIsTheGeneratorsOwn: the Parse functions (one allocation for the
// response, its body and its headers) give what the generator's own gave, for every
// declared status and some undeclared, with JSON and other content types, good and bad bodies.
func TestParsedResponseIsTheGeneratorsOwn(t *testing.T) {
	parsers := map[string]func(*http.Response) (any, error){
		"QueryECommerceBalance": func(r *http.Response) (any, error) { return ParseQueryECommerceBalanceResponse(r) },
		"QueryAccountBalance":   func(r *http.Response) (any, error) { return ParseQueryAccountBalanceResponse(r) },
		"ListCertificates":      func(r *http.Response) (any, error) { return ParseListCertificatesResponse(r) },
	}
	types := map[string]reflect.Type{
		"QueryECommerceBalance": reflect.TypeFor[QueryECommerceBalanceResponse](),
		"QueryAccountBalance":   reflect.TypeFor[QueryAccountBalanceResponse](),
		"ListCertificates":      reflect.TypeFor[ListCertificatesResponse](),
	}
	bodies := []string{
		`{"sub_mchid":"1900000109","available_amount":100,"pending_amount":0,"account_type":"BASIC"}`,
		`{"in_transit_reduction_exist":false,"balance":1}`, `{"data":[{"serial_no":"x"}]}`,
		`{"code":"PARAM_ERROR","message":"m","detail":{"field":"f"}}`, `{}`, `null`, ``, `not json`, `{"available_amount":"x"}`, `[1]`,
	}
	headerSets := []http.Header{{}, {
		"Request-Id": {"r1", "r2"}, "Wechatpay-Nonce": {" n "}, "Wechatpay-Serial": {""}, "Wechatpay-Signature": {"s"},
		"Wechatpay-Signature-Type": {"WECHATPAY2-SHA256-RSA2048"}, "Wechatpay-Timestamp": {"1700000000"},
	}}
	for op, parse := range parsers {
		for _, status := range []int{200, 201, 204, 302, 400, 401, 403, 404, 429, 500, 503, 0} {
			for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/problem+json", "text/plain", ""} {
				for _, body := range bodies {
					for _, hs := range headerSets {
						h := hs.Clone()
						if ct != "" {
							h.Set("Content-Type", ct)
						}
						rsp := &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), ContentLength: -1}
						want, wantErr := stockParse(types[op], rsp, []byte(body))
						got, err := parse(rsp)
						what := op + " " + strconv.Itoa(status) + " " + ct + " " + body
						if (err != nil) != (wantErr != nil) || err != nil && err.Error() != wantErr.Error() {
							t.Fatalf("%s: error %v, the generator's own %v", what, err, wantErr)
						}
						if err != nil {
							continue
						}
						if g := reflect.ValueOf(got).Elem(); !reflect.DeepEqual(g.Interface(), want.Interface()) {
							t.Fatalf("%s: parsed %+v, the generator's own %+v", what, g.Interface(), want.Interface())
						}
						if b := reflect.ValueOf(got).MethodByName("GetBody").Call(nil)[0].Bytes(); !bytes.Equal(b, []byte(body)) {
							t.Fatalf("%s: GetBody %q", what, b)
						}
					}
				}
			}
		}
	}
}

// TestParsedHeaderNamesAreCanonical: Parse<Op>Response reads each declared header from the
// map under a name the template spells canonical (lower, then title); a name that case
// mapping spelled otherwise would never be found. Every such name in the generated code
// must be its own http.CanonicalHeaderKey.
func TestParsedHeaderNamesAreCanonical(t *testing.T) {
	src, err := os.ReadFile("wxpay.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile(`rsp\.Header\[("[^"]*")\]`).FindAllSubmatch(src, -1)
	if len(names) == 0 {
		t.Fatal(`no rsp.Header["…"] read in wxpay.gen.go: update this test with the template`)
	}
	for _, m := range names {
		name, err := strconv.Unquote(string(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		if c := http.CanonicalHeaderKey(name); c != name {
			t.Errorf("wxpay.gen.go reads header %q, which the map holds as %q", name, c)
		}
	}
}
