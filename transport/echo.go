package transport

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay/protocol"
)

// echoRule says that an answer's property repeats a request parameter: the operation's
// params[param], named name and located in.
type echoRule struct {
	property, in, name string
	param              int
}

// prepareAnswers reads, once per process, what tells a 2xx answer to this operation from
// any other signed body: the properties each answer echoes from the request (ExtEcho) and
// the required properties of the operation's error answers (code and message), which a
// success never carries. An ExtEcho naming a property or parameter that does not exist is
// an error in openapi.yaml.
func (o *operation) prepareAnswers(op *openapi3.Operation) error {
	o.echo = make(map[int][]echoRule)
	for code, r := range op.Responses.Map() {
		status, err := strconv.Atoi(code)
		if err != nil || r.Value == nil {
			continue
		}
		mt := r.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		schema := mt.Schema.Value
		if status < 200 || status > 299 {
			if len(o.errorShape) == 0 {
				o.errorShape = schema.Required
			}
			continue
		}
		props, ok := schema.Extensions[protocol.ExtEcho].(map[string]any)
		if !ok {
			continue
		}
		for prop, v := range props {
			m, _ := v.(map[string]any)
			r := echoRule{property: prop}
			r.in, _ = m["in"].(string)
			r.name, _ = m["name"].(string)
			if r.param = o.paramIndex(r.in, r.name); schema.Properties[prop] == nil || r.param < 0 {
				return fmt.Errorf("transport: %s of %s: property %q or %s parameter %q is not in openapi.yaml", protocol.ExtEcho, o.id, prop, r.in, r.name)
			}
			o.echo[status] = append(o.echo[status], r)
		}
		if len(o.echo[status]) > 8 {
			return fmt.Errorf("transport: %s of %s: more than 8 echoed properties are not implemented", protocol.ExtEcho, o.id)
		}
		sort.Slice(o.echo[status], func(i, j int) bool { return o.echo[status][i].property < o.echo[status][j].property })
	}
	return nil
}

// members walks the members of a top-level JSON object over its bytes, decoding nothing
// into a map: for it, ok := members(body); ok; { key, raw, more := it.next() … }.
type members struct{ w jsonWalker }

// newMembers starts a walk of body's members; false when body is not a JSON object.
func newMembers(body validJSON) (members, bool) {
	m := members{w: jsonWalker{b: body.b}}
	m.w.space()
	if m.w.b[m.w.i] != '{' {
		return members{}, false
	}
	m.w.i++
	return m, true
}

// next returns the next member's key and the raw JSON of its value; more is false at the end.
func (m *members) next() (key string, raw []byte, more bool) {
	w := &m.w
	w.space()
	if w.b[w.i] == '}' {
		return "", nil, false
	}
	key, err := w.str()
	if err != nil {
		return "", nil, false
	}
	w.space()
	w.i++ // ':'
	w.space()
	start := w.i
	if err := w.value(nil); err != nil {
		return "", nil, false
	}
	raw = w.b[start:w.i]
	w.space()
	if w.b[w.i] == ',' {
		w.i++
	}
	return key, raw, true
}

// jsonString returns the string raw holds, if raw is a JSON string.
func jsonString(raw []byte) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	w := jsonWalker{b: raw}
	s, err := w.str()
	return s, err == nil
}

// answerError is a 2xx answer that is not the answer to this request, though it may be
// signed: checkResponse and checkEcho return it, verify turns it into a *VerificationError.
type answerError struct {
	field, detail string
}

func (e *answerError) Error() string { return e.detail }

// notThisAnswer tells a signed body that answers something else: an error object
// (every required property of the operation's error answers, none declared by the success
// schema) relabelled 2xx, or an object carrying none of the success schema's properties
// (another operation's answer, or {}).
func (o *operation) notThisAnswer(schema *jsonSchema, body validJSON) error {
	if len(schema.props) == 0 {
		return nil
	}
	m, ok := newMembers(body)
	if !ok {
		return nil // not a JSON object: the schema check says why
	}
	var code []byte
	shape := 0 // how many of the error answers' required properties the body has
	for key, raw, more := m.next(); more; key, raw, more = m.next() {
		if schema.declares(key) {
			return nil
		}
		if slices.Contains(o.errorShape, key) {
			shape++
			if key == "code" {
				code = raw
			}
		}
	}
	if len(o.errorShape) > 0 && shape >= len(o.errorShape) {
		c, _ := jsonString(code)
		return &answerError{detail: fmt.Sprintf("the body is an error answer (code %s) under a success status", quoteUntrusted(c))}
	}
	names := make([]string, len(schema.props))
	for i, p := range schema.props {
		names[i] = p.name
	}
	return &answerError{detail: fmt.Sprintf("the body has none of the properties of %s's answer (%s)", o.id, strings.Join(names, ", "))}
}

// checkEcho checks that a 2xx answer repeats the request parameters its schema says it
// echoes (ExtEcho): present and equal whenever the request carries the parameter.
func (c *call) checkEcho(status int, body validJSON) error {
	rules := c.op.echo[status]
	if len(rules) == 0 {
		return nil
	}
	var kept [8][]byte // the raw value of each rule's property, nil when absent
	if m, ok := newMembers(body); ok {
		for key, raw, more := m.next(); more; key, raw, more = m.next() {
			if i := slices.IndexFunc(rules, func(r echoRule) bool { return r.property == key }); i >= 0 && i < len(kept) {
				kept[i] = raw
			}
		}
	}
	for i, r := range rules {
		want, asked := c.vals[r.param], c.given[r.param]
		if !asked {
			continue
		}
		raw, present := kept[i], kept[i] != nil
		got, isString := jsonString(raw)
		if !isString || got != want {
			said := "names no " + r.property
			switch {
			case isString:
				said = "is for " + r.property + " " + quoteUntrusted(got)
			case present:
				said = "gives " + r.property + " as " + quoteUntrusted(string(raw))
			}
			return &answerError{field: r.property, detail: fmt.Sprintf("the answer %s, the request asked for %s", said, quoteUntrusted(want))}
		}
	}
	return nil
}

// declares reports whether s declares property name.
func (s *jsonSchema) declares(name string) bool {
	for _, p := range s.props {
		if p.name == name {
			return true
		}
	}
	return false
}

// answerFailure is the *VerificationError for an answer with header h that failed check r:
// it names the answer's Wechatpay-Serial and Request-ID.
func answerFailure(h http.Header, r Reason, detail string) *VerificationError {
	return &VerificationError{Reason: r, Serial: h.Get(protocol.HeaderSerial), RequestID: h.Get(protocol.HeaderRequestID), Detail: detail}
}

// bodyCheckError turns what checkResponse or checkEcho returned into the *VerificationError
// verify returns: ReasonNotThisAnswer for an answerError, ReasonSchema otherwise; nil for nil.
func bodyCheckError(resp *http.Response, err error) error {
	if err == nil {
		return nil
	}
	if ae, ok := err.(*answerError); ok {
		ve := answerFailure(resp.Header, ReasonNotThisAnswer, ae.detail)
		ve.Field = ae.field
		return ve
	}
	return answerFailure(resp.Header, ReasonSchema, err.Error())
}
