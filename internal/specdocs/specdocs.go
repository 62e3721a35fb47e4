// Package specdocs serves the OpenAPI contract beside a running server: the spec itself
// at /openapi.yaml (and /openapi.json) and a readable reference at /docs.
//
// The /docs page is rendered from the spec at start-up with html/template; it is one
// self-contained HTML file (inline CSS, no scripts, no network references) showing the
// servers, every operation with its parameters, responses, schemas and error-code
// tables (x-wechatpay-errors), the security schemes and the rate limit
// (x-wechatpay-rate-limit). A prebuilt Redoc page (`make docs`, docs-build/index.html)
// can be served instead with [WithRedocFile].
//
// Mount the handler on each of [Paths]:
//
//	h := specdocs.Handler(wxpay.Spec())
//	for _, p := range specdocs.Paths() {
//		mux.Handle(p, h)
//	}
package specdocs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Content types of the three documents.
const (
	// ContentTypeYAML is the Content-Type of /openapi.yaml.
	ContentTypeYAML = "application/yaml; charset=utf-8"
	// ContentTypeJSON is the Content-Type of /openapi.json.
	ContentTypeJSON = "application/json; charset=utf-8"
	// ContentTypeHTML is the Content-Type of /docs.
	ContentTypeHTML = "text/html; charset=utf-8"
)

// Paths returns the URL paths the handler answers: /openapi.yaml, /openapi.json and /docs.
func Paths() []string { return []string{"/openapi.yaml", "/openapi.json", "/docs"} }

// Option changes how [Handler] serves the documents.
type Option func(*config)

type config struct {
	redocFile string
}

// WithRedocFile makes /docs serve the prebuilt page at path (e.g. docs-build/index.html
// from `make docs`), read on each request; while that file cannot be read, /docs falls
// back to the built-in page.
func WithRedocFile(path string) Option { return func(c *config) { c.redocFile = path } }

type handler struct {
	cfg     config
	yaml    []byte
	json    []byte
	page    []byte
	pageErr error
	started time.Time
}

// Handler serves spec (the bytes of openapi.yaml) at /openapi.yaml, its JSON form at
// /openapi.json and the rendered reference at /docs; other paths get 404 and methods
// other than GET and HEAD get 405. When spec cannot be parsed, /openapi.yaml is still
// served and the other two answer 500 with the parse error.
func Handler(spec []byte, opts ...Option) http.Handler {
	h := &handler{yaml: bytes.Clone(spec), started: time.Now()}
	for _, o := range opts {
		o(&h.cfg)
	}
	doc, err := Load(spec)
	if err != nil {
		h.pageErr = err
		return h
	}
	if h.json, err = json.MarshalIndent(doc, "", "  "); err != nil {
		h.pageErr = fmt.Errorf("specdocs: encode spec as JSON: %w", err)
		return h
	}
	if h.page, err = Render(doc); err != nil {
		h.pageErr = err
	}
	return h
}

// Load parses and validates an OpenAPI 3 document.
func Load(spec []byte) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("specdocs: parse spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("specdocs: invalid spec: %w", err)
	}
	return doc, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	var ctype string
	switch r.URL.Path {
	case "/openapi.yaml":
		body, ctype = h.yaml, ContentTypeYAML
	case "/openapi.json":
		body, ctype = h.json, ContentTypeJSON
	case "/docs", "/docs/":
		body, ctype = h.page, ContentTypeHTML
		if h.cfg.redocFile != "" {
			if b, err := os.ReadFile(h.cfg.redocFile); err == nil {
				body = b
				w.Header().Set("X-Docs-Renderer", "redoc")
			}
		}
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if body == nil {
		http.Error(w, fmt.Sprint(h.pageErr), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if ctype == ContentTypeHTML {
		// The built-in page has no scripts and loads nothing; Redoc's page runs its
		// inline bundle and embedded spec, and may show images from the spec.
		w.Header().Set("Content-Security-Policy",
			"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; worker-src blob:; font-src data:")
	}
	http.ServeContent(w, r, "", h.started, bytes.NewReader(body))
}
