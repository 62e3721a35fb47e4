package wxpaytest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The encrypted fields come from openapi.yaml's x-wechatpay-encrypted marker, not from Go code.
func TestEncryptedParamsFromSpec(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, item := range spec.doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, p := range op.Parameters {
				if p.Value.Extensions[extEncrypted] == true {
					got[op.OperationID] = append(got[op.OperationID], p.Value.Name)
				}
			}
		}
	}
	if len(got) != 1 || len(got["QueryAccountBalance"]) != 1 || got["QueryAccountBalance"][0] != "bal_account_no" {
		t.Errorf("encrypted parameters in openapi.yaml: %v", got)
	}
	r := httptest.NewRequest(http.MethodGet, "/v3/aggracct-bc/wb-channel/account/balance?mchid=1&bal_account_no=x", nil)
	route, _, _ := spec.route(r)
	if ps := encryptedParams(route); len(ps) != 1 || ps[0].Name != "bal_account_no" {
		t.Errorf("encryptedParams = %v", ps)
	}
}

// The server's self-check rejects answers that break the spec.
func TestValidateResponse(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/v3/ecommerce/fund/balance/1900000109", nil)
	route, _, _ := spec.route(r)
	h := http.Header{"Content-Type": {"application/json"}}
	ok := `{"sub_mchid":"1900000109","available_amount":1,"pending_amount":0,"account_type":"BASIC"}`
	if err := validateResponse(r, route, 200, h, []byte(ok)); err != nil {
		t.Fatalf("valid answer rejected: %v", err)
	}
	for name, tc := range map[string]struct {
		status int
		body   string
	}{
		"missing required":   {200, `{"sub_mchid":"1900000109"}`},
		"wrong type":         {200, `{"sub_mchid":"1900000109","available_amount":"1"}`},
		"bad enum":           {200, `{"sub_mchid":"1900000109","available_amount":1,"account_type":"GOLD"}`},
		"status not in spec": {418, `{"code":"X","message":"y"}`},
		"error without code": {403, `{"message":"y"}`},
	} {
		if err := validateResponse(r, route, tc.status, h, []byte(tc.body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestErrorTable(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	const ecom = "QueryECommerceBalance"
	for _, tc := range []struct {
		op         string
		status     int
		code, want string
	}{
		{ecom, 403, "NO_AUTH", "你无权查询该商户余额"},
		{ecom, 400, "INVALID_REQUEST", "输入账户类型未开通"}, // the current page's row wins over the common one
		{ecom, 500, "SYSTEM_ERROR", "系统异常,请稍后重试"},
		{ecom, 429, "FREQUENCY_LIMITED", "频率限制"},
		{ecom, 503, "SYSTEM_ERROR", "系统异常,请稍后重试"}, // an undocumented 5xx reads like a 500
		{"", 401, "SIGN_ERROR", "验证不通过"},
		{"", 405, "INVALID_REQUEST", "HTTP 请求不符合微信支付 APIv3 接口规则"}, // the common row
		{ecom, 403, "NO_SUCH_CODE", "Forbidden"},
	} {
		if got := spec.errors.message(tc.op, tc.status, tc.code, ""); got != tc.want {
			t.Errorf("message(%q, %d, %s) = %q, want %q", tc.op, tc.status, tc.code, got, tc.want)
		}
	}
	if got := spec.errors.message(ecom, 403, "NO_AUTH", "why"); got != "你无权查询该商户余额 — why" {
		t.Errorf("message with why = %q", got)
	}
	for _, tc := range []struct {
		op     string
		status int
		want   string
	}{
		{ecom, 400, "PARAM_ERROR"}, {ecom, 403, "NO_AUTH"}, {ecom, 502, "SYSTEM_ERROR"},
		// 404's one row, ORDER_NOT_EXISTS 提现单号不存在, is scope: withdrawal: not a balance query's.
		{ecom, 404, "NOT_FOUND"},
		{"QueryAccountBalance", 403, "NO_AUTH"}, // not listed for it: any operation's
		{ecom, 418, "I'M_A_TEAPOT"},
	} {
		if got := spec.errors.code(tc.op, tc.status); got != tc.want {
			t.Errorf("code(%q, %d) = %q, want %q", tc.op, tc.status, got, tc.want)
		}
	}

	// The scope is read from openapi.yaml: without it the row is the default; an unscoped
	// row listed after a scoped one is chosen over it.
	resp404 := spec.doc.Paths.Value("/v3/ecommerce/fund/balance/{sub_mchid}").Get.Responses.Status(404).Value
	rows404 := resp404.Extensions[extErrors]
	withdrawal := map[string]any{"code": "ORDER_NOT_EXISTS", "description": "提现单号不存在", "source": "2020-03-13", "scope": "withdrawal"}
	for _, tc := range []struct {
		rows []any
		want string
	}{
		{[]any{withdrawal, map[string]any{"code": "RESOURCE_NOT_EXISTS", "source": "2024-11-04"}}, "RESOURCE_NOT_EXISTS"},
		{[]any{map[string]any{"code": "ORDER_NOT_EXISTS", "source": "2020-03-13"}}, "ORDER_NOT_EXISTS"},
		{[]any{withdrawal}, "NOT_FOUND"},
	} {
		resp404.Extensions[extErrors] = tc.rows
		if got := newErrorTable(spec.doc).code(ecom, 404); got != tc.want {
			t.Errorf("404 rows %v: code = %q, want %q", tc.rows, got, tc.want)
		}
	}
	resp404.Extensions[extErrors] = rows404

	// A docs change is one edit to openapi.yaml: the wording follows it.
	spec.doc.Paths.Value("/v3/ecommerce/fund/balance/{sub_mchid}").Get.Responses.Status(403).Value.Extensions[extErrors] =
		[]any{map[string]any{"code": "NO_AUTH", "description": "新的描述", "source": "2024-11-04"}}
	if got := newErrorTable(spec.doc).message(ecom, 403, "NO_AUTH", ""); got != "新的描述" {
		t.Errorf("after editing the spec: %q", got)
	}
}

func TestRequiresSerialFromSpec(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	// 查询渠道额度's page lists Wechatpay-Serial; 查询二级商户账户实时余额's does not.
	for uri, want := range map[string]bool{"/v3/ecommerce/fund/balance/1900000109": false, "/v3/aggracct-bc/wb-channel/account/balance": true} {
		route, _, _ := spec.route(httptest.NewRequest(http.MethodGet, uri, nil))
		if got := requiresSerial(route); got != want {
			t.Errorf("%s: requiresSerial = %v, want %v (openapi.yaml's security)", uri, got, want)
		}
	}
	route, _, _ := spec.route(httptest.NewRequest(http.MethodGet, "/v3/ecommerce/fund/balance/1900000109", nil))
	op := *route.Operation
	op.Security = &openapi3.SecurityRequirements{{"WechatPayAuthorization": {}, "WechatPaySerial": {}}}
	r2 := *route
	r2.Operation = &op
	if !requiresSerial(&r2) {
		t.Error("an operation whose security lists WechatPaySerial should require Wechatpay-Serial")
	}
}

// TestParamDefaultsFromSpec checks that what an omitted account_type means comes from
// openapi.yaml's x-wechatpay-default, not from Go.
func TestParamDefaultsFromSpec(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	if got := spec.defaults["QueryECommerceBalance"]["account_type"]; got != "BASIC" {
		t.Errorf("account_type default = %q, want BASIC (openapi.yaml x-wechatpay-default)", got)
	}
	p := spec.doc.Paths.Value("/v3/ecommerce/fund/balance/{sub_mchid}").Get.Parameters.GetByInAndName("query", "account_type")
	p.Extensions[extDefault] = "FEES"
	if got := newParamDefaults(spec.doc)["QueryECommerceBalance"]["account_type"]; got != "FEES" {
		t.Errorf("after editing the spec: %q, want FEES", got)
	}
}
