package docpage

import (
	"regexp"
	"strings"
)

var (
	headingRE  = regexp.MustCompile(`^(#{1,6})\s*(.*?)\s*#*$`)
	tagRE      = regexp.MustCompile(`<[^<>]*>`)
	brRE       = regexp.MustCompile(`(?i)<br\s*/?>`)
	backtickRE = regexp.MustCompile("`([^`]*)`")
	encryptRE  = regexp.MustCompile(`【加密】|需(?:要)?(?:进行)?加密|加密(?:处理|传输)`)
)

// markdownParser holds the state of a pass over a Markdown-layout page.
type markdownParser struct {
	p       *Page
	sec     section
	inFence bool
	table   tableKind
	cols    map[string]int // columns of a field table
	errs    errorTable
	cur     *Field
	curResp bool
	inEnum  bool
}

// tableKind says what the table being read holds.
type tableKind int

const (
	tableNone tableKind = iota
	tableFields
	tableErrors
	tableOther
)

// parseMarkdown extracts the facts of a Markdown-layout page.
func parseMarkdown(lines []string) *Page {
	m := &markdownParser{p: &Page{Layout: LayoutMarkdown}}
	lines = m.frontMatter(lines)
	for _, line := range lines {
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			m.inFence = !m.inFence
			continue
		}
		if m.inFence || line == "" || strings.HasPrefix(line, "{{") || isCodeSample(line) {
			if line == "" {
				m.endTable()
			}
			continue
		}
		if h := headingRE.FindStringSubmatch(line); h != nil {
			m.heading(len(h[1]), h[2])
			continue
		}
		if strings.HasPrefix(line, "|") {
			m.tableRow(line)
			continue
		}
		m.endTable()
		if m.sec == secIntro {
			m.intro(line)
		}
	}
	m.endTable()
	return m.p
}

// frontMatter reads the --- delimited header (title, date) and returns the rest.
func (m *markdownParser) frontMatter(lines []string) []string {
	start := 0
	for start < len(lines) && lines[start] == "" {
		start++
	}
	if start >= len(lines) || lines[start] != "---" {
		return lines
	}
	for i := start + 1; i < len(lines); i++ {
		line := lines[i]
		if line == "---" {
			return lines[i+1:]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `'"`)
		switch strings.TrimSpace(key) {
		case "title":
			m.p.Title = strings.TrimSuffix(val, "API")
		case "date", "lastmod", "updated":
			if d := parseDate(val); d != "" {
				m.p.Updated = d
			}
		}
	}
	m.p.Warnings = append(m.p.Warnings, "front matter not closed by ---")
	return nil
}

// heading switches section on a # heading.
func (m *markdownParser) heading(level int, text string) {
	m.endTable()
	name := strings.TrimSpace(tagRE.ReplaceAllString(text, " "))
	switch {
	case strings.Contains(name, "示例"):
		m.sec = secExample
	case strings.Contains(name, "请求参数"):
		m.sec = secRequest
	case strings.Contains(name, "返回参数") || strings.Contains(name, "应答参数"):
		m.sec = secResponse
	case strings.Contains(name, "错误码"):
		m.sec = secErrors
	case strings.Contains(name, "接口说明"):
		m.sec = secIntro
	case level == 1 && m.p.Title == "":
		m.p.Title = strings.TrimSuffix(name, "API")
	default:
		m.p.Warnings = append(m.p.Warnings, "unknown section "+quote(name)+" ignored")
		m.sec = secUnknown
	}
}

// intro reads a "**key**: value" line of the 接口说明 block.
func (m *markdownParser) intro(line string) {
	line = strings.TrimSpace(strings.TrimSuffix(strings.ReplaceAll(line, "**", ""), `\`))
	key, val, ok := strings.Cut(line, ":")
	if !ok {
		return
	}
	key = strings.ReplaceAll(strings.TrimSpace(key), " ", "")
	val = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), `\`))
	p := m.p
	switch key {
	case "请求URL", "请求地址", "接口地址", "请求链接":
		setURL(p, val)
	case "请求方式", "请求方法":
		setMethodPath(p, val)
	case "适用对象", "支持商户":
		p.Merchants = appendUnique(p.Merchants, splitList(val)...)
	case "接口限频", "频率限制", "限频":
		if p.RateLimit == nil {
			p.RateLimit = rateLimit(val)
		}
	case "更新时间":
		if d := parseDate(val); d != "" && p.Updated == "" {
			p.Updated = d
		}
	case "请求域名":
		p.Hosts = appendUnique(p.Hosts, hostsIn(val)...)
	}
}

// tableRow reads one row of a Markdown table.
func (m *markdownParser) tableRow(line string) {
	if separatorRE.MatchString(line) {
		return
	}
	row := cells(line)
	if m.table == tableNone {
		m.startTable(row)
		return
	}
	switch m.table {
	case tableErrors:
		if m.sec == secErrors || m.sec == secIntro {
			m.errs.row(m.p, line)
		}
	case tableFields:
		if m.sec == secRequest || m.sec == secResponse {
			m.fieldRow(row)
		}
	}
}

// startTable reads a header row and decides what the table holds.
func (m *markdownParser) startTable(row []string) {
	if m.errs.header(row) {
		m.table = tableErrors
		return
	}
	cols := map[string]int{}
	for i, c := range row {
		switch {
		case c == "变量" || c == "字段名":
			cols["name"] = i
		case c == "参数" || c == "参数名" || c == "名称":
			cols["label"] = i
		case strings.Contains(c, "类型"):
			cols["type"] = i
		case strings.Contains(c, "必填"):
			cols["required"] = i
		case strings.Contains(c, "描述") || strings.Contains(c, "说明"):
			cols["description"] = i
		}
	}
	if _, ok := cols["name"]; !ok {
		if l, ok := cols["label"]; ok {
			cols["name"] = l
			delete(cols, "label")
		}
	}
	_, hasName := cols["name"]
	_, hasType := cols["type"]
	if hasName && hasType {
		m.table, m.cols = tableFields, cols
		return
	}
	m.table = tableOther
	if m.sec == secRequest || m.sec == secResponse || m.sec == secErrors {
		m.p.Warnings = append(m.p.Warnings, "table with unknown columns ignored: "+quote(strings.Join(row, " | ")))
	}
}

// endTable finishes the table being read.
func (m *markdownParser) endTable() {
	m.flush()
	m.table, m.cols = tableNone, nil
	m.errs = errorTable{}
}

// cell returns the row's cell under column name, or "".
func (m *markdownParser) cell(row []string, name string) string {
	i, ok := m.cols[name]
	if !ok || i >= len(row) {
		return ""
	}
	return row[i]
}

// fieldRow reads one row of a 变量 / 类型 / 必填 table.
func (m *markdownParser) fieldRow(row []string) {
	name := strings.Trim(m.cell(row, "name"), "`* ")
	desc := m.cell(row, "description")
	if name == "" {
		m.more(desc)
		return
	}
	m.flush()
	if nested(m.cell(row, "label")) || nested(name) {
		// A field of an object (the older pages prefix them with '-'): its parent's
		// shape is not compared field by field.
		m.p.Warnings = append(m.p.Warnings, "nested field "+quote(strings.TrimLeft(name, "-+ "))+" not compared")
		return
	}
	raw := strings.Trim(m.cell(row, "type"), "`* ")
	typ, maxLen, ok := parseType(raw)
	if !ok {
		m.p.Warnings = append(m.p.Warnings, "field "+quote(name)+": unknown type "+quote(raw))
	}
	req := strings.Trim(m.cell(row, "required"), "`* ")
	f := &Field{
		Name:      name,
		Required:  req == "是" || req == "必填" || strings.EqualFold(req, "Y") || strings.EqualFold(req, "yes") || strings.EqualFold(req, "true"),
		Type:      typ,
		RawType:   raw,
		MaxLength: maxLen,
	}
	m.cur, m.curResp, m.inEnum = f, m.sec == secResponse, false
	for _, bt := range backtickRE.FindAllStringSubmatch(desc, -1) {
		if loc, ok := locations[strings.ToLower(strings.TrimSpace(bt[1]))]; ok && !m.curResp && f.In == "" {
			f.In = loc
		}
	}
	m.more(desc)
}

// more reads a description cell of the current field: text, 【加密】 and enum items.
func (m *markdownParser) more(desc string) {
	f := m.cur
	if f == nil || desc == "" {
		return
	}
	for _, part := range brRE.Split(desc, -1) {
		part = strings.TrimSpace(part)
		if encryptRE.MatchString(part) {
			f.Encrypted = true
		}
		text := strings.TrimSpace(backtickRE.ReplaceAllStringFunc(part, func(s string) string {
			if _, isLoc := locations[strings.ToLower(strings.Trim(s, "` "))]; isLoc {
				return ""
			}
			return strings.Trim(s, "`")
		}))
		if i := strings.Index(text, "枚举值"); i >= 0 || strings.Contains(text, "可选取值") {
			m.inEnum = true
			if i < 0 {
				i = strings.Index(text, "可选取值")
			}
			f.Description = joinText(f.Description, text[:i])
			rest := strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(text[i:], "枚举值"), "可选取值"), ": ")
			m.enumItem(rest)
			continue
		}
		if m.inEnum && m.enumItem(text) {
			continue
		}
		if isExampleValue(f, text) {
			continue
		}
		f.Description = joinText(f.Description, text)
	}
}

// enumItem reads "VALUE: meaning" and reports whether text was one.
func (m *markdownParser) enumItem(text string) bool {
	if kv := enumKVRE.FindStringSubmatch(text); kv != nil {
		m.cur.Enum = append(m.cur.Enum, EnumValue{Value: kv[1], Meaning: strings.TrimSpace(kv[2])})
		return true
	}
	return false
}

// isExampleValue reports a continuation cell that only holds the field's example
// value (the Markdown layout puts it on its own row).
func isExampleValue(f *Field, text string) bool {
	return f.Description != "" && !strings.ContainsAny(text, "。,:") && len(strings.Fields(text)) == 1
}

// nested reports a name cell marked as a child field: "-name" or "--name".
func nested(cell string) bool {
	return strings.HasPrefix(strings.Trim(cell, "`* "), "-")
}

// flush stores the field being read.
func (m *markdownParser) flush() {
	if m.cur != nil {
		if m.curResp {
			m.p.Response = append(m.p.Response, *m.cur)
		} else {
			m.p.Params = append(m.p.Params, *m.cur)
		}
	}
	m.cur, m.inEnum = nil, false
}
