package specdiff

import (
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// extSource labels a statement of the spec that is not on the operation's page:
// {kind, page, about, note}, or a list of them on an operation (openapi.yaml's
// info.description, "Vendor extensions").
const extSource = "x-wechatpay-source"

// extDefault is the value a spec assumes for an omitted optional parameter.
const extDefault = "x-wechatpay-default"

// source is one x-wechatpay-source entry.
type source struct {
	Kind  string `json:"kind"`
	Page  string `json:"page"`
	About string `json:"about"`
	Note  string `json:"note"`
}

// sources decodes the x-wechatpay-source of exts: one entry or a list.
func sources(exts map[string]any) []source {
	var list []source
	if ext(exts, extSource, &list) {
		return list
	}
	var one source
	if ext(exts, extSource, &one) {
		return []source{one}
	}
	return nil
}

// labelled reports whether exts carry an x-wechatpay-source entry not of kind page whose
// about is one of abouts (any about when abouts is empty).
func labelled(exts map[string]any, abouts ...string) bool {
	for _, s := range sources(exts) {
		if s.Kind == "page" || s.Kind == "" {
			continue
		}
		if len(abouts) == 0 {
			return true
		}
		for _, a := range abouts {
			if strings.EqualFold(s.About, a) {
				return true
			}
		}
	}
	return false
}

// requiredHeaders returns the request headers the spec requires of an operation, each
// with the label abouts that would excuse it: those of the security schemes in every
// requirement (an alternative requirement makes a header optional) and required header
// parameters.
func requiredHeaders(doc *openapi3.T, s *specOp) map[string][]string {
	out := map[string][]string{}
	reqs := doc.Security
	if s.op.Security != nil {
		reqs = *s.op.Security
	}
	count := map[string]int{}
	for _, req := range reqs {
		for scheme := range req {
			if doc.Components == nil || doc.Components.SecuritySchemes[scheme] == nil || doc.Components.SecuritySchemes[scheme].Value == nil {
				continue
			}
			v := doc.Components.SecuritySchemes[scheme].Value
			name := v.Name
			switch {
			case v.Type == "apiKey" && v.In == "header":
			case v.Type == "http" || v.Type == "oauth2" || v.Type == "openIdConnect":
				name = "Authorization"
			default:
				continue
			}
			count[name]++
			out[name] = append(out[name], "security "+scheme)
		}
	}
	for name := range out {
		if count[name] < len(reqs) {
			delete(out, name) // not in every alternative: not required
		}
	}
	for _, p := range s.params() {
		if p.In == "header" && p.Required {
			out[p.Name] = append(out[p.Name], "header "+p.Name)
		}
	}
	return out
}

// compareSources reports what the spec requires or assumes that no page states and no
// x-wechatpay-source labels: a required request header (when the pages list headers at
// all), a required parameter, a default. It also flags labels that no longer label
// anything.
func compareSources(c *findings, doc *openapi3.T, s *specOp, op *Operation) {
	onPage := map[string]bool{}
	pageHeaders := false
	for _, sp := range op.Params {
		onPage[sp.Value.In+" "+strings.ToLower(sp.Value.Name)] = true
		pageHeaders = pageHeaders || sp.Value.In == "header"
	}
	reqHeaders := requiredHeaders(doc, s)
	if pageHeaders {
		names := make([]string, 0, len(reqHeaders))
		for n := range reqHeaders {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			abouts := append(reqHeaders[name], "header "+name)
			switch {
			case !onPage["header "+strings.ToLower(name)] && !labelled(s.op.Extensions, abouts...):
				fd := c.gap(op.UpdatedPage, "header "+name, "is required in the spec (%s), the page does not list it: drop the requirement, or label it with x-wechatpay-source {kind: inferred, about: %q, note: …}",
					strings.Join(reqHeaders[name], ", "), abouts[0])
				fd.SpecValue = "required"
			case onPage["header "+strings.ToLower(name)] && labelled(s.op.Extensions, abouts...):
				c.warn(op.UpdatedPage, "header "+name, "is labelled by x-wechatpay-source as on no page, but the page lists it: remove the label")
			}
		}
	}
	for _, src := range sources(s.op.Extensions) {
		kind, rest, _ := strings.Cut(src.About, " ")
		if kind != "security" && kind != "header" {
			continue
		}
		found := false
		for _, abouts := range reqHeaders {
			for _, a := range abouts {
				found = found || strings.EqualFold(a, src.About)
			}
		}
		if !found && kind == "header" {
			_, found = reqHeaders[rest]
		}
		if !found {
			c.warn("", "x-wechatpay-source", "labels %q, which the operation does not require: remove the label", src.About)
		}
	}
	if len(op.Params) > 0 {
		for _, p := range s.params() {
			if p.In == "header" || onPage[p.In+" "+strings.ToLower(p.Name)] || labelled(p.Extensions) {
				continue
			}
			if p.Required {
				fd := c.gap("", "parameter "+p.Name, "(%s) is required in the spec, on no page: remove it, or label it with x-wechatpay-source", p.In)
				fd.SpecValue = "required"
			} else {
				c.warn("", "parameter "+p.Name, "(%s) is in the spec, on no page", p.In)
			}
		}
	}
	for _, p := range s.params() {
		var def any
		hasExt := ext(p.Extensions, extDefault, &def)
		hasSchema := p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Default != nil
		if (hasExt || hasSchema) && !labelled(p.Extensions, extDefault, "default") {
			what := extDefault
			if !hasExt {
				what = "default"
			}
			fd := c.gap("", "parameter "+p.Name, "has %s, which no page states: label it with x-wechatpay-source {kind: inferred, about: %s, note: …}", what, what)
			fd.SpecValue = what
		}
	}
}
