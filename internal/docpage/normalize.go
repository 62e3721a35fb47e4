package docpage

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalize makes text valid UTF-8, folds full-width ASCII punctuation, letters and
// digits to their ASCII forms, turns odd spaces into plain ones and splits lines.
func normalize(text string) []string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteRune(r - 0xFEE0)
		case r == '\u3000' || r == '\u00A0' || r == '\t' || r == '\u2002' || r == '\u2003' || r == '\u200B':
			b.WriteRune(' ')
		case r == '\r':
			// CRLF and lone CR both end a line.
			b.WriteRune('\n')
		default:
			b.WriteRune(r)
		}
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return lines
}

// isCodeSample reports a line-numbered code sample flattened onto one line, as the
// current layout's request and answer examples are: "1package main 2 3import (…".
func isCodeSample(line string) bool {
	if !strings.HasPrefix(line, "1") {
		return false
	}
	rest := line[1:]
	if rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if unicode.IsDigit(r) || r == ' ' || r == '.' || r == ',' {
		return false
	}
	return strings.Contains(rest, " 2") || strings.HasSuffix(rest, " ") || len(rest) > 200
}

var (
	dateRE    = regexp.MustCompile(`(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})`)
	typeRE    = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_]*(?:\[[A-Za-z0-9_]*\])?)\s*(?:[(\[]\s*(?:\d+\s*[,~-]\s*)?(\d{1,9})\s*[)\]])?$`)
	hostRE    = regexp.MustCompile(`https?://[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9]`)
	urlRE     = regexp.MustCompile(`(https?://[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9])(/[^\s?#\\]*)?`)
	labelRE   = regexp.MustCompile(`【([^【】]*)】`)
	qpsRE     = regexp.MustCompile(`(?i)(\d{1,9})\s*(?:qps|次\s*/\s*秒|次每秒)`)
	enumKVRE  = regexp.MustCompile(`^([A-Za-z0-9_.\-]+)\s*:\s*(.+)$`)
	enumValRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]+$`)
	methodRE  = regexp.MustCompile(`^(?i:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$`)
)

// parseDate returns the first date in s as YYYY-MM-DD, or "".
func parseDate(s string) string {
	m := dateRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1] + "-" + pad2(m[2]) + "-" + pad2(m[3])
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// parseType splits a page type such as string(32), int64 or array[string] into its
// OpenAPI type and maximum length. ok is false when raw is not a type at all.
func parseType(raw string) (typ string, maxLen int, ok bool) {
	m := typeRE.FindStringSubmatch(raw)
	if m == nil {
		return "", 0, false
	}
	base := strings.ToLower(m[1])
	if i := strings.IndexByte(base, '['); i >= 0 {
		base = base[:i]
	}
	switch base {
	case "string", "str", "char", "varchar", "text":
		typ = "string"
	case "integer", "int", "int32", "int64", "long", "uint32", "uint64", "short":
		typ = "integer"
	case "boolean", "bool":
		typ = "boolean"
	case "number", "float", "double", "decimal":
		typ = "number"
	case "object", "map":
		typ = "object"
	case "array", "list":
		typ = "array"
	default:
		return "", 0, false
	}
	if m[2] != "" {
		for _, c := range m[2] {
			maxLen = maxLen*10 + int(c-'0')
		}
	}
	return typ, maxLen, true
}

// hostsIn returns the scheme://host prefixes of the URLs in s.
func hostsIn(s string) []string {
	return hostRE.FindAllString(s, -1)
}

// labels returns the texts inside 【…】 in s.
func labels(s string) []string {
	var out []string
	for _, m := range labelRE.FindAllStringSubmatch(s, -1) {
		if t := strings.TrimSpace(m[1]); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// rateLimit parses a 接口限频 statement.
func rateLimit(desc string) *RateLimit {
	desc = strings.TrimSpace(desc)
	if desc == "" {
		return nil
	}
	rl := &RateLimit{Description: desc}
	if m := qpsRE.FindStringSubmatch(desc); m != nil {
		for _, c := range m[1] {
			rl.QPS = rl.QPS*10 + int(c-'0')
		}
	}
	return rl
}

// appendUnique appends the strings of add that s does not hold yet.
func appendUnique(s []string, add ...string) []string {
	for _, a := range add {
		found := false
		for _, x := range s {
			if x == a {
				found = true
				break
			}
		}
		if !found {
			s = append(s, a)
		}
	}
	return s
}

// joinText appends more to text with a space between.
func joinText(text, more string) string {
	more = strings.TrimSpace(more)
	switch {
	case more == "":
		return text
	case text == "":
		return more
	default:
		return text + " " + more
	}
}

// isHanHeading reports a short line made only of Han characters, the shape of a
// current-layout section heading.
func isHanHeading(line string) bool {
	n := 0
	for _, r := range line {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
		n++
	}
	return n >= 2 && n <= 12
}
