package specdiff

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/wxpay-oapi/wxpay/internal/docpage"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const (
	currentPage  = "testdata/pages/shop_current.txt"
	markdownPage = "testdata/pages/shop_markdown.txt"
)

func loadSpec(t *testing.T, path string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func readPage(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func parsePage(t *testing.T, name, text string) *docpage.Page {
	t.Helper()
	p, err := docpage.Parse([]byte(text))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p.Source = name
	return p
}

// render writes findings one a line, severity first, as the golden files hold them.
func render(fs []Finding) []byte {
	var b bytes.Buffer
	for _, f := range fs {
		b.WriteString(string(f.Severity) + ": " + f.String() + "\n")
	}
	return b.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("findings differ from %s (go test -update accepts):\n%s", path, got)
	}
}

// TestCleanPages checks the two fixture pages (newer current layout, older
// Markdown layout) against the fixture spec: no gap, whatever the page order; the
// only warning is the parameter the newer page dropped.
func TestCleanPages(t *testing.T) {
	doc := loadSpec(t, "testdata/spec.yaml")
	cur := parsePage(t, "shop_current.txt", readPage(t, currentPage))
	md := parsePage(t, "shop_markdown.txt", readPage(t, markdownPage))
	for _, order := range [][]*docpage.Page{{cur, md}, {md, cur}} {
		got := Compare(doc, order)
		if n := Gaps(got); n != 0 {
			t.Errorf("%d gaps:\n%s", n, render(got))
		}
		checkGolden(t, "clean", render(got))
	}
}

// variant is an edit of the current-layout fixture page and the one gap it must cause.
type variant struct {
	name     string
	old, new string // the first old in the page becomes new
	alone    bool   // compare the edited page without the older one
}

var variants = []variant{
	{"new_optional_param", "query 查询参数\n", "query 查询参数\nlimit 选填 integer\n【最大条数】 最大条数\n", false},
	{"changed_max_length", "shop_id 必填 string(32)", "shop_id 必填 string(64)", false},
	{"new_error_code", "404 | SHOP_NOT_EXISTS", "403 | SHOP_CLOSED | 门店已关闭 | 请联系门店 |\n404 | SHOP_NOT_EXISTS", false},
	{"changed_error_description", "403 | NO_AUTH | 你无权查询该门店余额", "403 | NO_AUTH | 你无权查询此门店的余额", false},
	{"new_enum_value", "FEES\n: 手续费账户\n", "FEES\n: 手续费账户\nOPERATION\n: 运营账户\n", false},
	{"changed_enum_meaning", "BASIC\n: 基本账户", "BASIC\n: 主账户", false},
	{"changed_required", "owner_name 选填", "owner_name 必填", false},
	{"new_encrypted_param", "【店主姓名】 【加密】店主姓名\n", "【店主姓名】 【加密】店主姓名\nid_card 选填 string(64)\n【证件号】 【加密】证件号\n", false},
	{"changed_type", "available_amount 必填 integer", "available_amount 必填 string", false},
	{"new_response_field", "应答参数\n200 OK\n", "应答参数\n200 OK\nfrozen_amount 选填 integer\n【冻结金额】 冻结金额\n", false},
	{"changed_rate_limit", "每秒20qps", "每秒50qps", false},
	{"new_host", "https://api2.mch.weixin.qq.com", "https://api3.mch.weixin.qq.com", false},
	{"newer_page", "更新时间:2024.05.01", "更新时间:2025.02.03", false},
	{"new_status", "404 | SHOP_NOT_EXISTS", "409 | SHOP_BUSY | 门店忙 | 稍后重试 |\n404 | SHOP_NOT_EXISTS", false},
	{"new_header", "path 路径参数", "Idempotency-Key 必填 string(64)\n幂等键\npath 路径参数", false},
	{"new_operation", "{shop_id}/balance", "{shop_id}/summary", true},
}

// TestVariants edits the current-layout page one fact at a time and checks that
// each edit is reported exactly once, as a gap, beside the older Markdown page.
func TestVariants(t *testing.T) {
	doc := loadSpec(t, "testdata/spec.yaml")
	base := readPage(t, currentPage)
	md := parsePage(t, "shop_markdown.txt", readPage(t, markdownPage))
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			if !strings.Contains(base, v.old) {
				t.Fatalf("fixture lacks %q", v.old)
			}
			page := parsePage(t, v.name+".txt", strings.Replace(base, v.old, v.new, 1))
			pages := []*docpage.Page{md, page}
			if v.alone {
				pages = pages[1:]
			}
			got := Compare(doc, pages)
			var gaps []Finding
			for _, f := range got {
				if f.Severity == Gap {
					gaps = append(gaps, f)
				}
			}
			if len(gaps) != 1 {
				t.Errorf("want exactly one gap, got %d:\n%s", len(gaps), render(got))
			}
			checkGolden(t, v.name, render(gaps))
		})
	}
}

// TestNewerPageWins checks that a conflicting fact of an older page (shop_id
// string(16) in 2021) loses to the newer page (string(32)) and that an error code
// only the older page lists is still expected in the spec.
func TestNewerPageWins(t *testing.T) {
	doc := loadSpec(t, "testdata/spec.yaml")
	cur := parsePage(t, "shop_current.txt", readPage(t, currentPage))
	oldText := strings.Replace(readPage(t, markdownPage), "| 429    | FREQUENCY_LIMITED |", "| 409    | SHOP_LOCKED       | 门店锁定 | 稍后重试 |\n| 429    | FREQUENCY_LIMITED |", 1)
	md := parsePage(t, "old.txt", oldText)
	got := Compare(doc, []*docpage.Page{cur, md})
	want := "QueryShopBalance: error 409 SHOP_LOCKED listed in the page; the spec has no 409 response (old.txt)"
	if Gaps(got) != 1 || !strings.Contains(string(render(got)), want) {
		t.Errorf("want only %q, got:\n%s", want, render(got))
	}
	ops := Merge([]*docpage.Page{cur, md})
	if len(ops) != 1 || ops[0].Updated != "2024-05-01" || ops[0].RateLimit.Value.QPS != 20 {
		t.Fatalf("merge: %+v", ops)
	}
	for _, p := range ops[0].Params {
		if p.Value.Name == "shop_id" && (p.Value.MaxLength != 32 || p.Page != "shop_current.txt") {
			t.Errorf("shop_id from %s with max length %d, want the newer page's 32", p.Page, p.Value.MaxLength)
		}
	}
}

// TestMissingExtensions checks the spec-side gaps for an operation without the
// WeChat Pay extensions.
func TestMissingExtensions(t *testing.T) {
	doc := loadSpec(t, "testdata/spec.yaml")
	op := doc.Paths.Value("/v3/demo/shops/{shop_id}/balance").Get
	delete(op.Extensions, "x-wechatpay-updated")
	delete(op.Extensions, "x-wechatpay-rate-limit")
	op.Parameters[1].Value.Extensions = nil
	cur := parsePage(t, "shop_current.txt", readPage(t, currentPage))
	got := render(Compare(doc, []*docpage.Page{cur}))
	checkGolden(t, "missing_extensions", got)
}

// TestSeeds runs the real pages, when present, against the repository's spec.
func TestSeeds(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/seeds/*.txt")
	if len(files) == 0 {
		t.Skip("no seed pages beside the repository")
	}
	doc := loadSpec(t, "../../openapi.yaml")
	var pages []*docpage.Page
	for _, f := range files {
		pages = append(pages, parsePage(t, filepath.Base(f), readPage(t, f)))
	}
	got := Compare(doc, pages)
	for _, f := range got {
		if f.Severity == Gap {
			t.Errorf("%s", f)
		} else {
			t.Logf("%s", f)
		}
	}
}

// TestMergeSameDate checks that of two pages with the same date the later
// argument wins, and that pages of different operations stay apart.
func TestMergeSameDate(t *testing.T) {
	a := &docpage.Page{Source: "a", Updated: "2024-01-01", Method: "GET", Path: "/x",
		Params: []docpage.Field{{Name: "id", In: "query", Type: "string", MaxLength: 8}}}
	b := &docpage.Page{Source: "b", Updated: "2024-01-01", Method: "GET", Path: "/x",
		Params: []docpage.Field{{Name: "id", In: "query", Type: "string", MaxLength: 16}}}
	c := &docpage.Page{Source: "c", Method: "POST", Path: "/x"}
	ops := Merge([]*docpage.Page{a, b, c, nil})
	if len(ops) != 2 || ops[0].Key() != "GET /x" || ops[1].Key() != "POST /x" {
		t.Fatalf("ops %+v", ops)
	}
	if got := ops[0].Params[0]; got.Page != "b" || got.Value.MaxLength != 16 {
		t.Errorf("id from %s (max %d), want b (16)", got.Page, got.Value.MaxLength)
	}
}
