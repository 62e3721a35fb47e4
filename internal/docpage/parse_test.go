package docpage

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files and the FuzzParse seed corpus")

// TestParseGolden parses every testdata/*.txt page and compares its facts with
// testdata/NAME.golden.json; -update rewrites the goldens and the fuzz seeds.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", name+".golden.json")
			if *update {
				writeFile(t, golden, got)
				seed := "go test fuzz v1\n[]byte(" + strconv.Quote(string(text)) + ")\n"
				writeFile(t, filepath.Join("testdata", "fuzz", "FuzzParse", name), []byte(seed))
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("facts differ from %s (run go test -update to accept):\n%s", golden, got)
			}
		})
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestParseNoOperation(t *testing.T) {
	for _, text := range []string{"", "\n\n", "请求参数\nfoo 必填 string\n", "---\ntitle: x\n"} {
		if _, err := Parse([]byte(text)); !errors.Is(err, ErrNoOperation) {
			t.Errorf("Parse(%q) error = %v, want ErrNoOperation", text, err)
		}
	}
}

func TestDetectLayout(t *testing.T) {
	for text, want := range map[string]Layout{
		"---\ntitle: x\n---\n":      LayoutMarkdown,
		"标题\n## 请求参数\n":             LayoutMarkdown,
		"| 变量 | 类型 | 必填 |\n":        LayoutMarkdown,
		"标题\n更新时间:2024.01.01\n请求参数": LayoutCurrent,
	} {
		if got := DetectLayout(normalize(text)); got != want {
			t.Errorf("DetectLayout(%q) = %s, want %s", text, got, want)
		}
	}
}

func TestIsCodeSample(t *testing.T) {
	for line, want := range map[string]bool{
		`1curl -X GET \ 2 https://x 3`: true,
		"1package main 2 3import (":    true,
		"1{ 2 \"a\" : 1 3} 4":          true,
		"1":                            true,
		"100qps":                       false,
		"1. 第一步":                       false,
		"mchid 必填 string(32)":          false,
		"1900000109":                   false,
		"1 个商户":                        false,
		"10 | PARAM_ERROR | 参数错误 | 重试 |": false,
	} {
		if got := isCodeSample(line); got != want {
			t.Errorf("isCodeSample(%q) = %v, want %v", line, got, want)
		}
	}
}

func TestParseType(t *testing.T) {
	type res struct {
		typ string
		max int
		ok  bool
	}
	for raw, want := range map[string]res{
		"string(32)":    {"string", 32, true},
		"string[1,64]":  {"string", 64, true},
		"integer":       {"integer", 0, true},
		"int64":         {"integer", 0, true},
		"boolean":       {"boolean", 0, true},
		"array[object]": {"array", 0, true},
		"object":        {"object", 0, true},
		"必填":            {"", 0, false},
		"string(":       {"", 0, false},
		"foo":           {"", 0, false},
	} {
		typ, max, ok := parseType(raw)
		if (res{typ, max, ok}) != want {
			t.Errorf("parseType(%q) = %q %d %v, want %+v", raw, typ, max, ok, want)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"更新时间:2024.11.04收付通": "2024-11-04",
		"'2020-03-13'":       "2020-03-13",
		"2025年9月1日":          "2025-09-01",
		"没有日期":               "",
	} {
		if got := parseDate(in); got != want {
			t.Errorf("parseDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFullWidthFolded(t *testing.T) {
	page := "标题\n请求方式：【ＧＥＴ】/v3/x\n请求参数\nquery 查询参数\nａ 必填 string（８）\n"
	p, err := Parse([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if p.Method != "GET" || len(p.Params) != 1 || p.Params[0].Name != "a" || p.Params[0].MaxLength != 8 {
		t.Errorf("got %+v", p)
	}
}

func TestMarkdownLabelColumnAndNested(t *testing.T) {
	page := `## 接口说明

**请求URL**：https://api.mch.weixin.qq.com/v3/x\
**请求方式**：POST

## 请求参数

| 参数名 | 变量 | 类型[长度限制] | 必填 | 描述 |
| --- | --- | --- | --- | --- |
| 商户号 | mchid | string[1,32] | 是 | body 商户号 |
| +金额 | amount | object | 是 | 金额信息 |
| -总金额 | total | int | 是 | 总金额 |
`
	p, err := Parse([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Params) != 2 || p.Params[0].Name != "mchid" || p.Params[0].MaxLength != 32 || p.Params[0].In != "body" || p.Params[1].Name != "amount" {
		t.Errorf("params %+v", p.Params)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "total") {
		t.Errorf("warnings %q", p.Warnings)
	}
}

// TestTruncatedPages parses every prefix of every fixture (cut at each line) and
// checks that Parse returns facts or ErrNoOperation, never anything else.
func TestTruncatedPages(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(text), "\n")
		for i := range lines {
			prefix := strings.Join(lines[:i], "")
			if _, err := Parse([]byte(prefix)); err != nil && !errors.Is(err, ErrNoOperation) {
				t.Errorf("%s, first %d lines: %v", file, i, err)
			}
			suffix := strings.Join(lines[i:], "")
			if _, err := Parse([]byte(suffix)); err != nil && !errors.Is(err, ErrNoOperation) {
				t.Errorf("%s, from line %d: %v", file, i, err)
			}
		}
	}
}
