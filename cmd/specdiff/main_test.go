package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	testSpec = "../../internal/specdiff/testdata/spec.yaml"
	pagesDir = "../../internal/specdiff/testdata/pages"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	current := filepath.Join(pagesDir, "shop_current.txt")
	markdown := filepath.Join(pagesDir, "shop_markdown.txt")
	edited := filepath.Join(t.TempDir(), "edited.txt")
	text, err := os.ReadFile(current)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(edited, bytes.Replace(text, []byte("404 | SHOP_NOT_EXISTS"), []byte("403 | SHOP_CLOSED | 门店已关闭 | 请联系门店 |\n404 | SHOP_NOT_EXISTS"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	noOp := filepath.Join(t.TempDir(), "noop.txt")
	if err := os.WriteFile(noOp, []byte("只是一段文字\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
	}{
		{"clean", []string{"--spec", testSpec, current, markdown}, 0, ""},
		{"strict fails on the warning", []string{"--strict", "--spec", testSpec, current, markdown}, 1, ""},
		{"gap", []string{"--spec", testSpec, edited}, 1, "QueryShopBalance: error 403 SHOP_CLOSED listed in the page, absent from the spec (edited.txt)\n"},
		{"no pages", []string{"--spec", testSpec}, 2, ""},
		{"bad flag", []string{"--nope", current}, 2, ""},
		{"missing page", []string{"--spec", testSpec, "nope.txt"}, 2, ""},
		{"page without operation", []string{"--spec", testSpec, noOp}, 2, ""},
		{"missing spec", []string{"--spec", "nope.yaml", current}, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if tc.stdout != "" && stdout != tc.stdout {
				t.Errorf("stdout %q, want %q", stdout, tc.stdout)
			}
		})
	}
}

func TestJSON(t *testing.T) {
	code, stdout, stderr := runCmd("--json", "--spec", testSpec, filepath.Join(pagesDir, "shop_current.txt"), filepath.Join(pagesDir, "shop_markdown.txt"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Gaps != 0 || rep.Warnings != 1 || len(rep.Findings) != 1 || len(rep.Pages) != 2 {
		t.Errorf("report %+v", rep)
	}
	if !strings.Contains(stderr, "warning: QueryShopBalance: parameter legacy_flag") {
		t.Errorf("warning not on stderr: %q", stderr)
	}
}

func TestFacts(t *testing.T) {
	code, stdout, _ := runCmd("--facts", filepath.Join(pagesDir, "shop_markdown.txt"))
	if code != 0 || !strings.Contains(stdout, `"layout": "markdown"`) {
		t.Errorf("exit %d, stdout %s", code, stdout)
	}
}

// A page warning (a section the parser does not know) is a warning like any other: it is
// counted in the summary and in --json, and --strict fails on it.
func TestPageWarningsCount(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(pagesDir, "shop_current.txt"))
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "unknown_section.txt")
	text = bytes.Replace(text, []byte("应答参数\n"), []byte("特别须知\n见下文\n应答参数\n"), 1)
	if err := os.WriteFile(page, text, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd("--spec", testSpec, page)
	if code != 0 || !strings.Contains(stderr, "unknown section") || !strings.Contains(stderr, "0 gap(s), 1 warning(s)") {
		t.Errorf("exit %d, stderr %q; want 0 and the page warning counted", code, stderr)
	}
	if code, _, stderr := runCmd("--strict", "--spec", testSpec, page); code != 1 {
		t.Errorf("--strict: exit %d, want 1; stderr %q", code, stderr)
	}
	code, stdout, _ := runCmd("--json", "--spec", testSpec, page)
	var rep report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 || rep.Warnings != 1 || len(rep.PageWarnings) != 1 {
		t.Errorf("--json: exit %d, report %+v (%v)", code, rep, err)
	}
}
