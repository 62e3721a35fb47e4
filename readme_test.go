package wxpay_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEExample keeps README.md's Go example identical to the body of Example, which
// the compiler checks.
func TestREADMEExample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)<!-- example: Example -->\n```go\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README.md has no ```go block after <!-- example: Example -->")
	}
	body := regexp.MustCompile(`(?s)\nfunc Example\(\) \{\n(.*?)\n\}\n`).FindSubmatch(src)
	if body == nil {
		t.Fatal("example_test.go has no func Example()")
	}
	want := strings.TrimSpace(dedent(string(body[1])))
	if got := strings.TrimSpace(string(block[1])); got != want {
		t.Errorf("README.md's example differs from func Example in example_test.go; copy it over:\n%s", want)
	}
}

func dedent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.Join(lines, "\n")
}
