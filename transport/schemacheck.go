package transport

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// jsonSchema is a response schema of openapi.yaml compiled once per process, so a 2xx answer
// is checked in one pass over its bytes instead of being decoded into map[string]any for
// kin-openapi: the same checks (types, required properties, enums, lengths, formats,
// nullability) with no allocation on the common path, and two more that a map hides —
// a declared property given twice, or again under another case (encoding/json would
// deliver the last one, matched case-insensitively, whatever the check saw).
// compileSchema refuses keywords it does not implement, so a new one in openapi.yaml fails
// loudly at start-up instead of going unchecked.
type jsonSchema struct {
	typ       string // "object", "array", "string", "integer", "number", "boolean"; "" for any
	nullable  bool
	props     []jsonProp
	items     *jsonSchema
	enum      []string // allowed values of a string
	minLength uint64
	maxLength uint64 // math.MaxUint64 when unbounded
	strFormat openapi3.StringFormatValidator
	intFormat openapi3.IntegerFormatValidator
	format    string
}

type jsonProp struct {
	name     string
	schema   *jsonSchema // nil for a required name that has no schema
	required bool
}

// schemaKeywords are the keywords compileSchema implements, or that do not constrain a value.
var schemaKeywords = map[string]bool{
	"type": true, "format": true, "enum": true, "nullable": true, "properties": true, "required": true,
	"items": true, "minLength": true, "maxLength": true,
	"description": true, "title": true, "example": true, "examples": true, "externalDocs": true,
	"deprecated": true, "readOnly": true, "writeOnly": true, "default": true,
}

// compileSchema compiles s, or says which keyword of it is not implemented.
func compileSchema(s *openapi3.Schema) (*jsonSchema, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, err
	}
	for k := range keys {
		if !schemaKeywords[k] && !strings.HasPrefix(k, "x-") {
			return nil, fmt.Errorf("keyword %q is not implemented by the response check (transport/schemacheck.go)", k)
		}
	}
	c := &jsonSchema{nullable: s.Nullable, minLength: s.MinLength, maxLength: math.MaxUint64, format: s.Format}
	if s.MaxLength != nil {
		c.maxLength = *s.MaxLength
	}
	if s.Type != nil {
		types := slices.DeleteFunc(slices.Clone([]string(*s.Type)), func(t string) bool {
			if t == "null" {
				c.nullable = true
				return true
			}
			return false
		})
		switch len(types) {
		case 0:
		case 1:
			c.typ = types[0]
		default:
			return nil, fmt.Errorf("type %v: more than one type is not implemented", types)
		}
	}
	for _, v := range s.Enum {
		str, ok := v.(string)
		if !ok || c.typ != "string" {
			return nil, errors.New("enum: only enums of strings are implemented")
		}
		c.enum = append(c.enum, str)
	}
	if s.Format != "" {
		switch c.typ {
		case "string":
			if c.strFormat = openapi3.SchemaStringFormats[s.Format]; c.strFormat == nil {
				return nil, fmt.Errorf("format %q of a string is not known", s.Format)
			}
		case "integer":
			if c.intFormat = openapi3.SchemaIntegerFormats[s.Format]; c.intFormat == nil {
				return nil, fmt.Errorf("format %q of an integer is not known", s.Format)
			}
		case "number":
			if s.Format != "float" && s.Format != "double" {
				return nil, fmt.Errorf("format %q of a number is not implemented", s.Format)
			}
		default:
			return nil, fmt.Errorf("format %q of type %q is not implemented", s.Format, c.typ)
		}
	}
	if s.Items != nil && s.Items.Value != nil {
		if c.items, err = compileSchema(s.Items.Value); err != nil {
			return nil, fmt.Errorf("items: %w", err)
		}
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		p := jsonProp{name: name, required: slices.Contains(s.Required, name)}
		if ref := s.Properties[name]; ref != nil && ref.Value != nil {
			if p.schema, err = compileSchema(ref.Value); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		c.props = append(c.props, p)
	}
	for _, name := range s.Required {
		if s.Properties[name] == nil {
			c.props = append(c.props, jsonProp{name: name, required: true})
		}
	}
	if len(c.props) > 64 {
		return nil, errors.New("more than 64 properties are not implemented")
	}
	return c, nil
}

// schemaError is a value the schema refuses, at a path of property names and indexes.
type schemaError struct {
	path   []string // outermost first
	reason string
}

func (e *schemaError) Error() string {
	if len(e.path) == 0 {
		return e.reason
	}
	return strings.Join(e.path, ".") + ": " + e.reason
}

func at(err error, name string) error {
	if se, ok := err.(*schemaError); ok {
		se.path = append([]string{name}, se.path...)
	}
	return err
}

// check reports whether body, one JSON value, is valid JSON that s accepts.
func (s *jsonSchema) check(body []byte) error {
	v, ok := asValidJSON(body)
	if !ok {
		return errNotJSON
	}
	return s.checkValid(v)
}

// checkValid reports whether s accepts v.
func (s *jsonSchema) checkValid(v validJSON) error {
	w := jsonWalker{b: v.b}
	return w.value(s)
}

var errNotJSON = errors.New("not JSON")

// validJSON is a JSON text that json.Valid accepted: jsonWalker walks it without checking
// the syntax again (on other bytes it could index past the end). Only asValidJSON makes
// one, so an answer is checked once and then walked by the not-this-answer check, the
// schema check and the echo check.
type validJSON struct{ b []byte }

// asValidJSON returns b as validJSON when json.Valid accepts it.
func asValidJSON(b []byte) (validJSON, bool) {
	if !json.Valid(b) {
		return validJSON{}, false
	}
	return validJSON{b}, true
}

// jsonWalker walks a JSON text that json.Valid accepted, so it need not check the syntax.
type jsonWalker struct {
	b []byte
	i int
}

func (w *jsonWalker) space() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\r', '\n':
			w.i++
		default:
			return
		}
	}
}

// jsonType names the JSON type of the value that starts with c.
func jsonType(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// numberByte reports whether c can be part of a JSON number.
func numberByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E'
}

// value checks the value at w.i against s (nil: anything) and moves past it.
func (w *jsonWalker) value(s *jsonSchema) error {
	w.space()
	c := w.b[w.i]
	got := jsonType(c)
	if s != nil && s.typ != "" && got != "null" && got != s.typ && (got != "number" || s.typ != "integer") {
		return &schemaError{reason: "value must be " + article(s.typ) + ", not " + article(got)}
	}
	switch c {
	case '{':
		return w.object(s)
	case '[':
		w.i++
		var items *jsonSchema
		if s != nil {
			items = s.items
		}
		for n := 0; ; n++ {
			w.space()
			if w.b[w.i] == ']' {
				w.i++
				return nil
			}
			if err := w.value(items); err != nil {
				return at(err, strconv.Itoa(n))
			}
			w.space()
			if w.b[w.i] == ',' {
				w.i++
			}
		}
	case '"':
		str, err := w.str()
		if err != nil || s == nil {
			return err
		}
		return s.checkString(str)
	case 't':
		w.i += 4
		return nil
	case 'f':
		w.i += 5
		return nil
	case 'n':
		w.i += 4
		if s != nil && s.typ != "" && !s.nullable {
			return &schemaError{reason: "value must be " + article(s.typ) + ", not null"}
		}
		return nil
	}
	start := w.i
	for w.i < len(w.b) && numberByte(w.b[w.i]) {
		w.i++
	}
	return s.checkNumber(w.b[start:w.i])
}

func article(t string) string {
	switch t {
	case "object", "array", "integer":
		return "an " + t
	}
	return "a " + t
}

// str reads a string value, unescaping it only when it has escapes.
func (w *jsonWalker) str() (string, error) {
	start := w.i
	w.i++
	escaped := false
	for w.b[w.i] != '"' {
		if w.b[w.i] == '\\' {
			escaped = true
			w.i++
		}
		w.i++
	}
	w.i++
	raw := w.b[start:w.i]
	if !escaped {
		return unsafeString(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("not JSON")
	}
	return s, nil
}

func (w *jsonWalker) object(s *jsonSchema) error {
	w.i++
	var seen uint64
	for {
		w.space()
		if w.b[w.i] == '}' {
			w.i++
			break
		}
		key, err := w.str()
		if err != nil {
			return err
		}
		w.space()
		w.i++ // ':'
		var sub *jsonSchema
		if s != nil {
			for j, p := range s.props {
				switch {
				case key == p.name:
					if seen&(1<<j) != 0 {
						return &schemaError{reason: fmt.Sprintf("property %q is given twice", p.name)}
					}
					seen |= 1 << j
					sub = p.schema
				case strings.EqualFold(key, p.name):
					return &schemaError{reason: fmt.Sprintf("property %q is also given as %s, which differs only in case", p.name, quoteUntrusted(key))}
				}
			}
		}
		if err := w.value(sub); err != nil {
			return at(err, boundText(key, MaxEchoedText))
		}
		w.space()
		if w.b[w.i] == ',' {
			w.i++
		}
	}
	if s != nil {
		for j, p := range s.props {
			if p.required && seen&(1<<j) == 0 {
				return &schemaError{reason: fmt.Sprintf("property %q is missing", p.name)}
			}
		}
	}
	return nil
}

func (s *jsonSchema) checkString(v string) error {
	if s.minLength > 0 || s.maxLength != math.MaxUint64 {
		n := uint64(utf8.RuneCountInString(v))
		if n < s.minLength {
			return &schemaError{reason: fmt.Sprintf("minimum string length is %d", s.minLength)}
		}
		if n > s.maxLength {
			return &schemaError{reason: fmt.Sprintf("maximum string length is %d", s.maxLength)}
		}
	}
	if s.enum != nil && !slices.Contains(s.enum, v) {
		return &schemaError{reason: "value is not one of the allowed values " + fmt.Sprint(s.enum)}
	}
	if s.strFormat != nil {
		if err := s.strFormat.Validate(v); err != nil {
			return &schemaError{reason: fmt.Sprintf("string doesn't match the format %q", s.format)}
		}
	}
	return nil
}

// checkNumber checks a number literal: a finite float64 always (as decoding it would need),
// and for an integer a whole number written without fraction or exponent that fits int64
// (as decoding it into the generated int64 field needs), within its format's range.
func (s *jsonSchema) checkNumber(lit []byte) error {
	if _, err := strconv.ParseFloat(unsafeString(lit), 64); err != nil {
		return &schemaError{reason: "number out of range"}
	}
	if s == nil || s.typ != "integer" {
		return nil
	}
	n, err := strconv.ParseInt(unsafeString(lit), 10, 64)
	if err != nil {
		return &schemaError{reason: "value must be an integer that fits in int64"}
	}
	if s.intFormat != nil {
		if err := s.intFormat.Validate(n); err != nil {
			return &schemaError{reason: fmt.Sprintf("number doesn't match the format %q", s.format)}
		}
	}
	return nil
}
