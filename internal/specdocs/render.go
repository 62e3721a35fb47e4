package specdocs

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed page.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("page").Parse(pageTemplate))

// page is what the template shows; everything is plain strings, sorted.
type page struct {
	Title       string
	Version     string
	Description template.HTML
	ContactURL  string
	Servers     []server
	Security    []securityScheme
	Operations  []operation
	Schemas     []schemaView
	Headers     []headerView
}

type server struct{ URL, Description string }

type securityScheme struct {
	Name, Type, In, HeaderName string
	Description                template.HTML
}

type operation struct {
	Anchor      string
	ID          string
	Method      string
	Path        string
	Summary     string
	Description template.HTML
	Tags        []string
	Updated     string
	Merchants   []string
	RateLimit   *rateLimit
	Security    []string
	Parameters  []parameter
	Responses   []response
}

type rateLimit struct {
	QPS         string
	Key         string
	In          string
	Description string
}

type parameter struct {
	Name        string
	In          string
	Required    bool
	Type        string
	Limits      string
	Enum        []enumValue
	Encrypted   bool
	Example     string
	Description template.HTML
}

type enumValue struct{ Value, Meaning string }

type response struct {
	Status      string
	Description template.HTML
	Headers     []string
	ContentType string
	SchemaName  string
	Example     string
	Errors      []errorRow
}

type errorRow struct{ Code, Description, Solution, Source string }

type schemaView struct {
	Name        string
	Anchor      string
	Type        string
	Description template.HTML
	Enum        []enumValue
	Fields      []field
	Example     string
}

type field struct {
	Name        string
	Type        string
	Required    bool
	Limits      string
	Description template.HTML
	Example     string
	Ref         string
}

type headerView struct {
	Name, Type, Example string
	Description         template.HTML
}

// Render builds the self-contained HTML reference of doc.
func Render(doc *openapi3.T) ([]byte, error) {
	p := buildPage(doc)
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		return nil, fmt.Errorf("specdocs: render page: %w", err)
	}
	return buf.Bytes(), nil
}

func buildPage(doc *openapi3.T) page {
	p := page{}
	if doc.Info != nil {
		p.Title = doc.Info.Title
		p.Version = doc.Info.Version
		p.Description = markdown(doc.Info.Description)
		if doc.Info.Contact != nil {
			p.ContactURL = doc.Info.Contact.URL
		}
	}
	for _, s := range doc.Servers {
		p.Servers = append(p.Servers, server{URL: s.URL, Description: s.Description})
	}
	for _, name := range sortedKeys(doc.Components.SecuritySchemes) {
		ref := doc.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		s := ref.Value
		p.Security = append(p.Security, securityScheme{Name: name, Type: s.Type, In: s.In, HeaderName: s.Name, Description: markdown(s.Description)})
	}
	paths := doc.Paths.Keys()
	sort.Strings(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		for _, method := range sortedKeys(ops) {
			p.Operations = append(p.Operations, buildOperation(doc, method, path, ops[method]))
		}
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		if ref := doc.Components.Schemas[name]; ref != nil && ref.Value != nil {
			p.Schemas = append(p.Schemas, buildSchema(name, ref.Value))
		}
	}
	for _, name := range sortedKeys(doc.Components.Headers) {
		ref := doc.Components.Headers[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		h := headerView{Name: name, Description: markdown(ref.Value.Description), Example: exampleText(ref.Value.Example)}
		if ref.Value.Schema != nil && ref.Value.Schema.Value != nil {
			h.Type = typeName(ref.Value.Schema.Value)
		}
		p.Headers = append(p.Headers, h)
	}
	return p
}

func buildOperation(doc *openapi3.T, method, path string, op *openapi3.Operation) operation {
	o := operation{
		Anchor:      "op-" + op.OperationID,
		ID:          op.OperationID,
		Method:      method,
		Path:        path,
		Summary:     op.Summary,
		Description: markdown(op.Description),
		Tags:        op.Tags,
		Updated:     stringExt(op.Extensions, "x-wechatpay-updated"),
	}
	if ms, ok := op.Extensions["x-wechatpay-merchants"].([]any); ok {
		for _, m := range ms {
			o.Merchants = append(o.Merchants, fmt.Sprint(m))
		}
	}
	if rl, ok := op.Extensions["x-wechatpay-rate-limit"].(map[string]any); ok {
		o.RateLimit = &rateLimit{
			QPS:         scalarText(rl["qps"]),
			Key:         scalarText(rl["key"]),
			In:          scalarText(rl["in"]),
			Description: scalarText(rl["description"]),
		}
	}
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	for _, req := range reqs {
		o.Security = append(o.Security, strings.Join(sortedKeys(req), " and "))
	}
	for _, ref := range op.Parameters {
		if ref == nil || ref.Value == nil {
			continue
		}
		o.Parameters = append(o.Parameters, buildParameter(ref.Value, ref.Value.Schema))
	}
	for _, status := range sortedKeys(op.Responses.Map()) {
		ref := op.Responses.Value(status)
		if ref == nil || ref.Value == nil {
			continue
		}
		o.Responses = append(o.Responses, buildResponse(status, ref.Value))
	}
	return o
}

func buildParameter(p *openapi3.Parameter, sref *openapi3.SchemaRef) parameter {
	v := parameter{
		Name:        p.Name,
		In:          p.In,
		Required:    p.Required,
		Description: markdown(p.Description),
		Example:     exampleText(p.Example),
	}
	if enc, ok := p.Extensions["x-wechatpay-encrypted"].(bool); ok && enc {
		v.Encrypted = true
	}
	if sref != nil && sref.Value != nil {
		s := sref.Value
		v.Type = typeName(s)
		if name := refName(sref.Ref); name != "" {
			v.Type += " (" + name + ")"
		}
		v.Limits = limits(s)
		v.Enum = enumValues(s)
	}
	return v
}

func buildResponse(status string, r *openapi3.Response) response {
	v := response{Status: status}
	if r.Description != nil {
		v.Description = markdown(stripMarkdownTables(*r.Description))
	}
	v.Headers = sortedKeys(r.Headers)
	// Our responses have one content type (application/json); show the first.
	if cts := sortedKeys(r.Content); len(cts) > 0 {
		ct := cts[0]
		mt := r.Content[ct]
		v.ContentType = ct
		if mt.Schema != nil {
			v.SchemaName = refName(mt.Schema.Ref)
			if v.SchemaName == "" && mt.Schema.Value != nil {
				v.SchemaName = typeName(mt.Schema.Value)
			}
		}
		switch {
		case mt.Example != nil:
			v.Example = exampleText(mt.Example)
		case len(mt.Examples) > 0:
			var parts []string
			for _, name := range sortedKeys(mt.Examples) {
				if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
					parts = append(parts, "// "+name+"\n"+exampleText(ex.Value.Value))
				}
			}
			v.Example = strings.Join(parts, "\n")
		}
	}
	if rows, ok := r.Extensions["x-wechatpay-errors"].([]any); ok {
		for _, row := range rows {
			m, _ := row.(map[string]any)
			v.Errors = append(v.Errors, errorRow{
				Code:        scalarText(m["code"]),
				Description: scalarText(m["description"]),
				Solution:    scalarText(m["solution"]),
				Source:      scalarText(m["source"]),
			})
		}
	}
	return v
}

func buildSchema(name string, s *openapi3.Schema) schemaView {
	v := schemaView{
		Name:        name,
		Anchor:      "schema-" + name,
		Type:        typeName(s),
		Description: markdown(s.Description),
		Enum:        enumValues(s),
		Example:     exampleText(s.Example),
	}
	for _, fname := range sortedKeys(s.Properties) {
		ref := s.Properties[fname]
		if ref == nil || ref.Value == nil {
			continue
		}
		f := field{
			Name:        fname,
			Type:        typeName(ref.Value),
			Required:    slices.Contains(s.Required, fname),
			Limits:      limits(ref.Value),
			Description: markdown(ref.Value.Description),
			Example:     exampleText(ref.Value.Example),
			Ref:         refName(ref.Ref),
		}
		if f.Ref != "" {
			f.Type = f.Ref
			f.Description = markdown(firstLine(ref.Value.Description))
		}
		v.Fields = append(v.Fields, f)
	}
	// Required fields first, as the pages list 必填 before 选填.
	sort.SliceStable(v.Fields, func(i, j int) bool { return v.Fields[i].Required && !v.Fields[j].Required })
	return v
}

// typeName is "string", "integer (int64)", "object", "string[]", ….
func typeName(s *openapi3.Schema) string {
	if s.Type == nil || len(*s.Type) == 0 {
		return "any"
	}
	t := strings.Join(*s.Type, " | ")
	if t == "array" && s.Items != nil && s.Items.Value != nil {
		t = typeName(s.Items.Value) + "[]"
	}
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	return t
}

// limits describes length and value bounds, e.g. "length 1..32".
func limits(s *openapi3.Schema) string {
	var parts []string
	if s.MinLength > 0 || s.MaxLength != nil {
		maxLen := "∞"
		if s.MaxLength != nil {
			maxLen = strconv.FormatUint(*s.MaxLength, 10)
		}
		parts = append(parts, fmt.Sprintf("length %d..%s", s.MinLength, maxLen))
	}
	if s.Min != nil || s.Max != nil {
		lo, hi := "-∞", "∞"
		if s.Min != nil {
			lo = strconv.FormatFloat(*s.Min, 'f', -1, 64)
		}
		if s.Max != nil {
			hi = strconv.FormatFloat(*s.Max, 'f', -1, 64)
		}
		parts = append(parts, fmt.Sprintf("value %s..%s", lo, hi))
	}
	if s.Pattern != "" {
		parts = append(parts, "pattern "+s.Pattern)
	}
	return strings.Join(parts, ", ")
}

// enumValues pairs each enum value with its x-enum-descriptions entry.
func enumValues(s *openapi3.Schema) []enumValue {
	descs, _ := s.Extensions["x-enum-descriptions"].([]any)
	var out []enumValue
	for i, e := range s.Enum {
		v := enumValue{Value: fmt.Sprint(e)}
		if i < len(descs) {
			v.Meaning = fmt.Sprint(descs[i])
		}
		out = append(out, v)
	}
	return out
}

// refName is the last segment of a local $ref, or "".
func refName(ref string) string {
	if ref == "" {
		return ""
	}
	return ref[strings.LastIndex(ref, "/")+1:]
}

func stringExt(ext map[string]any, key string) string {
	if v, ok := ext[key]; ok {
		return scalarText(v)
	}
	return ""
}

// scalarText prints a decoded JSON scalar (numbers without a trailing .0).
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// exampleText prints an example: strings as they are, anything else as indented JSON.
func exampleText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// stripMarkdownTables drops Markdown table lines from a description whose table the page
// renders from x-wechatpay-errors instead.
func stripMarkdownTables(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "|") {
			continue
		}
		keep = append(keep, line)
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
