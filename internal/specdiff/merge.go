package specdiff

import (
	"sort"
	"strings"

	"github.com/wxpay-oapi/wxpay/internal/docpage"
)

// Operation is the merged facts of every page describing one method and path.
type Operation struct {
	// Method is the HTTP method.
	Method string `json:"method"`
	// Path is the request path.
	Path string `json:"path"`
	// Title is the newest page's title.
	Title string `json:"title,omitempty"`
	// Updated is the newest page's update date.
	Updated string `json:"updated,omitempty"`
	// UpdatedPage is the page Updated comes from.
	UpdatedPage string `json:"updated_page,omitempty"`
	// Pages are the pages merged, oldest first.
	Pages []PageRef `json:"pages"`
	// Hosts are the hosts any page names.
	Hosts []Sourced[string] `json:"hosts,omitempty"`
	// Merchants are the newest page's 支持商户.
	Merchants []string `json:"merchants,omitempty"`
	// RateLimit is the newest page's 接口限频.
	RateLimit *Sourced[docpage.RateLimit] `json:"rate_limit,omitempty"`
	// Params are the request parameters, each from the newest page that lists it.
	Params []Sourced[docpage.Field] `json:"params,omitempty"`
	// Response are the response fields, each from the newest page that lists it.
	Response []Sourced[docpage.Field] `json:"response,omitempty"`
	// Errors are the error rows of every page.
	Errors []Sourced[docpage.ErrorRow] `json:"errors,omitempty"`
	// Notes are warnings raised while merging.
	Notes []Finding `json:"notes,omitempty"`
}

// PageRef names a merged page and its date.
type PageRef struct {
	// Source is the page's file name.
	Source string `json:"source"`
	// Updated is the page's update date.
	Updated string `json:"updated,omitempty"`
}

// Sourced is a fact together with the page it comes from.
type Sourced[T any] struct {
	// Value is the fact.
	Value T `json:"value"`
	// Page is the page's file name.
	Page string `json:"page"`
}

// Key returns "METHOD path", the key operations are merged by.
func (o *Operation) Key() string { return o.Method + " " + o.Path }

// Merge groups pages by method and path and merges each group: the newest page
// (by update date; for equal dates the later argument) wins for conflicting facts,
// error rows are the union of all pages'.
func Merge(pages []*docpage.Page) []*Operation {
	groups := map[string][]*docpage.Page{}
	var keys []string
	for _, p := range pages {
		if p == nil {
			continue
		}
		k := strings.ToUpper(p.Method) + " " + p.Path
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], p)
	}
	sort.Strings(keys)
	ops := make([]*Operation, 0, len(keys))
	for _, k := range keys {
		ops = append(ops, mergeGroup(groups[k]))
	}
	return ops
}

// mergeGroup merges the pages of one operation.
func mergeGroup(group []*docpage.Page) *Operation {
	sort.SliceStable(group, func(i, j int) bool { return group[i].Updated < group[j].Updated })
	newest := group[len(group)-1]
	op := &Operation{
		Method:      strings.ToUpper(newest.Method),
		Path:        newest.Path,
		Title:       newest.Title,
		Updated:     newest.Updated,
		UpdatedPage: newest.Source,
	}
	var params, response fieldSet
	seenErr := map[string]bool{}
	for _, p := range group {
		op.Pages = append(op.Pages, PageRef{Source: p.Source, Updated: p.Updated})
		for _, h := range p.Hosts {
			if !hasSourced(op.Hosts, h) {
				op.Hosts = append(op.Hosts, Sourced[string]{Value: h, Page: p.Source})
			}
		}
		if len(p.Merchants) > 0 {
			op.Merchants = p.Merchants
		}
		if p.RateLimit != nil {
			op.RateLimit = &Sourced[docpage.RateLimit]{Value: *p.RateLimit, Page: p.Source}
		}
		params.add(p, p.Params)
		response.add(p, p.Response)
		for _, e := range p.Errors {
			k := strings.Join([]string{itoa(e.Status), e.Code, e.Description}, "\x00")
			if !seenErr[k] {
				seenErr[k] = true
				op.Errors = append(op.Errors, Sourced[docpage.ErrorRow]{Value: e, Page: p.Source})
			}
		}
	}
	c := &findings{op: op.Key()}
	op.Params = params.result(c, "parameter")
	op.Response = response.result(c, "response field")
	op.Notes = c.out
	return op
}

// fieldSet merges the fields pages list, newest page winning per field.
type fieldSet struct {
	order  []string
	fields map[string]Sourced[docpage.Field]
	last   *docpage.Page // newest page listing any field
	inLast map[string]bool
}

// fieldKey identifies a field within a page: location and name.
func fieldKey(f docpage.Field) string { return f.In + " " + f.Name }

// add merges the fields of page p, which is newer than every page added before.
func (s *fieldSet) add(p *docpage.Page, fs []docpage.Field) {
	if len(fs) == 0 {
		return
	}
	if s.fields == nil {
		s.fields = map[string]Sourced[docpage.Field]{}
	}
	s.last, s.inLast = p, map[string]bool{}
	for _, f := range fs {
		k := fieldKey(f)
		if _, ok := s.fields[k]; !ok {
			s.order = append(s.order, k)
		}
		s.fields[k] = Sourced[docpage.Field]{Value: f, Page: p.Source}
		s.inLast[k] = true
	}
}

// result returns the merged fields; a field only older pages list is dropped (the
// newest page removed it) with a warning.
func (s *fieldSet) result(c *findings, what string) []Sourced[docpage.Field] {
	var out []Sourced[docpage.Field]
	for _, k := range s.order {
		f := s.fields[k]
		if !s.inLast[k] {
			c.warn(f.Page, what+" "+f.Value.Name, "is only on this older page, not on the newer %s; ignored (the newer page wins)", s.last.Source)
			continue
		}
		out = append(out, f)
	}
	return out
}

// hasSourced reports whether v is among the values of list.
func hasSourced(list []Sourced[string], v string) bool {
	for _, x := range list {
		if x.Value == v {
			return true
		}
	}
	return false
}
