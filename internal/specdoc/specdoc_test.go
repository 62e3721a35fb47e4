package specdoc

import "testing"

// One parse per process: every caller gets the same document.
func TestLoadOnce(t *testing.T) {
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Load()
	if a != b {
		t.Fatal("Load parsed the spec twice")
	}
	if len(a.Servers) < 2 || a.Paths.Len() == 0 {
		t.Fatalf("embedded openapi.yaml: %d servers, %d paths", len(a.Servers), a.Paths.Len())
	}
}
