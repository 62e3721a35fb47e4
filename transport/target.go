package transport

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The request target (the path and query on the request line) is sent byte for byte as
// url.URL.RequestURI gives it, and signed as such. What is checked against openapi.yaml
// must be exactly what WeChat Pay, and every proxy on the way, reads from those bytes: so
// the target may hold only bytes valid in a request target (RFC 3986), each path parameter
// only unreserved characters, and the query only the operation's own parameters, once
// each, spelled as openapi.yaml spells them and percent-encoded as url.Values encodes them.

// checkTarget checks the escaped path and raw query of c's request against c.op (whose
// template matched the path, giving c its path parameters) and gives c its query
// parameters.
func (c *call) checkTarget(path, raw string) error {
	op := c.op
	if i, ok := invalidTargetByte(path, false); ok {
		return &InputError{Operation: op.id, Reason: fmt.Sprintf("the path holds %s at byte %d, which is not valid in a request target: build the URL with url.Parse or the generated client", describeByte(path[i]), i)}
	}
	var buf [16]string // on the stack: paths of openapi.yaml have a handful of segments
	segs := appendSplit(buf[:0], path, '/')
	for i, p := range op.segParam {
		if p < 0 || i >= len(segs) {
			continue
		}
		if reason := pathSegmentProblem(segs[i], c.vals[p]); reason != "" {
			return &InputError{Operation: op.id, Parameter: op.params[p].p.Name, In: openapi3.ParameterInPath, Reason: reason}
		}
	}

	if i, ok := invalidTargetByte(raw, true); ok {
		return &InputError{Operation: op.id, In: openapi3.ParameterInQuery, Reason: fmt.Sprintf("the query holds %s at byte %d, which is not valid in a request target and would change the request line: build the query with url.Values", describeByte(raw[i]), i)}
	}
	// No parameter of openapi.yaml is an array, so a repeated or unparsable query is
	// ambiguous: this check would read one value while WeChat Pay may act on another.
	if !queryParses(raw) {
		return &InputError{Operation: op.id, In: openapi3.ParameterInQuery,
			Reason: "the query string cannot be parsed unambiguously (\";\" separator or bad %-escape): build it with url.Values"}
	}
	// Each name in the order it first appears: known to the operation, given once, not empty.
	for it := (queryPairs{rest: raw}); ; {
		name, value, ok := it.next()
		if !ok {
			break
		}
		i, err := op.queryParam(name)
		if err != nil {
			return err
		}
		if n := 1 + countQueryName(it, name); n > 1 {
			return &InputError{Operation: op.id, Parameter: name, In: openapi3.ParameterInQuery,
				Reason: fmt.Sprintf("given %d times: send each parameter once", n)}
		}
		if value == "" {
			return &InputError{Operation: op.id, Parameter: name, In: openapi3.ParameterInQuery,
				Reason: "given with an empty value: leave an optional parameter out instead"}
		}
		c.vals[i], c.given[i] = value, true
	}
	for rest, more := raw, raw != ""; more; { // every piece strings.Split gives, empty ones too
		var pair string
		pair, rest, more = strings.Cut(rest, "&")
		if !queryPairEscaped(pair) {
			name, _, _ := strings.Cut(pair, "=")
			n, _ := url.QueryUnescape(name) // queryParses accepted it
			return &InputError{Operation: op.id, Parameter: truncateForError(n), In: openapi3.ParameterInQuery,
				Reason: "not percent-encoded as url.Values.Encode encodes it, so servers may read it differently: build the query with url.Values"}
		}
	}
	return nil
}

// countQueryName counts the pairs named name that it has still to walk.
func countQueryName(it queryPairs, name string) int {
	n := 0
	for {
		k, ok := it.nextName()
		if !ok {
			return n
		}
		if k == name {
			n++
		}
	}
}

// queryParam returns the index in op.params of the query parameter name, or an error
// refusing a name that openapi.yaml does not give the operation's query.
func (op *operation) queryParam(name string) (int, error) {
	if i := op.paramIndex(openapi3.ParameterInQuery, name); i >= 0 {
		return i, nil
	}
	return -1, op.unknownQueryName(name)
}

// unknownQueryName refuses a query parameter that openapi.yaml does not give the operation,
// naming the one meant when only its case differs.
func (op *operation) unknownQueryName(name string) error {
	var known []string
	for _, p := range op.route.Operation.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
			known = append(known, p.Value.Name)
		}
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

// pathSegmentProblem says why a path parameter's segment, as sent (raw) and decoded
// (value), is not exactly the parameter's value, or "".
func pathSegmentProblem(raw, value string) string {
	switch {
	case value == "":
		return "empty"
	case value == "." || value == "..":
		return `"." and ".." are not IDs`
	}
	for i := 0; i < len(value); i++ {
		if !isUnreserved(value[i]) {
			return fmt.Sprintf("holds %s: only letters, digits and \"-._~\" are allowed in a path parameter, since servers and proxies give the others a meaning of their own", describeByte(value[i]))
		}
	}
	if raw != value {
		return "percent-encoded although nothing in it needs encoding: send it as it is"
	}
	return ""
}

// invalidTargetByte returns the index of the first byte of s that may not appear in a
// request target's path (or, when query is set, query): RFC 3986's pchar, "/" (and "?"
// in a query), and "%" only as the start of a %XX escape.
func invalidTargetByte(s string, query bool) (int, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUnreserved(c), strings.IndexByte("!$&'()*+,;=:@/", c) >= 0:
		case c == '?' && query:
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
		default:
			return i, true
		}
	}
	return 0, false
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// describeByte names a byte for an error message, printable or not.
func describeByte(c byte) string {
	if c > ' ' && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

// truncateForError bounds a caller's parameter name echoed in an error.
func truncateForError(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// checkBody refuses a request body for an operation that openapi.yaml gives none (every
// GET): it would be signed and sent, though WeChat Pay reads none. The framing the caller
// set counts too (ContentLength, TransferEncoding, Trailer), since net/http sends it even
// for an empty body.
func (c *call) checkBody(req *http.Request, body []byte) error {
	if c.op.route.Operation.RequestBody != nil {
		return nil
	}
	var what string
	switch {
	case len(body) > 0:
		what = fmt.Sprintf("the request has %d bytes", len(body))
	case req.ContentLength > 0:
		what = fmt.Sprintf("the request declares ContentLength %d", req.ContentLength)
	case len(req.TransferEncoding) > 0:
		what = fmt.Sprintf("the request sets TransferEncoding %q", req.TransferEncoding)
	case len(req.Trailer) > 0:
		what = "the request sets a Trailer"
	default:
		return nil
	}
	return &InputError{Operation: c.op.id,
		Reason: fmt.Sprintf("openapi.yaml gives %s %s no request body, but %s: send none", c.op.route.Method, c.op.route.Path, what)}
}
