package docpage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, is deterministic and yields facts
// that hold together, whatever the text. Seeds: testdata/fuzz/FuzzParse (the
// fixtures, written by go test -update) and the fixtures themselves.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		f.Add(text)
		// Small windows of each fixture, behind a minimal header, fuzz faster than
		// the whole pages do.
		lines := strings.Split(string(text), "\n")
		for i := 0; i < len(lines); i += 12 {
			window := lines[i:min(i+12, len(lines))]
			f.Add([]byte("标题\n请求方式:【POST】/v3/x/{id}\n" + strings.Join(window, "\n")))
		}
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		p, err := Parse(text)
		if err != nil {
			if p != nil {
				t.Fatal("page returned with an error")
			}
			return
		}
		if p.Method == "" || p.Path == "" {
			t.Fatalf("no error but method %q path %q", p.Method, p.Path)
		}
		for _, fs := range [][]Field{p.Params, p.Response} {
			for _, fd := range fs {
				if fd.Name == "" || fd.MaxLength < 0 {
					t.Fatalf("bad field %+v", fd)
				}
			}
		}
		for _, fd := range p.Params {
			if fd.In == "" {
				t.Fatalf("parameter %q without location", fd.Name)
			}
		}
		for _, e := range p.Errors {
			if e.Status < 100 || e.Status > 599 || e.Code == "" {
				t.Fatalf("bad error row %+v", e)
			}
		}
		if _, err := json.Marshal(p); err != nil {
			t.Fatal(err)
		}
		again, _ := Parse(text)
		if !reflect.DeepEqual(p, again) {
			t.Fatal("Parse is not deterministic")
		}
	})
}
