package specdiff

import (
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/wxpay-oapi/wxpay/internal/docpage"
)

// TestUnlabelledRequirements edits the fixture (page or spec) so that the spec requires or
// assumes something no page states, and checks that specdiff reports it as the one gap —
// and that an x-wechatpay-source label on the statement clears it.
func TestUnlabelledRequirements(t *testing.T) {
	base := readPage(t, currentPage)
	shopOp := func(doc *openapi3.T) *openapi3.Operation {
		return doc.Paths.Value("/v3/demo/shops/{shop_id}/balance").Get
	}
	inferred := func(about string) map[string]any {
		return map[string]any{"kind": "inferred", "about": about, "note": "test"}
	}
	cases := []struct {
		name    string
		page    func(string) string       // edits the page, nil for none
		spec    func(*openapi3.Operation) // edits the spec
		label   func(*openapi3.Operation) // labels the edit
		subject string                    // the gap's subject
	}{
		{
			name: "header the page does not list",
			page: func(p string) string {
				return strings.Replace(p, "Wechatpay-Serial 必填 string\n【微信支付公钥ID】或【微信支付平台证书序列号】\n", "", 1)
			},
			label: func(op *openapi3.Operation) {
				op.Extensions[extSource] = []any{inferred("security WechatPaySerial")}
			},
			subject: "header Wechatpay-Serial",
		},
		{
			name: "required header parameter",
			spec: func(op *openapi3.Operation) {
				op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: &openapi3.Parameter{
					Name: "Idempotency-Key", In: "header", Required: true, Schema: openapi3.NewStringSchema().NewRef()}})
			},
			label: func(op *openapi3.Operation) {
				op.Extensions[extSource] = map[string]any{"kind": "common-rules", "about": "header Idempotency-Key", "note": "test"}
			},
			subject: "header Idempotency-Key",
		},
		{
			name: "required query parameter",
			spec: func(op *openapi3.Operation) {
				op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: &openapi3.Parameter{
					Name: "mchid", In: "query", Required: true, Schema: openapi3.NewStringSchema().NewRef()}})
			},
			label: func(op *openapi3.Operation) {
				op.Parameters[len(op.Parameters)-1].Value.Extensions = map[string]any{extSource: inferred("parameter")}
			},
			subject: "parameter mchid",
		},
		{
			name: "x-wechatpay-default",
			spec: func(op *openapi3.Operation) {
				op.Parameters.GetByInAndName("query", "account_type").Extensions = map[string]any{extDefault: "BASIC"}
			},
			label: func(op *openapi3.Operation) {
				op.Parameters.GetByInAndName("query", "account_type").Extensions[extSource] = inferred(extDefault)
			},
			subject: "parameter account_type",
		},
		{
			name: "JSON-schema default",
			spec: func(op *openapi3.Operation) {
				p := op.Parameters.GetByInAndName("query", "owner_name")
				s := *p.Schema.Value
				s.Default = "x"
				p.Schema = &openapi3.SchemaRef{Value: &s}
			},
			label: func(op *openapi3.Operation) {
				op.Parameters.GetByInAndName("query", "owner_name").Extensions[extSource] = inferred("default")
			},
			subject: "parameter owner_name",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			text := base
			if tc.page != nil {
				text = tc.page(base)
				if text == base {
					t.Fatal("page edit did not apply")
				}
			}
			page := parsePage(t, "shop_current.txt", text)
			doc := loadSpec(t, "testdata/spec.yaml")
			op := shopOp(doc)
			if tc.spec != nil {
				tc.spec(op)
			}
			got := Compare(doc, []*docpage.Page{page})
			if Gaps(got) != 1 {
				t.Fatalf("want one gap (%s), got:\n%s", tc.subject, render(got))
			}
			for _, f := range got {
				if f.Severity == Gap && f.Subject != tc.subject {
					t.Errorf("gap on %q, want %q:\n%s", f.Subject, tc.subject, render(got))
				}
			}
			if op.Extensions == nil {
				op.Extensions = map[string]any{}
			}
			tc.label(op)
			if got := Compare(doc, []*docpage.Page{page}); Gaps(got) != 0 {
				t.Errorf("labelled, still gaps:\n%s", render(got))
			}
		})
	}
}

// TestStaleLabels checks the warnings for a label that labels nothing: a header the page
// does list, or a requirement the operation no longer has.
func TestStaleLabels(t *testing.T) {
	page := parsePage(t, "shop_current.txt", readPage(t, currentPage))
	doc := loadSpec(t, "testdata/spec.yaml")
	op := doc.Paths.Value("/v3/demo/shops/{shop_id}/balance").Get
	op.Extensions[extSource] = []any{
		map[string]any{"kind": "inferred", "about": "security WechatPaySerial", "note": "on the page after all"},
		map[string]any{"kind": "inferred", "about": "security Gone", "note": "no such requirement"},
	}
	got := string(render(Compare(doc, []*docpage.Page{page})))
	for _, want := range []string{
		"warning: QueryShopBalance: header Wechatpay-Serial is labelled by x-wechatpay-source as on no page, but the page lists it",
		`warning: QueryShopBalance: x-wechatpay-source labels "security Gone", which the operation does not require`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
