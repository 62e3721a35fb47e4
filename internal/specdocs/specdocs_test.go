package specdocs_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay/internal/specdocs"
)

// repoSpec is the repository's openapi.yaml (the bytes wxpay.Spec embeds).
func repoSpec(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serve mounts h the way the README tells the mock to, and returns the server.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for _, p := range specdocs.Paths() {
		mux.Handle(p, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

func TestServesSpecYAML(t *testing.T) {
	spec := repoSpec(t)
	srv := serve(t, specdocs.Handler(spec))
	res, body := get(t, http.MethodGet, srv.URL+"/openapi.yaml")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.yaml: %s", res.Status)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/yaml; charset=utf-8" {
		t.Errorf("GET /openapi.yaml: Content-Type %q, want application/yaml; charset=utf-8", ct)
	}
	if body != string(spec) {
		t.Errorf("GET /openapi.yaml: body differs from the spec given to Handler")
	}
}

func TestServesSpecJSON(t *testing.T) {
	srv := serve(t, specdocs.Handler(repoSpec(t)))
	res, body := get(t, http.MethodGet, srv.URL+"/openapi.json")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json: %s", res.Status)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET /openapi.json: Content-Type %q", ct)
	}
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("GET /openapi.json: not JSON: %v", err)
	}
	_, ecom := doc.Paths["/v3/ecommerce/fund/balance/{sub_mchid}"]
	_, channel := doc.Paths["/v3/aggracct-bc/wb-channel/account/balance"]
	if doc.OpenAPI != "3.0.3" || !ecom || !channel {
		t.Errorf("GET /openapi.json: openapi %q with paths %v; want 3.0.3 with both balance operations", doc.OpenAPI, doc.Paths)
	}
}

func TestDocsPage(t *testing.T) {
	spec := repoSpec(t)
	srv := serve(t, specdocs.Handler(spec))
	res, page := get(t, http.MethodGet, srv.URL+"/docs")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /docs: %s", res.Status)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET /docs: Content-Type %q, want text/html; charset=utf-8", ct)
	}
	if res.Header.Get("X-Docs-Renderer") != "" {
		t.Errorf("GET /docs: served a Redoc file without WithRedocFile")
	}

	want := []string{
		// both operations: id, method + path, summary
		`id="op-QueryAccountBalance"`, `id="op-QueryECommerceBalance"`,
		"/v3/aggracct-bc/wb-channel/account/balance", "/v3/ecommerce/fund/balance/{sub_mchid}",
		"查询渠道额度 — query the channel quota of a balance account",
		"查询二级商户账户实时余额 — query a sub-merchant&#39;s real-time account balance",
		// servers
		"https://api.mch.weixin.qq.com", "https://api2.mch.weixin.qq.com",
		// parameters with their limits, enum, encrypted marker and examples
		"mchid", "length 1..32", "bal_account_no", "length 1..1024", `title="x-wechatpay-encrypted: true"`,
		"8609cb22e1774a50a930e414cc71eca06121bcd266335cda230d24a7886a8d9f",
		"sub_mchid", "account_type", "<code>DEPOSIT</code> — 保证金账户",
		// rate limit
		"x-wechatpay-rate-limit", "100 requests per second per", "单查询渠道额度目标商户号100qps",
		// security schemes
		`id="security-WechatPayAuthorization"`, `id="security-WechatPaySerial"`, "WECHATPAY2-SHA256-RSA2048",
		"WechatPayAuthorization and WechatPaySerial",
		// schemas and their fields
		`id="schema-ECommerceBalance"`, `id="schema-AccountBalance"`, `id="schema-WechatPayError"`, "available_amount", "in_transit_reduction_exist",
		// headers
		"Wechatpay-Signature", "Request-ID",
		// error-code tables
		`<table class="errors">`, "错误码 (x-wechatpay-errors), HTTP 403",
	}
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("GET /docs: page lacks %q", w)
		}
	}

	// Every status/code of every x-wechatpay-errors row shows up in an error table, once
	// per operation that lists it.
	codes := regexp.MustCompile(`<td class="code">([A-Z_]+)</td>`).FindAllStringSubmatch(page, -1)
	count := map[string]int{}
	for _, m := range codes {
		count[m[1]]++
	}
	for code, min := range map[string]int{
		"PARAM_ERROR": 4, "INVALID_REQUEST": 4, "SIGN_ERROR": 2, "FREQUENCY_LIMITED": 2, "SYSTEM_ERROR": 3,
		"NO_AUTH": 4, "REQUEST_BLOCKED": 1, "NOT_ENOUGH": 1, "CONTRACT_NOT_CONFIRM": 1,
		"ACCOUNT_NOT_VERIFIED": 1, "ACCOUNT_ERROR": 1, "ORDER_NOT_EXISTS": 1,
	} {
		if count[code] < min {
			t.Errorf("GET /docs: error code %s in %d table rows, want at least %d", code, count[code], min)
		}
	}
	for _, text := range []string{"你无权查询该商户余额", "受理关系无效", "输入账户类型未开通", "提现单号不存在", "请降低频率后重试"} {
		if !strings.Contains(page, text) {
			t.Errorf("GET /docs: error tables lack %q", text)
		}
	}

	// Self-contained: no scripts, stylesheets, images or fonts from anywhere.
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("GET /docs: page contains %q; it must load nothing", bad)
		}
	}
	// The Markdown error tables of descriptions are replaced by the x-wechatpay-errors tables.
	if strings.Contains(page, "|---|") {
		t.Errorf("GET /docs: raw Markdown table left in the page")
	}
}

func TestMethodsAndPaths(t *testing.T) {
	srv := serve(t, specdocs.Handler(repoSpec(t)))
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodHead, "/openapi.yaml", http.StatusOK},
		{http.MethodHead, "/docs", http.StatusOK},
		{http.MethodPost, "/docs", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/openapi.yaml", http.StatusMethodNotAllowed},
	} {
		res, body := get(t, c.method, srv.URL+c.path)
		if res.StatusCode != c.status {
			t.Errorf("%s %s: %s, want %d", c.method, c.path, res.Status, c.status)
		}
		if c.method == http.MethodHead && body != "" {
			t.Errorf("HEAD %s: body of %d bytes", c.path, len(body))
		}
	}
	// Mounted on the whole tree, other paths are not the handler's.
	whole := httptest.NewServer(specdocs.Handler(repoSpec(t)))
	defer whole.Close()
	if res, _ := get(t, http.MethodGet, whole.URL+"/v3/ecommerce/fund/balance/1"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET an API path: %s, want 404", res.Status)
	}
}

func TestWithRedocFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "index.html")
	const redoc = "<!doctype html><title>prebuilt redoc</title>"
	if err := os.WriteFile(file, []byte(redoc), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, specdocs.Handler(repoSpec(t), specdocs.WithRedocFile(file)))
	res, body := get(t, http.MethodGet, srv.URL+"/docs")
	if res.StatusCode != http.StatusOK || body != redoc || res.Header.Get("X-Docs-Renderer") != "redoc" {
		t.Errorf("GET /docs with WithRedocFile: %s %q", res.Status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET /docs with WithRedocFile: Content-Type %q", ct)
	}

	// Without the file, the built-in page is served.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	res, body = get(t, http.MethodGet, srv.URL+"/docs")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="op-QueryECommerceBalance"`) {
		t.Errorf("GET /docs with a missing Redoc file: %s; want the built-in page", res.Status)
	}
}

func TestBrokenSpec(t *testing.T) {
	broken := []byte("openapi: 3.0.3\ninfo: {title: x\n")
	srv := serve(t, specdocs.Handler(broken))
	if res, body := get(t, http.MethodGet, srv.URL+"/openapi.yaml"); res.StatusCode != http.StatusOK || body != string(broken) {
		t.Errorf("GET /openapi.yaml of a broken spec: %s; want the bytes as given", res.Status)
	}
	for _, p := range []string{"/docs", "/openapi.json"} {
		if res, body := get(t, http.MethodGet, srv.URL+p); res.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "specdocs:") {
			t.Errorf("GET %s of a broken spec: %s %q; want 500 with the parse error", p, res.Status, body)
		}
	}
}

func TestDescriptionsAreEscaped(t *testing.T) {
	spec := strings.Replace(string(repoSpec(t)),
		"summary: 查询渠道额度 — query the channel quota of a balance account",
		"summary: 查询渠道额度 <script>alert(1)</script>", 1)
	spec = strings.Replace(spec,
		"  description: |\n    微信支付 APIv3 的两个余额查询接口",
		"  description: |\n    <img src=x onerror=alert(1)> **bold** `code`\n\n    微信支付 APIv3 的两个余额查询接口", 1)
	srv := serve(t, specdocs.Handler([]byte(spec)))
	_, page := get(t, http.MethodGet, srv.URL+"/docs")
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img src=x") {
		t.Fatalf("GET /docs: markup from the spec reached the page unescaped")
	}
	for _, w := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt; <strong>bold</strong> <code>code</code>"} {
		if !strings.Contains(page, w) {
			t.Errorf("GET /docs: page lacks %q", w)
		}
	}
}
