// Command specdiff reads WeChat Pay API documentation pages saved as plain text and
// prints what openapi.yaml is missing or states differently.
//
//	specdiff [--spec openapi.yaml] [--json] [--strict] [--facts] PAGE.txt...
//
// Gaps (what the spec is missing or states differently, and what it requires or assumes
// that no page states without an x-wechatpay-source label) are printed one a line,
// grouped by operation; --json prints every finding as JSON instead; --facts
// prints what was read from the pages. Exit status: 0 when the spec covers every
// page, 1 when anything is missing or different (with --strict, also on
// warnings), 2 for bad usage or an unreadable page or spec. Warnings go to stderr.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/wxpay-oapi/wxpay/internal/docpage"
	"github.com/wxpay-oapi/wxpay/internal/specdiff"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// report is the --json output.
type report struct {
	Spec     string             `json:"spec"`
	Pages    []string           `json:"pages"`
	Gaps     int                `json:"gaps"`
	Warnings int                `json:"warnings"` // warning findings plus PageWarnings
	Findings []specdiff.Finding `json:"findings"`
	// PageWarnings are what the parser skipped or did not understand, "page: warning".
	PageWarnings []string `json:"page_warnings,omitempty"`
}

// run is the command with its arguments and output streams; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("specdiff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specPath := fs.String("spec", "openapi.yaml", "the OpenAPI `file` to compare the pages with")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	facts := fs.Bool("facts", false, "print the facts extracted from the pages as JSON and exit")
	strict := fs.Bool("strict", false, "fail (exit 1) on warnings too")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: specdiff [--spec openapi.yaml] [--json] [--strict] [--facts] PAGE.txt...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	pages, err := readPages(fs.Args(), stderr)
	if err != nil {
		fmt.Fprintln(stderr, "specdiff:", err)
		return 2
	}
	if *facts {
		return writeJSON(stdout, stderr, pages)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(*specPath)
	if err != nil {
		fmt.Fprintf(stderr, "specdiff: reading spec %s: %v\n", *specPath, err)
		return 2
	}
	found := specdiff.Compare(doc, pages)
	gaps := specdiff.Gaps(found)
	warnings := len(found) - gaps // the warning findings, plus what the parser skipped (readPages printed those)
	for _, p := range pages {
		warnings += len(p.Warnings)
	}
	for _, f := range found {
		if f.Severity == specdiff.Warning {
			fmt.Fprintln(stderr, "warning:", f)
		}
	}
	if *asJSON {
		rep := report{Spec: *specPath, Gaps: gaps, Warnings: warnings, Findings: found}
		for _, p := range pages {
			rep.Pages = append(rep.Pages, p.Source)
			for _, w := range p.Warnings {
				rep.PageWarnings = append(rep.PageWarnings, p.Source+": "+w)
			}
		}
		if rep.Findings == nil {
			rep.Findings = []specdiff.Finding{}
		}
		if code := writeJSON(stdout, stderr, rep); code != 0 {
			return code
		}
	} else {
		for _, f := range found {
			if f.Severity == specdiff.Gap {
				fmt.Fprintln(stdout, f)
			}
		}
		fmt.Fprintf(stderr, "specdiff: %d page(s), %d gap(s), %d warning(s) against %s\n", len(pages), gaps, warnings, *specPath)
	}
	if gaps > 0 || *strict && warnings > 0 {
		return 1
	}
	return 0
}

// readPages reads and parses every page, printing parser warnings to stderr.
func readPages(paths []string, stderr io.Writer) ([]*docpage.Page, error) {
	var pages []*docpage.Page
	for _, path := range paths {
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		p, err := docpage.Parse(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		p.Source = filepath.Base(path)
		for _, w := range p.Warnings {
			fmt.Fprintf(stderr, "warning: %s: %s\n", p.Source, w)
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// writeJSON prints v as indented JSON and returns the exit status.
func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(stderr, "specdiff:", err)
		return 2
	}
	return 0
}
