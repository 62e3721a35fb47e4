package redislimit_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEExample keeps the repository README's Redis example identical to the body of
// Example, which the compiler checks.
func TestREADMEExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)<!-- example: redislimit.Example -->\n *```go\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README.md has no ```go block after <!-- example: redislimit.Example -->")
	}
	body := regexp.MustCompile(`(?s)\nfunc Example\(\) \{\n(.*?)\n\}\n`).FindSubmatch(src)
	if body == nil {
		t.Fatal("example_test.go has no func Example()")
	}
	if got, want := normalize(string(block[1])), normalize(string(body[1])); got != want {
		t.Errorf("README.md's Redis example differs from func Example in redislimit/example_test.go; copy it over:\n%s", want)
	}
}

// normalize drops each line's indentation, so that the README may indent the block.
func normalize(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}
