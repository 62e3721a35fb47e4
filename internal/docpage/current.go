package docpage

import (
	"regexp"
	"strings"
)

// section is the part of a page a line belongs to.
type section int

const (
	secIntro section = iota
	secRequest
	secResponse
	secErrors
	secExample
	secUnknown
)

// currentHeadings maps the current layout's section headings to sections.
var currentHeadings = map[string]section{
	"接口说明": secIntro,
	"请求参数": secRequest,
	"请求示例": secExample,
	"应答参数": secResponse,
	"返回参数": secResponse,
	"应答示例": secExample,
	"返回示例": secExample,
	"错误码":  secErrors,
}

var (
	fieldLineRE  = regexp.MustCompile(`^([A-Za-z_$][A-Za-z0-9_.$\-\[\]]*)\s+(必填|选填|条件必填|条件选填|可选)\s+(\S+)$`)
	subsectionRE = regexp.MustCompile(`^([A-Za-z]+)\s+(\S*参数)$`)
	statusLineRE = regexp.MustCompile(`^\d{3}(\s+[A-Za-z][A-Za-z ]*)?$`)
	punctOnlyRE  = regexp.MustCompile(`^[|\-:=*#>\s]*$`)
	pathRE       = regexp.MustCompile(`(/[^\s【】?#\\]*)`)
)

// locations maps the current layout's request subsection words to parameter locations.
var locations = map[string]string{
	"header": "header",
	"path":   "path",
	"query":  "query",
	"body":   "body",
}

// sectionSuffixes are the endings of a Han-only line that make it look like a
// section heading the parser does not know.
var sectionSuffixes = []string{"参数", "示例", "说明", "错误码", "须知", "规则", "通知", "事项"}

// currentParser holds the state of a pass over a current-layout page.
type currentParser struct {
	p         *Page
	sec       section
	loc       string // location of the current request subsection, "" before any
	skipSub   bool   // inside an unknown request subsection
	cur       *Field // field being read
	curResp   bool   // cur is a response field
	inEnum    bool   // reading 可选取值 lines of cur
	prevField bool   // the previous line was a field line
	started   bool   // a non-empty line was seen
	errs      errorTable
}

// parseCurrent extracts the facts of a current-layout page.
func parseCurrent(lines []string) *Page {
	c := &currentParser{p: &Page{Layout: LayoutCurrent}}
	for _, line := range lines {
		if line == "" || isCodeSample(line) {
			continue
		}
		wasField := c.prevField
		c.prevField = false
		if c.heading(line, wasField) {
			continue
		}
		switch c.sec {
		case secIntro:
			c.intro(line)
		case secRequest:
			c.request(line)
		case secResponse:
			c.response(line)
		case secErrors:
			c.errs.row(c.p, line)
		}
	}
	c.flush()
	return c.p
}

// heading switches section when line is a heading and reports whether it was one.
func (c *currentParser) heading(line string, afterField bool) bool {
	name := strings.TrimRight(line, ": ")
	if first := !c.started; first {
		c.started = true
		if _, known := currentHeadings[name]; !known && !strings.ContainsAny(name, ":【") {
			c.p.Title = name
			return true
		}
	}
	if sec, ok := currentHeadings[name]; ok {
		c.enter(sec)
		return true
	}
	if name == "公共错误码" || name == "业务错误码" {
		if c.sec != secErrors {
			c.enter(secErrors)
		}
		c.errs.common = name == "公共错误码"
		c.errs.cols = nil
		return true
	}
	if !afterField && !c.inEnum && isHanHeading(name) {
		for _, suf := range sectionSuffixes {
			if strings.HasSuffix(name, suf) {
				c.p.Warnings = append(c.p.Warnings, "unknown section "+quote(name)+" ignored")
				c.enter(secUnknown)
				return true
			}
		}
	}
	return false
}

// enter starts section sec.
func (c *currentParser) enter(sec section) {
	c.flush()
	c.sec = sec
	c.loc, c.skipSub = "", false
	c.errs = errorTable{}
}

// intro reads the lines before the parameters: date, rate limit, method and path, hosts.
func (c *currentParser) intro(line string) {
	p := c.p
	if i := strings.Index(line, "更新时间"); i >= 0 && p.Updated == "" {
		p.Updated = parseDate(line[i:])
	}
	if i := strings.Index(line, "接口限频"); i >= 0 && p.RateLimit == nil {
		p.RateLimit = rateLimit(strings.TrimLeft(line[i+len("接口限频"):], ": "))
	}
	if rest, ok := after(line, "支持商户"); ok {
		p.Merchants = appendUnique(p.Merchants, splitList(rest)...)
	}
	if rest, ok := after(line, "请求方式"); ok {
		setMethodPath(p, rest)
		return
	}
	if strings.Contains(line, "域名") {
		p.Hosts = appendUnique(p.Hosts, hostsIn(line)...)
	}
}

// request reads a line of the 请求参数 block.
func (c *currentParser) request(line string) {
	if m := subsectionRE.FindStringSubmatch(line); m != nil {
		c.flush()
		loc, ok := locations[strings.ToLower(m[1])]
		if !ok {
			c.p.Warnings = append(c.p.Warnings, "unknown parameter block "+quote(line)+" ignored")
			c.loc, c.skipSub = "", true
			return
		}
		c.loc, c.skipSub = loc, false
		return
	}
	if c.skipSub {
		_, c.prevField = fieldLine(line)
		return
	}
	if f, ok := fieldLine(line); ok {
		c.flush()
		f.In = c.loc
		c.cur, c.curResp, c.prevField = &f, false, true
		return
	}
	c.text(line)
}

// response reads a line of the 应答参数 block.
func (c *currentParser) response(line string) {
	if statusLineRE.MatchString(line) || punctOnlyRE.MatchString(line) {
		return
	}
	if f, ok := fieldLine(line); ok {
		c.flush()
		c.cur, c.curResp, c.prevField = &f, true, true
		return
	}
	c.text(line)
}

// text adds a description or 可选取值 line to the current field.
func (c *currentParser) text(line string) {
	f := c.cur
	if f == nil {
		return
	}
	if strings.Contains(line, "【加密】") {
		f.Encrypted = true
	}
	for _, intro := range []string{"可选取值", "枚举值"} {
		if rest, ok := strings.CutPrefix(line, intro); ok {
			c.inEnum = true
			rest = strings.TrimLeft(rest, ": ")
			if rest != "" {
				c.enumLine(rest)
			}
			return
		}
	}
	if c.inEnum && c.enumLine(line) {
		return
	}
	c.inEnum = false
	f.Description = joinText(f.Description, line)
}

// enumLine reads one 可选取值 line ("BASIC", ": 基本账户" or "BASIC: 基本账户") and
// reports whether it was one.
func (c *currentParser) enumLine(line string) bool {
	f := c.cur
	switch {
	case strings.HasPrefix(line, ":"):
		if len(f.Enum) == 0 {
			return false
		}
		last := &f.Enum[len(f.Enum)-1]
		last.Meaning = joinText(last.Meaning, strings.TrimLeft(line, ": "))
		return true
	case enumValRE.MatchString(line):
		f.Enum = append(f.Enum, EnumValue{Value: line})
		return true
	}
	if m := enumKVRE.FindStringSubmatch(line); m != nil {
		f.Enum = append(f.Enum, EnumValue{Value: m[1], Meaning: strings.TrimSpace(m[2])})
		return true
	}
	return false
}

// flush stores the field being read.
func (c *currentParser) flush() {
	if c.cur != nil {
		if c.curResp {
			c.p.Response = append(c.p.Response, *c.cur)
		} else {
			c.p.Params = append(c.p.Params, *c.cur)
		}
	}
	c.cur, c.inEnum = nil, false
}

// fieldLine parses "name 必填|选填 type(len)".
func fieldLine(line string) (Field, bool) {
	m := fieldLineRE.FindStringSubmatch(line)
	if m == nil {
		return Field{}, false
	}
	typ, maxLen, ok := parseType(m[3])
	if !ok {
		return Field{}, false
	}
	return Field{
		Name:      m[1],
		Required:  m[2] == "必填" || m[2] == "条件必填",
		Type:      typ,
		RawType:   m[3],
		MaxLength: maxLen,
	}, true
}

// after returns what follows "key:" in line.
func after(line, key string) (string, bool) {
	i := strings.Index(line, key)
	if i < 0 {
		return "", false
	}
	rest := strings.TrimSpace(line[i+len(key):])
	if !strings.HasPrefix(rest, ":") {
		return "", false
	}
	return strings.TrimSpace(strings.TrimLeft(rest, ": ")), true
}

// splitList splits 【a】【b】 labels, or else a 、/,-separated list.
func splitList(s string) []string {
	if l := labels(s); len(l) > 0 {
		return l
	}
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '、' || r == ',' || r == ';' || r == '\\' }) {
		if part = strings.Trim(strings.TrimSpace(part), "*`"); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// setMethodPath reads "【GET】/v3/…", "GET /v3/…" or a full URL after 请求方式.
func setMethodPath(p *Page, rest string) {
	for _, l := range labels(rest) {
		if methodRE.MatchString(l) {
			p.Method = strings.ToUpper(l)
		}
	}
	rest = labelRE.ReplaceAllString(rest, " ")
	if p.Method == "" {
		if f := strings.Fields(rest); len(f) > 0 && methodRE.MatchString(f[0]) {
			p.Method = strings.ToUpper(f[0])
		}
	}
	setURL(p, rest)
}

// setURL takes the path, and the host when there is one, from s.
func setURL(p *Page, s string) {
	if m := urlRE.FindStringSubmatch(s); m != nil {
		p.Hosts = appendUnique(p.Hosts, m[1])
		if m[2] != "" && p.Path == "" {
			p.Path = m[2]
		}
		return
	}
	if m := pathRE.FindStringSubmatch(s); m != nil && p.Path == "" && len(m[1]) > 1 {
		p.Path = m[1]
	}
}

// quote wraps s in 「」 for messages, shortened to 60 characters.
func quote(s string) string {
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return "「" + s + "」"
}
