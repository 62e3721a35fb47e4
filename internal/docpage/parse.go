package docpage

import (
	"errors"
	"strings"
)

// ErrNoOperation is returned for text in which no method and path can be found.
var ErrNoOperation = errors.New("no request method and path found (请求方式 / 请求 URL)")

// Parse extracts the facts of a documentation page in either layout. It never
// panics; it returns ErrNoOperation when the text names no method and path.
func Parse(text []byte) (*Page, error) {
	lines := normalize(string(text))
	var p *Page
	if DetectLayout(lines) == LayoutMarkdown {
		p = parseMarkdown(lines)
	} else {
		p = parseCurrent(lines)
	}
	finish(p)
	if p.Method == "" || p.Path == "" {
		return nil, ErrNoOperation
	}
	return p, nil
}

// DetectLayout tells the layout of a page's normalized lines.
func DetectLayout(lines []string) Layout {
	for i, l := range lines {
		if l == "" {
			continue
		}
		if l == "---" && i < 3 {
			return LayoutMarkdown
		}
		if strings.HasPrefix(l, "## ") || (strings.HasPrefix(l, "|") && strings.Contains(l, "变量")) {
			return LayoutMarkdown
		}
	}
	return LayoutCurrent
}

// finish fills in what the layouts leave implicit: parameter locations, the path's
// shape and a title.
func finish(p *Page) {
	p.Path = strings.TrimRight(p.Path, `\`)
	if i := strings.IndexAny(p.Path, "?#"); i >= 0 {
		p.Path = p.Path[:i]
	}
	p.Title = strings.TrimSpace(p.Title)
	for i := range p.Params {
		f := &p.Params[i]
		switch {
		case f.In != "":
		case strings.Contains(p.Path, "{"+f.Name+"}"):
			f.In = "path"
		case p.Method == "GET" || p.Method == "DELETE" || p.Method == "HEAD":
			f.In = "query"
		default:
			f.In = "body"
		}
		if f.In == "path" && !strings.Contains(p.Path, "{"+f.Name+"}") {
			p.Warnings = append(p.Warnings, "path parameter "+quote(f.Name)+" is not in the path "+quote(p.Path))
		}
	}
}
