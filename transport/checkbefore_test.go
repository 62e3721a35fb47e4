package transport

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The request checks as they were before a call held its parameters inline (commit
// 7069af7: a map of path parameters, the query parsed into url.Values), kept as the
// reference the checks of call.go and target.go must agree with on every request. The
// one change: names are checked in the order they first appear in the query, where the
// map's order was random (so a query with two faults got either error).

func beforeCheck(ops *operations, req *http.Request) (*operation, map[string]string, url.Values, error) {
	if req.URL.Opaque != "" {
		return nil, nil, nil, &InputError{Reason: "the URL has an opaque part (url.URL.Opaque), which would be sent instead of its path: build the URL with url.Parse or the generated client"}
	}
	op, params := beforeMatch(ops, req.Method, req.URL.EscapedPath())
	if op == nil {
		return nil, nil, nil, &InputError{Reason: fmt.Sprintf("%s %s is not an operation of openapi.yaml "+
			"(a path parameter containing \"/\", \"..\" or \"?\" changes the path)", req.Method, req.URL.EscapedPath())}
	}
	q, err := beforeCheckTarget(op, req.URL, params)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, c := range op.params {
		var v string
		var present bool
		if c.p.In == openapi3.ParameterInPath {
			v, present = params[c.p.Name]
		} else if vs := q[c.p.Name]; len(vs) > 0 {
			v, present = vs[0], true
		}
		if err := c.check(v, present); err != nil {
			return nil, nil, nil, inputError(op.id, c.p, err)
		}
	}
	return op, params, q, nil
}

func beforeMatch(ops *operations, method, escapedPath string) (*operation, map[string]string) {
	segs := strings.Split(escapedPath, "/")
	for _, op := range ops.list {
		if op.route.Method != method || len(op.segments) != len(segs) {
			continue
		}
		var params map[string]string
		ok := true
		for i, t := range op.segments {
			if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
				v, err := url.PathUnescape(segs[i])
				if err != nil {
					ok = false
					break
				}
				if params == nil {
					params = make(map[string]string, 1)
				}
				params[t[1:len(t)-1]] = v
			} else if t != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return op, params
		}
	}
	return nil, nil
}

func beforeCheckTarget(op *operation, u *url.URL, params map[string]string) (url.Values, error) {
	path := u.EscapedPath()
	if i, ok := invalidTargetByte(path, false); ok {
		return nil, &InputError{Operation: op.id, Reason: fmt.Sprintf("the path holds %s at byte %d, which is not valid in a request target: build the URL with url.Parse or the generated client", describeByte(path[i]), i)}
	}
	segs := strings.Split(path, "/")
	for i, t := range op.segments {
		if !strings.HasPrefix(t, "{") || !strings.HasSuffix(t, "}") || i >= len(segs) {
			continue
		}
		name := t[1 : len(t)-1]
		if reason := pathSegmentProblem(segs[i], params[name]); reason != "" {
			return nil, &InputError{Operation: op.id, Parameter: name, In: openapi3.ParameterInPath, Reason: reason}
		}
	}
	raw := u.RawQuery
	if i, ok := invalidTargetByte(raw, true); ok {
		return nil, &InputError{Operation: op.id, In: openapi3.ParameterInQuery, Reason: fmt.Sprintf("the query holds %s at byte %d, which is not valid in a request target and would change the request line: build the query with url.Values", describeByte(raw[i]), i)}
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, &InputError{Operation: op.id, In: openapi3.ParameterInQuery,
			Reason: "the query string cannot be parsed unambiguously (\";\" separator or bad %-escape): build it with url.Values"}
	}
	for _, name := range firstAppearance(raw) {
		vals := q[name]
		if err := beforeCheckQueryName(op, name); err != nil {
			return nil, err
		}
		if len(vals) > 1 {
			return nil, &InputError{Operation: op.id, Parameter: name, In: openapi3.ParameterInQuery,
				Reason: fmt.Sprintf("given %d times: send each parameter once", len(vals))}
		}
		if vals[0] == "" {
			return nil, &InputError{Operation: op.id, Parameter: name, In: openapi3.ParameterInQuery,
				Reason: "given with an empty value: leave an optional parameter out instead"}
		}
	}
	if raw != "" {
		for _, pair := range strings.Split(raw, "&") {
			name, value, _ := strings.Cut(pair, "=")
			n, _ := url.QueryUnescape(name)
			v, _ := url.QueryUnescape(value)
			if pair != url.QueryEscape(n)+"="+url.QueryEscape(v) {
				return nil, &InputError{Operation: op.id, Parameter: truncateForError(n), In: openapi3.ParameterInQuery,
					Reason: "not percent-encoded as url.Values.Encode encodes it, so servers may read it differently: build the query with url.Values"}
			}
		}
	}
	return q, nil
}

// firstAppearance lists the names of a query that url.ParseQuery accepted, each once, in
// the order they first appear.
func firstAppearance(raw string) []string {
	var names []string
	for _, piece := range strings.Split(raw, "&") {
		if piece == "" {
			continue
		}
		name, _, _ := strings.Cut(piece, "=")
		name, _ = url.QueryUnescape(name)
		if !contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func beforeCheckQueryName(op *operation, name string) error {
	var known []string
	for _, p := range op.route.Operation.Parameters {
		if p.Value == nil || p.Value.In != openapi3.ParameterInQuery {
			continue
		}
		if p.Value.Name == name {
			return nil
		}
		known = append(known, p.Value.Name)
	}
	e := &InputError{Operation: op.id, Parameter: truncateForError(name), In: openapi3.ParameterInQuery}
	for _, k := range known {
		if strings.EqualFold(k, name) {
			e.Reason = fmt.Sprintf("not a parameter of openapi.yaml: names are case-sensitive, write %q", k)
			return e
		}
	}
	for _, p := range op.route.Operation.Parameters {
		if p.Value != nil && p.Value.Name == name {
			e.Reason = fmt.Sprintf("openapi.yaml puts this parameter in the %s, not the query", p.Value.In)
			return e
		}
	}
	if len(known) == 0 {
		e.Reason = "not a parameter of openapi.yaml: this operation takes no query parameters"
	} else {
		e.Reason = fmt.Sprintf("not a parameter of openapi.yaml: this operation's query parameters are %s", strings.Join(known, ", "))
	}
	return e
}

// checkCases are path parameters (put in each operation's template) and raw queries; the
// test tries each with each.
var checkCases = struct{ segs, queries []string }{
	segs: []string{"1900000109", "", ".", "..", "%31900000109", "1900000109%3Bx", "a;b", "a/b", "a%2Fb", "%zz",
		"a b", "中", "%E4%B8%AD", "~_.-", "12345678901234567890123456789012345678901234567890"},
	queries: append([]string{"mchid=1900016681", "mchid=1900016681&bal_account_no=abc%2B%2F%3D",
		"bal_account_no=abc%2B%2F%3D&mchid=1900016681", "account_type=BASIC", "account_type=FEES&",
		"account_type=OPERATION&account_type=BASIC", "account_type=&x=1", "x=1&account_type=",
		"account_type=BASIC&mchid=1", "mchid=1&mchid=2&account_type=", "Account_Type=BASIC", "sub_mchid=1",
		"account_type=BASIC#x", "account_type=BASIC HTTP/1.1", "account_type=BASI%43", "=BASIC", "account_type",
		"account_type=BASIC&=x", "mchid=%31900016681", "mchid=1900016681&bal_account_no=" + strings.Repeat("A", 400),
		"mchid=" + strings.Repeat("1", 40)}, queryCases...),
}

// TestCheckLikeBefore: every request of checkCases gets the same answer from the checks as
// from the checks before: the same *InputError, or the same parameter values.
func TestCheckLikeBefore(t *testing.T) {
	ops, err := sharedOperations()
	if err != nil {
		t.Fatal(err)
	}
	for i := range ops.list {
		for _, seg := range checkCases.segs {
			for _, q := range checkCases.queries {
				checkLikeBefore(t, ops, uint8(i), seg, q)
			}
		}
	}
}

func FuzzCheckLikeBefore(f *testing.F) {
	ops, err := sharedOperations()
	if err != nil {
		f.Fatal(err)
	}
	for i := range ops.list {
		for _, q := range checkCases.queries {
			f.Add(uint8(i), checkCases.segs[i%len(checkCases.segs)], q)
		}
	}
	f.Fuzz(func(t *testing.T, op uint8, seg, rawQuery string) {
		checkLikeBefore(t, ops, op, seg, rawQuery)
	})
}

// checkLikeBefore checks a request to ops.list[op%n], seg in place of each path parameter
// (as the escaped path; also as the path itself when seg unescapes), with query rawQuery.
func checkLikeBefore(t *testing.T, ops *operations, op uint8, seg, rawQuery string) {
	o := ops.list[int(op)%len(ops.list)]
	segs := make([]string, len(o.segments))
	for i, s := range o.segments {
		if o.segParam[i] >= 0 {
			s = seg
		}
		segs[i] = s
	}
	escaped := strings.Join(segs, "/")
	for _, u := range []*url.URL{{Path: escaped}, {Path: unescapedOr(escaped), RawPath: escaped}} {
		u.Scheme, u.Host, u.RawQuery = "https", "api.mch.weixin.qq.com", rawQuery
		req := &http.Request{Method: o.route.Method, URL: u, Header: http.Header{}}
		c, err := ops.check(req)
		wop, wpath, wq, werr := beforeCheck(ops, req)
		if werr != nil || err != nil {
			var got, want *InputError
			if !errors.As(err, &got) || !errors.As(werr, &want) || *got != *want {
				t.Fatalf("%s %s?%.100s: got %v, before %v", req.Method, u.EscapedPath(), rawQuery, err, werr)
			}
			continue
		}
		if c.op != wop {
			t.Fatalf("%s %s?%.100s: operation %s, before %s", req.Method, u.EscapedPath(), rawQuery, c.op.id, wop.id)
		}
		for i, p := range c.op.params {
			var want string
			var given bool
			if p.p.In == openapi3.ParameterInPath {
				want, given = wpath[p.p.Name]
			} else if vs := wq[p.p.Name]; len(vs) > 0 {
				want, given = vs[0], true
			}
			if c.vals[i] != want || c.given[i] != given {
				t.Fatalf("%s %s?%.100s: %s %s = %q (given %v), before %q (given %v)", req.Method, u.EscapedPath(), rawQuery,
					p.p.In, p.p.Name, c.vals[i], c.given[i], want, given)
			}
		}
	}
}

func unescapedOr(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
