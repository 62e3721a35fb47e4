package docpage

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	separatorRE = regexp.MustCompile(`^[\s|:\-]*-[\s|:\-]*$`)
	errorCodeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.]*$`)
)

// cells splits a table row on unescaped '|' and drops the empty cells the row's
// leading and trailing pipes make.
func cells(line string) []string {
	line = strings.ReplaceAll(line, `\|`, "\x00")
	parts := strings.Split(line, "|")
	if len(parts) > 0 && strings.TrimSpace(parts[0]) == "" && strings.HasPrefix(strings.TrimSpace(line), "|") {
		parts = parts[1:]
	}
	if n := len(parts); n > 0 && strings.TrimSpace(parts[n-1]) == "" {
		parts = parts[:n-1]
	}
	for i, p := range parts {
		parts[i] = strings.TrimSpace(strings.ReplaceAll(p, "\x00", "|"))
	}
	return parts
}

// errorTable reads the rows of a 状态码 | 错误码 | 描述 | 解决方案 table.
type errorTable struct {
	cols   map[string]int // column of each of status, code, description, solution
	common bool           // rows belong to 公共错误码
}

// column returns the cell of row under column name, or "".
func (t *errorTable) column(row []string, name string) string {
	i, ok := t.cols[name]
	if !ok {
		i = map[string]int{"status": 0, "code": 1, "description": 2, "solution": 3}[name]
	}
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

// header reads a header row and reports whether row was one.
func (t *errorTable) header(row []string) bool {
	cols := map[string]int{}
	for i, c := range row {
		switch {
		case strings.Contains(c, "状态码"):
			cols["status"] = i
		case strings.Contains(c, "错误码"):
			cols["code"] = i
		case strings.Contains(c, "描述"):
			cols["description"] = i
		case strings.Contains(c, "解决") || strings.Contains(c, "方案"):
			cols["solution"] = i
		}
	}
	if _, ok := cols["status"]; !ok {
		return false
	}
	t.cols = cols
	return true
}

// row reads one line of an error section; lines that are not table rows are ignored.
func (t *errorTable) row(p *Page, line string) {
	if !strings.Contains(line, "|") || separatorRE.MatchString(line) {
		return
	}
	row := cells(line)
	if t.header(row) {
		return
	}
	status, err := strconv.Atoi(strings.Trim(t.column(row, "status"), "`* "))
	code := strings.Trim(t.column(row, "code"), "`* ")
	if err != nil || status < 100 || status > 599 || !errorCodeRE.MatchString(code) {
		p.Warnings = append(p.Warnings, "error-table row not understood: "+quote(line))
		return
	}
	p.Errors = append(p.Errors, ErrorRow{
		Status:      status,
		Code:        code,
		Description: t.column(row, "description"),
		Solution:    t.column(row, "solution"),
		Common:      t.common,
	})
}
