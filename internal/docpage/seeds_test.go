package docpage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// seedsDir is where the project keeps the real WeChat Pay pages, beside the repo.
const seedsDir = "../../../shared/seeds"

// TestSeeds parses the real pages, when they are present, and checks that each
// yields an operation without warnings.
func TestSeeds(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(seedsDir, "*.txt"))
	if len(files) == 0 {
		t.Skip("no pages in " + seedsDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			text, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			if testing.Verbose() {
				out, _ := json.MarshalIndent(p, "", "  ")
				t.Logf("%s", out)
			}
			if p.Updated == "" || len(p.Hosts) == 0 || len(p.Params) == 0 || len(p.Response) == 0 {
				t.Errorf("facts missing: updated %q, %d hosts, %d params, %d response fields", p.Updated, len(p.Hosts), len(p.Params), len(p.Response))
			}
			for _, w := range p.Warnings {
				t.Errorf("warning: %s", w)
			}
		})
	}
}
