package wxpay_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update-readme", false, "copy the Example bodies into README.md's example blocks")

// exampleBlock is a ```go block of README.md introduced by <!-- example: NAME -->.
var exampleBlock = regexp.MustCompile("(?s)<!-- example: ([A-Za-z0-9_.]+) -->\n( *)```go\n(.*?)```")

// TestREADMEExamples keeps README.md's Go snippets compiled and gofmt'd: every ```go block
// follows an <!-- example: NAME --> marker, and its text is the body of func NAME in this
// package's tests (PKG.NAME: in directory PKG's, e.g. wxpaytest, or the optional modules
// redislimit and otelwxpay, whose own test runs compile those Examples).
// go test -run TestREADMEExamples -update-readme . copies the bodies over.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	marked := map[int]bool{}
	for _, m := range exampleBlock.FindAllSubmatchIndex(readme, -1) {
		marked[m[4]] = true // the block's start
	}
	for i, line := range strings.Split(string(readme), "\n") {
		if strings.TrimSpace(line) == "```go" && !marked[lineStart(readme, i)] {
			t.Errorf("README.md:%d: a ```go block without <!-- example: NAME --> before it: make it the body of an Example, so the compiler checks it", i+1)
		}
	}
	out := exampleBlock.ReplaceAllFunc(readme, func(block []byte) []byte {
		m := exampleBlock.FindSubmatch(block)
		name, indent := string(m[1]), string(m[2])
		got := strings.TrimSuffix(string(m[3]), indent) // the closing fence's indentation
		dir := "."
		if pkg, fn, ok := strings.Cut(name, "."); ok {
			dir, name = pkg, fn // a package directory of this repository, or an optional module's
		}
		body, err := exampleBody(dir, name)
		if err != nil {
			t.Error(err)
			return block
		}
		want := ""
		for _, l := range strings.Split(body, "\n") {
			if l != "" {
				l = indent + l
			}
			want += l + "\n"
		}
		if got != want && !*updateREADME {
			t.Errorf("README.md's block for %s differs from func %s in %s; run go test -run TestREADMEExamples -update-readme . — want:\n%s", m[1], name, dir, want)
		}
		return []byte("<!-- example: " + string(m[1]) + " -->\n" + indent + "```go\n" + want + indent + "```")
	})
	if *updateREADME {
		if err := os.WriteFile("README.md", out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// lineStart returns the offset of line i (0-based) in b.
func lineStart(b []byte, i int) int {
	off := 0
	for ; i > 0; i-- {
		off += strings.IndexByte(string(b[off:]), '\n') + 1
	}
	return off
}

// exampleBody returns the body of func name() in dir's _test.go files, one tab less indented.
func exampleBody(dir, name string) (string, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	re := regexp.MustCompile(`(?s)\nfunc ` + regexp.QuoteMeta(name) + `\(\) \{\n(.*?)\n\}\n`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		if m := re.FindSubmatch(src); m != nil {
			lines := strings.Split(string(m[1]), "\n")
			var keep []string
			for _, l := range lines {
				if strings.HasPrefix(strings.TrimSpace(l), "// Output:") {
					break // the checked output is the test's, not the reader's
				}
				keep = append(keep, strings.TrimPrefix(l, "\t"))
			}
			return strings.TrimRight(strings.Join(keep, "\n"), "\n"), nil
		}
	}
	return "", &os.PathError{Op: "find func " + name, Path: dir, Err: os.ErrNotExist}
}
