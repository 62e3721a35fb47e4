package specdocs

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

// The spec's descriptions use a small part of CommonMark: headings, "- " lists, pipe
// tables, paragraphs, `code` and **bold**. markdown renders exactly that part; all text is
// HTML-escaped before any tag is added, so the result is safe to embed.

var (
	inlineCode = regexp.MustCompile("`([^`]+)`")
	inlineBold = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	heading    = regexp.MustCompile(`^(#{1,6})\s+(.*)$`)
	tableRule  = regexp.MustCompile(`^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$`)
)

// markdown renders a description as HTML.
func markdown(s string) template.HTML {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); {
		line := strings.TrimRight(lines[i], " \t")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			i++
		case heading.MatchString(trimmed):
			m := heading.FindStringSubmatch(trimmed)
			// Descriptions sit under the page's own h2/h3, so their headings start at h4.
			level := min(len(m[1])+2, 6)
			b.WriteString("<h" + string(rune('0'+level)) + ">" + inline(m[2]) + "</h" + string(rune('0'+level)) + ">\n")
			i++
		case strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "* "):
			b.WriteString("<ul>\n")
			for i < len(lines) {
				t := strings.TrimSpace(lines[i])
				if !strings.HasPrefix(t, "- ") && !strings.HasPrefix(t, "* ") {
					break
				}
				item := []string{t[2:]}
				i++
				// Continuation lines are indented and not a new item.
				for i < len(lines) && strings.HasPrefix(lines[i], " ") && strings.TrimSpace(lines[i]) != "" &&
					!strings.HasPrefix(strings.TrimSpace(lines[i]), "- ") {
					item = append(item, strings.TrimSpace(lines[i]))
					i++
				}
				b.WriteString("<li>" + inline(strings.Join(item, " ")) + "</li>\n")
			}
			b.WriteString("</ul>\n")
		case strings.HasPrefix(trimmed, "|"):
			var rows []string
			for i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|") {
				rows = append(rows, strings.TrimSpace(lines[i]))
				i++
			}
			b.WriteString(table(rows))
		default:
			var para []string
			for i < len(lines) {
				t := strings.TrimSpace(lines[i])
				if t == "" || heading.MatchString(t) || strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "|") {
					break
				}
				para = append(para, t)
				i++
			}
			b.WriteString("<p>" + inline(strings.Join(para, " ")) + "</p>\n")
		}
	}
	return template.HTML(b.String()) // #nosec: every piece went through inline or table, which escape
}

// inline escapes text and renders `code` and **bold**.
func inline(s string) string {
	s = html.EscapeString(s)
	s = inlineCode.ReplaceAllString(s, "<code>$1</code>")
	return inlineBold.ReplaceAllString(s, "<strong>$1</strong>")
}

// table renders pipe-table rows; the first row is the header when a rule row follows it.
func table(rows []string) string {
	cells := func(row string) []string {
		row = strings.TrimPrefix(strings.TrimSuffix(row, "|"), "|")
		parts := strings.Split(row, "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts
	}
	var b strings.Builder
	b.WriteString("<table>\n")
	start := 0
	if len(rows) > 1 && tableRule.MatchString(rows[1]) {
		b.WriteString("<tr>")
		for _, c := range cells(rows[0]) {
			b.WriteString("<th>" + inline(c) + "</th>")
		}
		b.WriteString("</tr>\n")
		start = 2
	}
	for _, r := range rows[start:] {
		b.WriteString("<tr>")
		for _, c := range cells(r) {
			b.WriteString("<td>" + inline(c) + "</td>")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
	return b.String()
}
