package server

import (
	"os"
	"strings"
	"testing"
)

// The spec is embedded once, in package generated; a second copy here could drift from it.
func TestSpecEmbeddedOnce(t *testing.T) {
	src, err := os.ReadFile("server.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "swaggerSpec") {
		t.Fatal("server.gen.go embeds its own copy of openapi.yaml: set embedded-spec: false in oapi-codegen.server.yaml")
	}
	doc, err := GetSpec()
	if err != nil || doc.Paths.Len() == 0 {
		t.Fatalf("GetSpec() = %v, %v: want the parsed openapi.yaml", doc, err)
	}
}
