package wxpay_test

// This file keeps openapi.yaml true to WeChat Pay's documentation pages. The facts below
// were read off the three pages the spec was transcribed from (they are not copied into
// the repo):
//
//	[000] 查询渠道额度, updated 2025.09.11
//	[001] 查询二级商户账户实时余额, updated 2024.11.04 (newer; wins on conflicts)
//	[002] 查询二级商户账户实时余额API, 2020-03-13 (older; its error codes still count)
//
// A careless edit of openapi.yaml that drops or changes one of these facts fails here,
// and each failure says what to put back in openapi.yaml.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay"
)

const (
	pathChannel   = "/v3/aggracct-bc/wb-channel/account/balance"
	pathECommerce = "/v3/ecommerce/fund/balance/{sub_mchid}"
)

// loadSpec parses and validates the embedded openapi.yaml, or the file named by
// $WXPAY_SPEC_FILE when set (to try an edit on a scratch copy before making it).
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	data := wxpay.Spec()
	if f := os.Getenv("WXPAY_SPEC_FILE"); f != "" {
		var err error
		if data, err = os.ReadFile(f); err != nil {
			t.Fatalf("WXPAY_SPEC_FILE: %v", err)
		}
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("openapi.yaml does not load: %v — fix the YAML/OpenAPI syntax", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not valid OpenAPI 3: %v", err)
	}
	return doc
}

// coveredByPages skips a hand-listed fact check when WeChat Pay's doc pages are beside the
// repository: then internal/specdiff's TestSeeds (in make test) and make spec-diff
// (in CI) compare openapi.yaml with the pages themselves, so the pages are the only source
// of these facts. The table stays for clones without the pages, and for WXPAY_SPEC_FILE
// scratch checks.
func coveredByPages(t *testing.T) {
	t.Helper()
	if os.Getenv("WXPAY_SPEC_FILE") != "" {
		return
	}
	if files, _ := filepath.Glob("../shared/seeds/*.txt"); len(files) > 0 {
		t.Skip("covered by internal/specdiff against ../shared/seeds (make spec-diff)")
	}
}

// opFact is one operation as the pages describe it.
type opFact struct {
	id, method, path, updated, merchant, tag string
}

var opFacts = []opFact{
	{"QueryAccountBalance", "GET", pathChannel, "2025-09-11", "普通商户", "channel"},       // [000]
	{"QueryECommerceBalance", "GET", pathECommerce, "2024-11-04", "平台商户", "ecommerce"}, // [001]
}

// operation finds the operation with the given id, failing the test when it is missing.
func operation(t *testing.T, doc *openapi3.T, id string) (method, path string, op *openapi3.Operation) {
	t.Helper()
	for p, item := range doc.Paths.Map() {
		for m, o := range item.Operations() {
			if o.OperationID == id {
				return m, p, o
			}
		}
	}
	t.Fatalf("openapi.yaml has no operation with operationId %s: restore it (see the page's class name)", id)
	return "", "", nil
}

func TestSpecLoadsAndValidates(t *testing.T) {
	doc := loadSpec(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi.yaml: openapi is %q; keep it 3.0.3 (oapi-codegen and the linters are set up for 3.0)", doc.OpenAPI)
	}
	for _, p := range []string{pathChannel, pathECommerce} {
		if doc.Paths.Value(p) == nil {
			t.Errorf("openapi.yaml: path %s is missing; restore it", p)
		}
	}
}

func TestSpecOperations(t *testing.T) {
	coveredByPages(t)
	doc := loadSpec(t)
	for _, f := range opFacts {
		t.Run(f.id, func(t *testing.T) {
			method, path, op := operation(t, doc, f.id)
			if method != f.method || path != f.path {
				t.Errorf("openapi.yaml: %s is %s %s; the page says 请求方式:【%s】%s — move it under paths.%s.%s",
					f.id, method, path, f.method, f.path, f.path, strings.ToLower(f.method))
			}
			if got := op.Extensions["x-wechatpay-updated"]; got != f.updated {
				t.Errorf("openapi.yaml: %s x-wechatpay-updated = %v; set it to %q (the page's 更新时间)", f.id, got, f.updated)
			}
			merchants, _ := op.Extensions["x-wechatpay-merchants"].([]any)
			if len(merchants) != 1 || merchants[0] != f.merchant {
				t.Errorf("openapi.yaml: %s x-wechatpay-merchants = %v; set it to [%s] (the page's 支持商户)", f.id, merchants, f.merchant)
			}
			if !slices.Equal(op.Tags, []string{f.tag}) {
				t.Errorf("openapi.yaml: %s tags = %v; want [%s]", f.id, op.Tags, f.tag)
			}
			if op.Summary == "" || op.Description == "" {
				t.Errorf("openapi.yaml: %s needs a summary and a description", f.id)
			}
		})
	}
}

func TestSpecServers(t *testing.T) {
	coveredByPages(t)
	doc := loadSpec(t)
	// [000][001]: 【主域名】https://api.mch.weixin.qq.com, 【备域名】https://api2.mch.weixin.qq.com.
	want := []string{"https://api.mch.weixin.qq.com", "https://api2.mch.weixin.qq.com"}
	var got []string
	for _, s := range doc.Servers {
		got = append(got, s.URL)
	}
	if !slices.Equal(got, want) {
		t.Errorf("openapi.yaml: servers = %v; want %v in that order (主域名 first, then 备域名)", got, want)
	}
	for _, s := range doc.Servers {
		if s.Description == "" {
			t.Errorf("openapi.yaml: server %s needs a description (主域名/备域名)", s.URL)
		}
	}
	for _, f := range opFacts {
		_, _, op := operation(t, doc, f.id)
		if op.Servers != nil {
			t.Errorf("openapi.yaml: %s overrides servers; both operations use the two global hosts", f.id)
		}
	}
}

// paramFact is one request parameter as the pages describe it.
type paramFact struct {
	op, name, in string
	required     bool
	maxLength    uint64 // the page's string(N); 0 when the page gives none
	enumRef      string // component schema holding the enum, if any
	encrypted    bool   // the page's 【加密】
	example      string // the page's request example
}

var paramFacts = []paramFact{
	// [000] query 查询参数: mchid 必填 string(32); bal_account_no 必填 string(1024) 【加密】.
	{op: "QueryAccountBalance", name: "mchid", in: "query", required: true, maxLength: 32, example: "1900016681"},
	// Its page's example is the plaintext; the spec's is that plaintext encrypted (a
	// ciphertext, as sent) with the TEST ONLY key of spec/conformance/vectors.json.
	{op: "QueryAccountBalance", name: "bal_account_no", in: "query", required: true, maxLength: 1024, encrypted: true,
		example: "ALRkgNlBW9puUt5RtlWSY9mHA4HPA/8Kuxz2GvYh9s3UtkTJDIMdL99i/v7ksW//hb0F9Q08IQnifP7EEvHyY8emJfecD0ETrQ6ObnIM9lq/Qq9CFhabM6BGwFbV76g2rMo6aJPIL/N/DOwjxeGrhUtv1JkVXTPs2a6XTqEe0f1LUIeUC7TaE9oiZ8piqLJ7tqbaxYkfP+203pd0XyOjxcvTNYf7gBET+/jo7KWU7NejgIAkvt9bwKxDOUANyZCkzDrevs4TKq1dXthmBkGzP5sHoPGm5h/kr9MiMbZCFUILLcyJAXjgkU6FYM9Un+RTvuY9J2OzE+VpQl0Lcfk8og=="},
	// [001] path 路径参数: sub_mchid 必填 string(32); query: account_type 选填 string (enum).
	{op: "QueryECommerceBalance", name: "sub_mchid", in: "path", required: true, maxLength: 32, example: "1900000109"},
	{op: "QueryECommerceBalance", name: "account_type", in: "query", required: false, enumRef: "AccountType", example: "BASIC"},
}

func TestSpecParameters(t *testing.T) {
	coveredByPages(t)
	doc := loadSpec(t)
	for _, f := range opFacts {
		_, _, op := operation(t, doc, f.id)
		var want []string
		for _, p := range paramFacts {
			if p.op == f.id {
				want = append(want, p.in+" "+p.name)
			}
		}
		var got []string
		for _, p := range op.Parameters {
			got = append(got, p.Value.In+" "+p.Value.Name)
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("openapi.yaml: %s parameters = %v; the page lists exactly %v", f.id, got, want)
		}
	}
	for _, f := range paramFacts {
		t.Run(f.op+"/"+f.name, func(t *testing.T) {
			_, _, op := operation(t, doc, f.op)
			p := op.Parameters.GetByInAndName(f.in, f.name)
			if p == nil {
				t.Fatalf("openapi.yaml: %s has no %s parameter %q; add it (in: %s)", f.op, f.in, f.name, f.in)
			}
			if p.Required != f.required {
				t.Errorf("openapi.yaml: %s parameter %s required = %v; the page says %s", f.op, f.name, p.Required, map[bool]string{true: "必填 (required: true)", false: "选填 (required: false)"}[f.required])
			}
			if p.Schema == nil || p.Schema.Value == nil {
				t.Fatalf("openapi.yaml: %s parameter %s has no schema", f.op, f.name)
			}
			s := p.Schema.Value
			if !s.Type.Is("string") {
				t.Errorf("openapi.yaml: %s parameter %s type = %v; the page says string", f.op, f.name, typeName(s.Type))
			}
			var maxLen uint64
			if s.MaxLength != nil {
				maxLen = *s.MaxLength
			}
			if maxLen != f.maxLength {
				t.Errorf("openapi.yaml: %s parameter %s maxLength = %d; set it to %d (the page's string(%d))", f.op, f.name, maxLen, f.maxLength, f.maxLength)
			}
			if f.maxLength > 0 && f.required && s.MinLength != 1 {
				t.Errorf("openapi.yaml: %s parameter %s minLength = %d; a required string needs minLength: 1", f.op, f.name, s.MinLength)
			}
			if f.enumRef != "" && p.Schema.Ref != "#/components/schemas/"+f.enumRef {
				t.Errorf("openapi.yaml: %s parameter %s schema = %q; use $ref: \"#/components/schemas/%s\"", f.op, f.name, p.Schema.Ref, f.enumRef)
			}
			enc, hasEnc := p.Extensions["x-wechatpay-encrypted"]
			switch {
			case f.encrypted && enc != true:
				t.Errorf("openapi.yaml: %s parameter %s must carry x-wechatpay-encrypted: true (the page marks it 【加密】); got %v", f.op, f.name, enc)
			case !f.encrypted && hasEnc:
				t.Errorf("openapi.yaml: %s parameter %s is not encrypted on the page; remove x-wechatpay-encrypted", f.op, f.name)
			}
			if p.Example != f.example {
				t.Errorf("openapi.yaml: %s parameter %s example = %v; use the page's request example %q", f.op, f.name, p.Example, f.example)
			}
			if p.Description == "" {
				t.Errorf("openapi.yaml: %s parameter %s needs a description (the page's 【名称】 text)", f.op, f.name)
			}
		})
	}
}

func TestSpecAccountTypeEnum(t *testing.T) {
	coveredByPages(t)
	doc := loadSpec(t)
	ref := doc.Components.Schemas["AccountType"]
	if ref == nil || ref.Value == nil {
		t.Fatal("openapi.yaml: components.schemas.AccountType is missing; restore the enum of 二级商户账户类型")
	}
	s := ref.Value
	// [001] 可选取值: BASIC 基本账户, FEES 手续费账户, OPERATION 运营账户, DEPOSIT 保证金账户.
	want := []string{"BASIC", "FEES", "OPERATION", "DEPOSIT"}
	meanings := []string{"基本账户", "手续费账户", "运营账户", "保证金账户"}
	var got []string
	for _, v := range s.Enum {
		got = append(got, fmt.Sprint(v))
	}
	if !s.Type.Is("string") || !slices.Equal(got, want) {
		t.Errorf("openapi.yaml: AccountType = %s %v; want type string, enum %v (the page's 可选取值, in its order)", typeName(s.Type), got, want)
	}
	names, _ := s.Extensions["x-enum-varnames"].([]any)
	descs, _ := s.Extensions["x-enum-descriptions"].([]any)
	if len(names) != len(want) || len(descs) != len(want) {
		t.Fatalf("openapi.yaml: AccountType needs %d x-enum-varnames and %d x-enum-descriptions, one per enum value; got %d and %d", len(want), len(want), len(names), len(descs))
	}
	for i, m := range meanings {
		if d := fmt.Sprint(descs[i]); !strings.HasPrefix(d, m) {
			t.Errorf("openapi.yaml: AccountType x-enum-descriptions[%d] = %q; it must start with %q (meaning of %s)", i, d, m, want[i])
		}
	}
	// The answer's account_type uses the same enum ([001] 应答参数).
	prop := doc.Components.Schemas["ECommerceBalance"].Value.Properties["account_type"]
	if prop == nil || prop.Ref != "#/components/schemas/AccountType" {
		t.Errorf("openapi.yaml: ECommerceBalance.account_type must be $ref: \"#/components/schemas/AccountType\"")
	}
}

func TestSpecEncryptedFields(t *testing.T) {
	coveredByPages(t)
	doc := loadSpec(t)
	// Only bal_account_no is 【加密】 on any page.
	var encrypted []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, p := range op.Parameters {
				if _, ok := p.Value.Extensions["x-wechatpay-encrypted"]; ok {
					encrypted = append(encrypted, op.OperationID+"."+p.Value.Name)
				}
			}
		}
	}
	if !slices.Equal(encrypted, []string{"QueryAccountBalance.bal_account_no"}) {
		t.Errorf("openapi.yaml: parameters marked x-wechatpay-encrypted = %v; exactly QueryAccountBalance.bal_account_no is 【加密】", encrypted)
	}
}

func TestSpecRateLimit(t *testing.T) {
	coveredByPages(t)
	doc := loadSpec(t)
	// [000] 接口限频:单查询渠道额度目标商户号100qps.
	_, _, op := operation(t, doc, "QueryAccountBalance")
	var rl struct {
		QPS         *int   `json:"qps"`
		Key         string `json:"key"`
		In          string `json:"in"`
		Description string `json:"description"`
	}
	if err := decodeExtension(op.Extensions, "x-wechatpay-rate-limit", &rl); err != nil {
		t.Fatalf("openapi.yaml: QueryAccountBalance x-wechatpay-rate-limit: %v; restore {qps: 100, key: mchid, in: query, description: …}", err)
	}
	if rl.QPS == nil || *rl.QPS != 100 || rl.Key != "mchid" || rl.In != "query" {
		qps := "<none>"
		if rl.QPS != nil {
			qps = fmt.Sprint(*rl.QPS)
		}
		t.Errorf("openapi.yaml: QueryAccountBalance x-wechatpay-rate-limit = {qps: %s, key: %s, in: %s}; want qps: 100, key: mchid, in: query (单查询渠道额度目标商户号100qps)", qps, rl.Key, rl.In)
	}
	if !strings.Contains(rl.Description, "100qps") {
		t.Errorf("openapi.yaml: x-wechatpay-rate-limit.description = %q; quote the page: 单查询渠道额度目标商户号100qps", rl.Description)
	}
	// [001] and [002] give no rate limit for 查询二级商户账户实时余额.
	_, _, op = operation(t, doc, "QueryECommerceBalance")
	if _, ok := op.Extensions["x-wechatpay-rate-limit"]; ok {
		t.Errorf("openapi.yaml: QueryECommerceBalance has x-wechatpay-rate-limit, but its pages state none; remove it")
	}
}

// fieldFact is one field of an answer body.
type fieldFact struct {
	schema, name, typ, format string
	required                  bool
	maxLength                 uint64
	ref                       string
}

var fieldFacts = []fieldFact{
	// [000] 应答参数: in_transit_reduction_exist 选填 boolean; balance 选填 integer.
	{schema: "AccountBalance", name: "in_transit_reduction_exist", typ: "boolean"},
	{schema: "AccountBalance", name: "balance", typ: "integer", format: "int64"},
	// [001] 应答参数 (types int64 per [002]): sub_mchid 必填 string(32); available_amount 必填
	// integer; pending_amount 选填 integer; account_type 选填 string (enum).
	{schema: "ECommerceBalance", name: "sub_mchid", typ: "string", required: true, maxLength: 32},
	{schema: "ECommerceBalance", name: "available_amount", typ: "integer", format: "int64", required: true},
	{schema: "ECommerceBalance", name: "pending_amount", typ: "integer", format: "int64"},
	{schema: "ECommerceBalance", name: "account_type", ref: "#/components/schemas/AccountType"},
	// WeChat Pay's error answer (接口规则-错误码和错误提示): code and message always present.
	{schema: "WechatPayError", name: "code", typ: "string", required: true},
	{schema: "WechatPayError", name: "message", typ: "string", required: true},
	{schema: "WechatPayError", name: "detail", typ: "object"},
}

func TestSpecResponseSchemas(t *testing.T) {
	coveredByPages(t)
	doc := loadSpec(t)
	bySchema := map[string][]fieldFact{}
	for _, f := range fieldFacts {
		bySchema[f.schema] = append(bySchema[f.schema], f)
	}
	for name, facts := range bySchema {
		t.Run(name, func(t *testing.T) {
			ref := doc.Components.Schemas[name]
			if ref == nil || ref.Value == nil {
				t.Fatalf("openapi.yaml: components.schemas.%s is missing", name)
			}
			s := ref.Value
			if !s.Type.Is("object") {
				t.Errorf("openapi.yaml: %s type = %s; want object", name, typeName(s.Type))
			}
			var wantRequired, wantProps []string
			for _, f := range facts {
				wantProps = append(wantProps, f.name)
				if f.required {
					wantRequired = append(wantRequired, f.name)
				}
			}
			gotRequired := slices.Clone(s.Required)
			sort.Strings(gotRequired)
			sort.Strings(wantRequired)
			if !slices.Equal(gotRequired, wantRequired) {
				t.Errorf("openapi.yaml: %s required = %v; set it to %v (the page's 必填 fields)", name, s.Required, wantRequired)
			}
			var gotProps []string
			for p := range s.Properties {
				gotProps = append(gotProps, p)
			}
			sort.Strings(gotProps)
			sort.Strings(wantProps)
			if !slices.Equal(gotProps, wantProps) {
				t.Errorf("openapi.yaml: %s properties = %v; the page lists exactly %v", name, gotProps, wantProps)
			}
			for _, f := range facts {
				p := s.Properties[f.name]
				if p == nil {
					continue // reported above
				}
				if f.ref != "" {
					if p.Ref != f.ref {
						t.Errorf("openapi.yaml: %s.%s must be $ref: %q", name, f.name, f.ref)
					}
					continue
				}
				v := p.Value
				if !v.Type.Is(f.typ) || v.Format != f.format {
					t.Errorf("openapi.yaml: %s.%s is %s/%q; set type: %s, format: %q", name, f.name, typeName(v.Type), v.Format, f.typ, f.format)
				}
				var maxLen uint64
				if v.MaxLength != nil {
					maxLen = *v.MaxLength
				}
				if maxLen != f.maxLength {
					t.Errorf("openapi.yaml: %s.%s maxLength = %d; want %d (the page's string(%d))", name, f.name, maxLen, f.maxLength, f.maxLength)
				}
				if v.Description == "" {
					t.Errorf("openapi.yaml: %s.%s needs a description", name, f.name)
				}
			}
		})
	}
	// Each operation's 200 answer and error answers use these schemas.
	for _, c := range []struct{ op, schema string }{{"QueryAccountBalance", "AccountBalance"}, {"QueryECommerceBalance", "ECommerceBalance"}} {
		_, _, op := operation(t, doc, c.op)
		for status, r := range op.Responses.Map() {
			want := "#/components/schemas/WechatPayError"
			if status == "200" {
				want = "#/components/schemas/" + c.schema
			}
			mt := r.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Ref != want {
				t.Errorf("openapi.yaml: %s response %s must have content application/json with schema $ref: %q", c.op, status, want)
			}
		}
	}
}

func TestSpecSecurity(t *testing.T) {
	doc := loadSpec(t)
	schemes := map[string]string{ // scheme → header ([000] Header HTTP头参数)
		"WechatPayAuthorization": "Authorization",
		"WechatPaySerial":        "Wechatpay-Serial",
	}
	for name, header := range schemes {
		ref := doc.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			t.Errorf("openapi.yaml: components.securitySchemes.%s is missing (type: apiKey, in: header, name: %s)", name, header)
			continue
		}
		s := ref.Value
		if s.Type != "apiKey" || s.In != "header" || s.Name != header {
			t.Errorf("openapi.yaml: securitySchemes.%s = %s/%s/%s; want type: apiKey, in: header, name: %s", name, s.Type, s.In, s.Name, header)
		}
	}
	if !strings.Contains(doc.Components.SecuritySchemes["WechatPayAuthorization"].Value.Description, "WECHATPAY2-SHA256-RSA2048") {
		t.Errorf("openapi.yaml: WechatPayAuthorization's description must show the WECHATPAY2-SHA256-RSA2048 header format")
	}
	// Each operation requires the headers its page lists: [000] lists Authorization and
	// Wechatpay-Serial; [001] lists only Authorization and Accept (its curl example sends no
	// Wechatpay-Serial), and so does the document's default.
	authOnly := openapi3.SecurityRequirement{"WechatPayAuthorization": {}}
	withSerial := openapi3.SecurityRequirement{"WechatPayAuthorization": {}, "WechatPaySerial": {}}
	check := func(where string, reqs *openapi3.SecurityRequirements, want openapi3.SecurityRequirement) {
		if reqs == nil || len(*reqs) != 1 || !sameRequirement((*reqs)[0], want) {
			t.Errorf("openapi.yaml: %s security must be exactly [%v] (the headers its page lists); got %v", where, want, reqs)
		}
	}
	check("top-level", &doc.Security, authOnly)
	wants := map[string]openapi3.SecurityRequirement{"QueryAccountBalance": withSerial, "QueryECommerceBalance": authOnly}
	for _, f := range opFacts {
		_, _, op := operation(t, doc, f.id)
		check(f.id, op.Security, wants[f.id])
	}
}

func sameRequirement(a, b openapi3.SecurityRequirement) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			return false
		}
	}
	return true
}

func TestSpecHeaders(t *testing.T) {
	doc := loadSpec(t)
	// Every answer is signed (接口规则, 应答签名): these headers come with each response.
	want := []string{"Request-ID", "Wechatpay-Nonce", "Wechatpay-Serial", "Wechatpay-Signature", "Wechatpay-Signature-Type", "Wechatpay-Timestamp"}
	var got []string
	for h, ref := range doc.Components.Headers {
		got = append(got, h)
		if ref.Value == nil || ref.Value.Schema == nil || !ref.Value.Schema.Value.Type.Is("string") || ref.Value.Description == "" {
			t.Errorf("openapi.yaml: components.headers.%s needs a description and schema: {type: string}", h)
		}
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("openapi.yaml: components.headers = %v; want %v", got, want)
	}
	for _, f := range opFacts {
		_, _, op := operation(t, doc, f.id)
		for status, r := range op.Responses.Map() {
			for _, h := range want {
				hr := r.Value.Headers[h]
				if hr == nil || hr.Ref != "#/components/headers/"+h {
					t.Errorf("openapi.yaml: %s response %s must carry header %s: {$ref: \"#/components/headers/%s\"}", f.id, status, h, h)
				}
			}
		}
	}
}

// errFact is one row of a page's 错误码 table (or of the APIv3 common codes).
type errFact struct {
	op          string
	status      int
	code        string
	description string
	solution    string
	source      string // "common", or the page's date
}

// Common APIv3 error codes (公共错误码, as on [001]) plus a 429 that no page lists for
// 查询渠道额度 and no common table has: borrowed from [002], so its source is "inferred".
func commonErrFacts(op string) []errFact {
	return []errFact{
		{op, 400, "PARAM_ERROR", "参数错误", "请根据错误提示正确传入参数", "common"},
		{op, 400, "INVALID_REQUEST", "HTTP 请求不符合微信支付 APIv3 接口规则", "请参阅 接口规则", "common"},
		{op, 401, "SIGN_ERROR", "验证不通过", "请参阅 签名常见问题", "common"},
		{op, 429, "FREQUENCY_LIMITED", "频率限制", "请降低频率后重试", "inferred"},
		{op, 500, "SYSTEM_ERROR", "系统异常,请稍后重试", "请稍后重试", "common"},
	}
}

var errFacts = slices.Concat(
	// [000] lists no error codes of its own: the common ones apply.
	commonErrFacts("QueryAccountBalance"),
	// The common 429 comes from [002] for QueryECommerceBalance, so leave it out here.
	slices.DeleteFunc(commonErrFacts("QueryECommerceBalance"), func(f errFact) bool { return f.status == 429 }),
	[]errFact{
		// [001] 业务错误码 (2024-11-04).
		{"QueryECommerceBalance", 400, "INVALID_REQUEST", "输入账户类型未开通", "请检查account_type,并重新调用", "2024-11-04"},
		{"QueryECommerceBalance", 403, "NO_AUTH", "你无权查询该商户余额", "请确认电商平台商户号和二级商户商户号是否存在受理关系", "2024-11-04"},
		{"QueryECommerceBalance", 403, "NO_AUTH", "你无权调用此接口", "请确认是否已经开通相关权限", "2024-11-04"},
		{"QueryECommerceBalance", 403, "NO_AUTH", "受理关系无效", "请检查电商平台和二级商户号的受理关系是否正常", "2024-11-04"},
		// [002] 错误码 (2020-03-13).
		{"QueryECommerceBalance", 500, "SYSTEM_ERROR", "系统错误", "系统异常, 请使用相同参数稍后重新调用", "2020-03-13"},
		{"QueryECommerceBalance", 403, "REQUEST_BLOCKED", "二级商户未开启手动提现权限", "二级商户号提现权限被冻结, 无法发起提现", "2020-03-13"},
		{"QueryECommerceBalance", 400, "PARAM_ERROR", "参数错误", "请使用正确的参数重新调用", "2020-03-13"},
		{"QueryECommerceBalance", 400, "PARAM_ERROR", "参数错误", "请使用正确的参数重新调用, 电商平台提交相同商户单号的请求但参数和历史提交的参数不一致", "2020-03-13"},
		{"QueryECommerceBalance", 404, "ORDER_NOT_EXISTS", "提现单号不存在", "请检查订单号是否正确", "2020-03-13"},
		{"QueryECommerceBalance", 403, "NOT_ENOUGH", "二级商户号账户可用余额不足", "二级商户号账户可用余额不足", "2020-03-13"},
		{"QueryECommerceBalance", 403, "NO_AUTH", "无接口使用权限", "请开通商户号相关权限", "2020-03-13"},
		{"QueryECommerceBalance", 400, "INVALID_REQUEST", "二级商户未开启手动提现权限", "请确认电商平台商户号和二级商户商户号是否存在受理关系", "2020-03-13"},
		{"QueryECommerceBalance", 429, "FREQUENCY_LIMITED", "频率限制", "请降低频率后重试", "2020-03-13"},
		{"QueryECommerceBalance", 403, "CONTRACT_NOT_CONFIRM", "二级商户未开启手动提现权限", "二级商户号提现权限已关闭, 无法发起提现", "2020-03-13"},
		{"QueryECommerceBalance", 403, "ACCOUNT_NOT_VERIFIED", "二级商户下行打款未成功", "二级商户号结算银行卡信息有误, 修改后重试", "2020-03-13"},
		{"QueryECommerceBalance", 403, "ACCOUNT_ERROR", "二级商户未绑卡", "二级商户号没有绑定结算银行卡, 绑定后重试", "2020-03-13"},
	},
)

// specErrRow is one x-wechatpay-errors row as it stands in openapi.yaml. Extra holds any
// key beyond the five documented ones.
type specErrRow struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Solution    string `json:"solution"`
	Source      string `json:"source"`
	Scope       string `json:"scope"`
	Extra       []string
}

// specErrors reads x-wechatpay-errors of every response of op, keyed by status code.
func specErrors(t *testing.T, op *openapi3.Operation) map[string][]specErrRow {
	t.Helper()
	out := map[string][]specErrRow{}
	for status, r := range op.Responses.Map() {
		if r.Value == nil {
			continue
		}
		raw, ok := r.Value.Extensions["x-wechatpay-errors"]
		if !ok {
			continue
		}
		rows, ok := raw.([]any)
		if !ok {
			t.Fatalf("openapi.yaml: %s response %s x-wechatpay-errors must be a list of {code, description, solution, source}", op.OperationID, status)
		}
		for i, row := range rows {
			m, ok := row.(map[string]any)
			if !ok {
				t.Fatalf("openapi.yaml: %s response %s x-wechatpay-errors[%d] must be a mapping", op.OperationID, status, i)
			}
			var r specErrRow
			b, _ := json.Marshal(m)
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatalf("openapi.yaml: %s response %s x-wechatpay-errors[%d]: %v (all four fields are strings)", op.OperationID, status, i, err)
			}
			for k := range m {
				if k != "code" && k != "description" && k != "solution" && k != "source" && k != "scope" {
					r.Extra = append(r.Extra, k)
				}
			}
			sort.Strings(r.Extra)
			out[status] = append(out[status], r)
		}
	}
	return out
}

// TestSpecErrorCodes checks every status/code pair (with its source) in both directions:
// each one the pages list is in x-wechatpay-errors under the right status, and nothing
// else is.
func TestSpecErrorCodes(t *testing.T) {
	coveredByPages(t)
	doc := loadSpec(t)
	for _, f := range opFacts {
		t.Run(f.id, func(t *testing.T) {
			_, _, op := operation(t, doc, f.id)
			got := map[string]int{}
			for status, rows := range specErrors(t, op) {
				for _, r := range rows {
					got[fmt.Sprintf("%s %s (source %s)", status, r.Code, r.Source)]++
				}
			}
			want := map[string]int{}
			for _, e := range errFacts {
				if e.op == f.id {
					want[fmt.Sprintf("%d %s (source %s)", e.status, e.code, e.source)]++
				}
			}
			for k, n := range want {
				if got[k] < n {
					t.Errorf("openapi.yaml: %s lacks error %s in x-wechatpay-errors (%d of %d rows); add the row under responses.%s", f.id, k, got[k], n, strings.Fields(k)[0])
				}
			}
			for k, n := range got {
				if want[k] < n {
					t.Errorf("openapi.yaml: %s has error %s in x-wechatpay-errors that no page lists (%d rows, pages %d); remove it or fix its status/code/source", f.id, k, n, want[k])
				}
			}
			// Every documented error status has a response, and no response is left without codes.
			for status, r := range op.Responses.Map() {
				if status[0] == '4' || status[0] == '5' {
					if _, ok := r.Value.Extensions["x-wechatpay-errors"]; !ok {
						t.Errorf("openapi.yaml: %s response %s has no x-wechatpay-errors", f.id, status)
					}
					mt := r.Value.Content.Get("application/json")
					if mt == nil || (mt.Example == nil && len(mt.Examples) == 0) {
						t.Errorf("openapi.yaml: %s response %s needs an application/json example", f.id, status)
					}
				}
			}
		})
	}
}

// TestSpecErrorTexts checks each row's description and solution word for word. Rows with
// a reported, unfixed defect are skipped with the fix to apply.
func TestSpecErrorTexts(t *testing.T) {
	doc := loadSpec(t)
	rowsByOp := map[string]map[string][]specErrRow{}
	for _, f := range opFacts {
		_, _, op := operation(t, doc, f.id)
		rowsByOp[f.id] = specErrors(t, op)
	}
	for _, e := range errFacts {
		name := fmt.Sprintf("%s/%d/%s/%s/%s", e.op, e.status, e.code, e.source, e.description)
		t.Run(name, func(t *testing.T) {
			rows := rowsByOp[e.op][fmt.Sprint(e.status)]
			for _, r := range rows {
				if r.Code == e.code && r.Source == e.source && r.Description == e.description && r.Solution == e.solution && len(r.Extra) == 0 {
					return
				}
			}
			var near []string
			for _, r := range rows {
				if r.Code == e.code && r.Source == e.source {
					near = append(near, fmt.Sprintf("{description: %q, solution: %q, extra keys: %q}", r.Description, r.Solution, r.Extra))
				}
			}
			msg := fmt.Sprintf("openapi.yaml: %s responses.%d x-wechatpay-errors has no row {code: %s, description: %q, solution: %q, source: %q}; nearest: %v",
				e.op, e.status, e.code, e.description, e.solution, e.source, near)
			t.Error(msg)
		})
	}
}

// TestSpecErrorExamples checks that every example error body is a valid WechatPayError whose code
// is listed in the same response's x-wechatpay-errors.
func TestSpecErrorExamples(t *testing.T) {
	doc := loadSpec(t)
	for _, f := range opFacts {
		_, _, op := operation(t, doc, f.id)
		rows := specErrors(t, op)
		for status, r := range op.Responses.Map() {
			if status == "200" {
				continue
			}
			mt := r.Value.Content.Get("application/json")
			if mt == nil {
				continue // reported by TestSpecErrorCodes
			}
			examples := map[string]any{}
			if mt.Example != nil {
				examples["example"] = mt.Example
			}
			for k, ex := range mt.Examples {
				examples["examples."+k] = ex.Value.Value
			}
			for where, ex := range examples {
				m, _ := ex.(map[string]any)
				code, _ := m["code"].(string)
				msg, _ := m["message"].(string)
				if code == "" || msg == "" {
					t.Errorf("openapi.yaml: %s response %s %s must be {code, message}; got %v", f.id, status, where, ex)
					continue
				}
				listed := false
				for _, row := range rows[status] {
					listed = listed || row.Code == code
				}
				if !listed {
					t.Errorf("openapi.yaml: %s response %s %s uses code %s, which its x-wechatpay-errors does not list", f.id, status, where, code)
				}
			}
		}
	}
}

// decodeExtension re-decodes an extension value into v.
func decodeExtension(ext map[string]any, key string, v any) error {
	raw, ok := ext[key]
	if !ok {
		return fmt.Errorf("%s is missing", key)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// typeName prints a schema's type for a failure message.
func typeName(ts *openapi3.Types) string {
	if ts == nil || len(*ts) == 0 {
		return "<no type>"
	}
	return strings.Join(*ts, "|")
}

// builtinNames are type names that mainstream languages' standard libraries or keywords
// already take; a component schema named like one of them shadows the built-in in
// generated code (openapi-zod-client emits `const Error = …`).
var builtinNames = []string{
	"Array", "Boolean", "Byte", "Class", "Date", "Decimal", "Double", "Enum", "Error", "Exception",
	"Float", "Function", "Integer", "Interface", "List", "Long", "Map", "Number", "Object",
	"Promise", "Record", "Response", "Result", "Set", "Short", "String", "Symbol", "Type",
}

// TestSpecSchemaNamesNotBuiltin keeps component schema names clear of built-in type names.
func TestSpecSchemaNamesNotBuiltin(t *testing.T) {
	doc := loadSpec(t)
	for name := range doc.Components.Schemas {
		if slices.Contains(builtinNames, name) {
			t.Errorf("openapi.yaml: components.schemas.%s shadows a built-in type of JavaScript/Java/Go/…; rename it (e.g. WechatPay%s)", name, name)
		}
	}
}
