package specdiff

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/wxpay-oapi/wxpay/internal/docpage"
)

// Compare merges pages by operation and compares each with the spec. Findings are
// ordered by operation; Gaps counts those that must fail a run.
func Compare(doc *openapi3.T, pages []*docpage.Page) []Finding {
	var out []Finding
	for _, op := range Merge(pages) {
		out = append(out, CompareOperation(doc, op)...)
	}
	sortFindings(out)
	return out
}

// CompareOperation compares the merged facts of one operation with the spec.
func CompareOperation(doc *openapi3.T, op *Operation) []Finding {
	s := findOp(doc, op.Method, op.Path)
	if s == nil {
		c := &findings{op: op.Key()}
		c.gap(op.UpdatedPage, "operation", "listed in the page, absent from the spec (no %s under paths %s)", strings.ToLower(op.Method), op.Path)
		return c.out
	}
	c := &findings{op: s.name}
	for _, n := range op.Notes {
		n.Operation = s.name
		c.out = append(c.out, n)
	}
	compareUpdated(c, s, op)
	compareHosts(c, doc, s, op)
	compareRateLimit(c, s, op)
	compareMerchants(c, s, op)
	compareParams(c, doc, s, op)
	compareSources(c, doc, s, op)
	compareResponse(c, s, op)
	compareErrors(c, s, op)
	return c.out
}

// compareUpdated checks x-wechatpay-updated against the newest page's date.
func compareUpdated(c *findings, s *specOp, op *Operation) {
	if op.Updated == "" {
		return
	}
	var spec string
	if !ext(s.op.Extensions, "x-wechatpay-updated", &spec) {
		f := c.gap(op.UpdatedPage, "x-wechatpay-updated", "absent from the spec; the page is dated %s", op.Updated)
		f.PageValue = op.Updated
		return
	}
	switch {
	case spec < op.Updated:
		f := c.gap(op.UpdatedPage, "update date", "is %s on the page, x-wechatpay-updated is %s: re-read the page and set it", op.Updated, spec)
		f.PageValue, f.SpecValue = op.Updated, spec
	case spec > op.Updated:
		f := c.warn(op.UpdatedPage, "update date", "is %s on the newest page given, the spec says %s: is the saved page outdated?", op.Updated, spec)
		f.PageValue, f.SpecValue = op.Updated, spec
	}
}

// compareHosts checks every page host is a server of the operation.
func compareHosts(c *findings, doc *openapi3.T, s *specOp, op *Operation) {
	srv := servers(doc, s)
	for _, h := range op.Hosts {
		if !contains(srv, strings.TrimRight(h.Value, "/")) {
			f := c.gap(h.Page, "host "+h.Value, "listed in the page, absent from the spec's servers")
			f.PageValue, f.SpecValue = h.Value, strings.Join(srv, ", ")
		}
	}
}

// compareRateLimit checks x-wechatpay-rate-limit against the page's 接口限频.
func compareRateLimit(c *findings, s *specOp, op *Operation) {
	if op.RateLimit == nil {
		return
	}
	rl := op.RateLimit.Value
	if rl.QPS == 0 {
		c.warn(op.RateLimit.Page, "rate limit", "%q on the page gives no qps; check x-wechatpay-rate-limit by hand", rl.Description)
		return
	}
	var spec specRateLimit
	if !ext(s.op.Extensions, "x-wechatpay-rate-limit", &spec) {
		f := c.gap(op.RateLimit.Page, "rate limit", "%d qps (%s) on the page, x-wechatpay-rate-limit absent from the spec", rl.QPS, rl.Description)
		f.PageValue = strconv.Itoa(rl.QPS)
		return
	}
	if int(spec.QPS) != rl.QPS {
		f := c.gap(op.RateLimit.Page, "rate limit", "is %d qps on the page, %g in the spec's x-wechatpay-rate-limit", rl.QPS, spec.QPS)
		f.PageValue, f.SpecValue = strconv.Itoa(rl.QPS), fmt.Sprint(spec.QPS)
	}
}

// compareMerchants checks x-wechatpay-merchants, when the spec has it.
func compareMerchants(c *findings, s *specOp, op *Operation) {
	var spec []string
	if len(op.Merchants) == 0 || !ext(s.op.Extensions, "x-wechatpay-merchants", &spec) {
		return
	}
	for _, m := range op.Merchants {
		if !contains(spec, m) {
			f := c.warn(op.UpdatedPage, "merchants", "%s on the page, not in the spec's x-wechatpay-merchants %v", m, spec)
			f.PageValue, f.SpecValue = m, strings.Join(spec, ", ")
		}
	}
}

// compareParams checks the request parameters, header ones against the security
// schemes and the protocol description.
func compareParams(c *findings, doc *openapi3.T, s *specOp, op *Operation) {
	onPage := map[string]bool{}
	body := s.bodySchema()
	for _, sp := range op.Params {
		f := sp.Value
		onPage[f.In+" "+f.Name] = true
		subject := "parameter " + f.Name
		if f.In == "header" {
			if coveredHeader(doc, s, f.Name) {
				continue
			}
			subject = "header " + f.Name
		}
		if f.In == "body" {
			compareField(c, sp.Page, subject, f, propOf(body, f.Name), body != nil && contains(body.Required, f.Name), body != nil && body.Properties[f.Name] != nil)
			continue
		}
		p := s.param(f.In, f.Name)
		if p == nil {
			for _, other := range s.params() {
				if other.Name == f.Name {
					fd := c.gap(sp.Page, subject, "is in %s on the page, in %s in the spec", f.In, other.In)
					fd.PageValue, fd.SpecValue = f.In, other.In
					p = other
				}
			}
		}
		if p == nil {
			fd := c.gap(sp.Page, subject, "(%s, %s, %s) listed in the page, absent from the spec", f.In, requiredWord(f.Required), f.RawType)
			fd.PageValue = describe(f)
			continue
		}
		compareField(c, sp.Page, subject, f, p.Schema, p.Required, true)
		var enc bool
		ext(p.Extensions, "x-wechatpay-encrypted", &enc)
		switch {
		case f.Encrypted && !enc:
			c.gap(sp.Page, subject, "is marked 【加密】 on the page, not x-wechatpay-encrypted in the spec")
		case !f.Encrypted && enc:
			c.warn(sp.Page, subject, "is x-wechatpay-encrypted in the spec, not marked 【加密】 on the page")
		}
	}
}

// coveredHeader reports whether a page's header parameter is covered by the spec:
// by a security scheme (Authorization, Wechatpay-Serial), by the protocol
// description (Accept, Content-Type, User-Agent) or by a header parameter.
func coveredHeader(doc *openapi3.T, s *specOp, name string) bool {
	if headerScheme(doc, s, name) {
		return true
	}
	switch strings.ToLower(name) {
	case "accept", "content-type", "user-agent":
		if mentions(doc, s, name) {
			return true
		}
	}
	return false
}

// compareResponse checks the fields of the successful answer.
func compareResponse(c *findings, s *specOp, op *Operation) {
	if len(op.Response) == 0 {
		return
	}
	schema, status := s.successSchema()
	if schema == nil {
		c.gap(op.UpdatedPage, "response", "has %d fields on the page; the spec's success response has no JSON schema", len(op.Response))
		return
	}
	onPage := map[string]bool{}
	for _, sf := range op.Response {
		f := sf.Value
		onPage[f.Name] = true
		compareField(c, sf.Page, "response field "+f.Name, f, propOf(schema, f.Name), contains(schema.Required, f.Name), schema.Properties[f.Name] != nil)
	}
	for _, name := range sortedKeys(schema.Properties) {
		if !onPage[name] {
			c.warn("", "response field "+name, "is in the spec's %s response, on no page", status)
		}
	}
}

// compareField compares one page field with its spec schema: presence, required,
// type, maximum length and enum values.
func compareField(c *findings, page, subject string, f docpage.Field, ref *openapi3.SchemaRef, required, present bool) {
	if !present {
		fd := c.gap(page, subject, "(%s, %s) listed in the page, absent from the spec", requiredWord(f.Required), f.RawType)
		fd.PageValue = describe(f)
		return
	}
	if f.Required != required {
		fd := c.gap(page, subject, "is %s on the page, %s in the spec", requiredWord(f.Required), requiredWord(required))
		fd.PageValue, fd.SpecValue = requiredWord(f.Required), requiredWord(required)
	}
	if ref == nil || ref.Value == nil {
		return
	}
	schema := ref.Value
	if t := schemaType(schema); f.Type != "" && t != "" && t != f.Type {
		fd := c.gap(page, subject, "has type %s on the page (%s), %s in the spec", f.Type, f.RawType, t)
		fd.PageValue, fd.SpecValue = f.Type, t
	}
	if f.MaxLength > 0 {
		switch {
		case schema.MaxLength == nil:
			fd := c.gap(page, subject, "has max length %d on the page, none in the spec", f.MaxLength)
			fd.PageValue = strconv.Itoa(f.MaxLength)
		case *schema.MaxLength != uint64(f.MaxLength):
			fd := c.gap(page, subject, "has max length %d on the page, %d in the spec", f.MaxLength, *schema.MaxLength)
			fd.PageValue, fd.SpecValue = strconv.Itoa(f.MaxLength), strconv.FormatUint(*schema.MaxLength, 10)
		}
	}
	compareEnum(c, page, subject, f.Enum, ref)
}

// compareEnum checks the page's 可选取值 against the schema's enum and
// x-enum-descriptions.
func compareEnum(c *findings, page, subject string, enum []docpage.EnumValue, ref *openapi3.SchemaRef) {
	if len(enum) == 0 {
		return
	}
	values, descs := enumStrings(ref.Value)
	where := "the spec"
	if ref.Ref != "" {
		where = "the spec (" + strings.TrimPrefix(ref.Ref, "#/") + ")"
	}
	if len(values) == 0 {
		var list []string
		for _, e := range enum {
			list = append(list, e.Value)
		}
		fd := c.gap(page, subject, "has values %s on the page, no enum in %s", strings.Join(list, ", "), where)
		fd.PageValue = strings.Join(list, ",")
		return
	}
	onPage := map[string]bool{}
	for _, e := range enum {
		onPage[e.Value] = true
		i := index(values, e.Value)
		if i < 0 {
			fd := c.gap(page, subject, "enum value %s (%s) listed in the page, absent from %s", e.Value, e.Meaning, where)
			fd.PageValue = e.Value
			continue
		}
		if e.Meaning != "" && descs[i] != "" && !sameMeaning(e.Meaning, descs[i]) {
			fd := c.gap(page, subject, "enum value %s means %q on the page, %q in the x-enum-descriptions of %s", e.Value, e.Meaning, descs[i], where)
			fd.PageValue, fd.SpecValue = e.Meaning, descs[i]
		}
	}
	for _, v := range values {
		if !onPage[v] {
			c.warn(page, subject, "enum value %s is in %s, not on the page", v, where)
		}
	}
}

// compareErrors checks every page error row's (status, code, description) is in the
// spec's x-wechatpay-errors for that status (the fake server answers with those
// descriptions, so a reworded one is a gap); differing solutions are warnings.
func compareErrors(c *findings, s *specOp, op *Operation) {
	dates := map[string]string{} // page date -> page
	for _, p := range op.Pages {
		if p.Updated != "" {
			dates[p.Updated] = p.Source
		}
	}
	listed := map[string]bool{}
	for _, se := range op.Errors {
		e := se.Value
		subject := fmt.Sprintf("error %d %s", e.Status, e.Code)
		listed[subject] = true
		rows, ok := s.errors(e.Status)
		if !ok {
			fd := c.gap(se.Page, subject, "listed in the page; the spec has no %d response", e.Status)
			fd.PageValue = e.Description
			continue
		}
		var same []specError
		for _, r := range rows {
			if r.Code == e.Code {
				same = append(same, r)
			}
		}
		if len(same) == 0 {
			fd := c.gap(se.Page, subject, "listed in the page, absent from the spec")
			fd.PageValue = e.Description
			continue
		}
		var match []specError
		for _, r := range same {
			if sameMeaning(e.Description, r.Description) {
				match = append(match, r)
			}
		}
		if len(match) == 0 && e.Description != "" {
			fd := c.gap(se.Page, subject, "description %q on the page is in none of the spec's %s rows", e.Description, e.Code)
			fd.PageValue = e.Description
			continue
		}
		solved := e.Solution == ""
		for _, r := range match {
			solved = solved || sameMeaning(e.Solution, r.Solution)
		}
		if !solved {
			fd := c.warn(se.Page, subject, "solution %q on the page is in none of the spec's %s %q rows", e.Solution, e.Code, e.Description)
			fd.PageValue = e.Solution
		}
	}
	all := s.allErrors()
	for _, status := range sortedKeys(all) {
		odd := s.oddKeys(status)
		for _, i := range sortedKeys(odd) {
			r := all[status][i]
			fd := c.warn("", fmt.Sprintf("error %d %s", status, r.Code), "x-wechatpay-errors entry %q has stray keys %q: an unquoted comma in a YAML flow mapping? quote the value", r.Description, odd[i])
			fd.SpecValue = strings.Join(odd[i], ",")
		}
		for _, r := range all[status] {
			subject := fmt.Sprintf("error %d %s", status, r.Code)
			if page, ok := dates[r.Source]; ok && !listed[subject] {
				c.warn(page, subject, "is in the spec with source %s, but that page does not list it", r.Source)
			}
		}
	}
}

// propOf returns the schema of property name, or nil.
func propOf(s *openapi3.Schema, name string) *openapi3.SchemaRef {
	if s == nil {
		return nil
	}
	return s.Properties[name]
}

// sameMeaning reports whether a page's text and the spec's (often "中文 — English")
// say the same, ignoring spaces, width and a trailing English gloss.
func sameMeaning(page, spec string) bool {
	p, sp := squash(page), squash(spec)
	if p == sp {
		return true
	}
	if head, _, ok := strings.Cut(spec, " — "); ok && squash(head) == p {
		return true
	}
	return p != "" && strings.Contains(sp, p)
}

// squash removes spaces and folds full-width ASCII and common punctuation.
func squash(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '\u3000' || r == '\t' || r == '\n':
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteRune(r - 0xFEE0)
		case r == '。':
			b.WriteRune('.')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimRight(b.String(), ".")
}

// describe renders a page field for a finding's page value.
func describe(f docpage.Field) string {
	s := requiredWord(f.Required) + " " + f.RawType
	if f.Encrypted {
		s += " 【加密】"
	}
	return s
}

// requiredWord says required or optional.
func requiredWord(req bool) string {
	if req {
		return "required"
	}
	return "optional"
}

func contains(list []string, s string) bool { return index(list, s) >= 0 }

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func itoa(i int) string { return strconv.Itoa(i) }

// sortedKeys returns m's keys in order.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
