package wxpay_test

// This file checks the labels that tell a page fact from everything else in openapi.yaml:
// x-wechatpay-source on each statement that is not on the operation's page, and
// scope: withdrawal on the 2020 page's error rows that are about withdrawals.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// sourceKinds are the values x-wechatpay-source's kind may take.
var sourceKinds = []string{"page", "common-rules", "inferred"}

// seedPageRE is how a saved documentation page is named (../shared/seeds).
var seedPageRE = regexp.MustCompile(`^\d{3}_[0-9a-f]{16}\.txt$`)

// walkYAML calls fn for every mapping in v with its path.
func walkYAML(path string, v any, fn func(path string, m map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(path, x)
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkYAML(path+"/"+k, x[k], fn)
		}
	case []any:
		for i, e := range x {
			walkYAML(fmt.Sprintf("%s/%d", path, i), e, fn)
		}
	}
}

func specTree(t *testing.T) map[string]any {
	t.Helper()
	raw, err := json.Marshal(loadSpec(t)) // the whole document, $refs kept, extensions included
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// sourceEntries returns the x-wechatpay-source entries of m (one object, or a list).
func sourceEntries(t *testing.T, path string, m map[string]any) []map[string]any {
	t.Helper()
	raw, ok := m["x-wechatpay-source"]
	if !ok {
		return nil
	}
	var list []any
	switch x := raw.(type) {
	case map[string]any:
		list = []any{x}
	case []any:
		list = x
	default:
		t.Errorf("openapi.yaml %s: x-wechatpay-source must be {kind, page, about, note} or a list of them", path)
	}
	var out []map[string]any
	for i, e := range list {
		em, ok := e.(map[string]any)
		if !ok {
			t.Errorf("openapi.yaml %s: x-wechatpay-source[%d] is not a mapping", path, i)
			continue
		}
		out = append(out, em)
	}
	return out
}

// TestSpecSourceLabels checks every x-wechatpay-source: a known kind, a note saying why,
// an about, a page named like a saved page; and that each default, JSON-schema or
// x-wechatpay-default, carries one about it.
func TestSpecSourceLabels(t *testing.T) {
	n := 0
	walkYAML("", specTree(t), func(path string, m map[string]any) {
		for _, e := range sourceEntries(t, path, m) {
			n++
			kind, _ := e["kind"].(string)
			if !slices.Contains(sourceKinds, kind) {
				t.Errorf("openapi.yaml %s: x-wechatpay-source kind %q; use one of %v", path, kind, sourceKinds)
			}
			if note, _ := e["note"].(string); strings.TrimSpace(note) == "" {
				t.Errorf("openapi.yaml %s: x-wechatpay-source needs a note saying where the statement comes from", path)
			}
			if about, _ := e["about"].(string); about == "" {
				t.Errorf("openapi.yaml %s: x-wechatpay-source needs about: the statement it labels", path)
			}
			if page, ok := e["page"]; ok {
				if s, _ := page.(string); !seedPageRE.MatchString(s) {
					t.Errorf("openapi.yaml %s: x-wechatpay-source page %v is not a saved page's file name (NNN_<16 hex>.txt)", path, page)
				}
			}
			for k := range e {
				if !slices.Contains([]string{"kind", "page", "about", "note"}, k) {
					t.Errorf("openapi.yaml %s: x-wechatpay-source has unknown key %q", path, k)
				}
			}
		}
		for _, key := range []string{"default", "x-wechatpay-default"} {
			if _, ok := m[key]; !ok || strings.HasSuffix(path, "/properties") { // not a property named "default"
				continue
			}
			labelled := false
			for _, e := range sourceEntries(t, path, m) {
				labelled = labelled || e["about"] == "x-wechatpay-default" || e["about"] == "default"
			}
			if !labelled {
				t.Errorf("openapi.yaml %s: %s is on no page; label it with x-wechatpay-source {kind: inferred, about: %s, note: …}", path, key, key)
			}
		}
	})
	if n == 0 {
		t.Fatal("openapi.yaml has no x-wechatpay-source at all")
	}
}

// withdrawalRows are the (status, code, solution) of the 2020-03-13 page's rows that are
// about withdrawals (提现), not balance queries.
var withdrawalRows = []string{
	"400 PARAM_ERROR 请使用正确的参数重新调用, 电商平台提交相同商户单号的请求但参数和历史提交的参数不一致",
	"400 INVALID_REQUEST 请确认电商平台商户号和二级商户商户号是否存在受理关系",
	"403 REQUEST_BLOCKED 二级商户号提现权限被冻结, 无法发起提现",
	"403 NOT_ENOUGH 二级商户号账户可用余额不足",
	"403 CONTRACT_NOT_CONFIRM 二级商户号提现权限已关闭, 无法发起提现",
	"403 ACCOUNT_NOT_VERIFIED 二级商户号结算银行卡信息有误, 修改后重试",
	"403 ACCOUNT_ERROR 二级商户号没有绑定结算银行卡, 绑定后重试",
	"404 ORDER_NOT_EXISTS 请检查订单号是否正确",
}

// TestSpecWithdrawalScope checks that exactly the withdrawal rows carry scope: withdrawal,
// and that they are still there (the page lists them).
func TestSpecWithdrawalScope(t *testing.T) {
	doc := loadSpec(t)
	var got []string
	for _, id := range []string{"QueryAccountBalance", "QueryECommerceBalance"} {
		_, _, op := operation(t, doc, id)
		for status, rows := range specErrors(t, op) {
			for _, r := range rows {
				switch r.Scope {
				case "":
				case "withdrawal":
					if id != "QueryECommerceBalance" || r.Source != "2020-03-13" {
						t.Errorf("openapi.yaml: %s %s %s has scope withdrawal; only rows of the 2020-03-13 page are", id, status, r.Code)
					}
					got = append(got, status+" "+r.Code+" "+r.Solution)
				default:
					t.Errorf("openapi.yaml: %s %s %s scope %q; the only scope is withdrawal", id, status, r.Code, r.Scope)
				}
			}
		}
	}
	want := slices.Clone(withdrawalRows)
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("openapi.yaml: rows with scope withdrawal =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
