package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// bulkRow is one data row of a bulk input file: its line number and its values by the
// openapi.yaml parameter they fill (sub_mchid; or mchid and bal_account_no). bad, when
// set, says why the row cannot be sent; the row still gets a record.
type bulkRow struct {
	line   int
	values map[string]string
	bad    string
}

// bulkLayout is what a bulk command reads from each row: the parameters, in the order a
// header-less line lists them, and whether a header-less layout is allowed at all.
type bulkLayout struct {
	flag      string   // the flag naming the file, for messages: --sub-mchids or --from
	operation string   // operationId whose parameters the rows fill
	columns   []string // parameter names, e.g. [sub_mchid]
	secret    string   // a column never echoed (bal_account_no), "" for none
	bare      bool     // one value per line without a header is allowed (one column only)
}

// openBulkInput opens the bulk input named by a flag: a file, or stdin for "-". An
// unreadable file is a usage error (exit 2), before any request.
func openBulkInput(flagName, name string, stdin io.Reader) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, usagef("%s %s: %v", flagName, name, unwrapOp(err))
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, usagef("%s %s: is a directory, expected a file with one row per line", flagName, name)
	}
	return f, nil
}

// bulkReader streams the rows of a bulk input, never holding more than one: blank lines
// and lines starting with # are skipped. The first data line decides the layout: a CSV
// header naming the layout's columns (in any order, among others), or — for a one-column
// layout — a value per line.
type bulkReader struct {
	layout bulkLayout
	br     *bufio.Reader
	line   int // lines read so far

	csv     *csv.Reader
	csvIn   *capReader     // what csv reads: bounds one record
	csvBase int            // line number of the header: csv.Reader counts from the line after it
	index   map[string]int // column index by parameter, for CSV
	width   int            // fields in the header
	started bool
}

func newBulkReader(r io.Reader, layout bulkLayout) *bulkReader {
	return &bulkReader{layout: layout, br: bufio.NewReaderSize(r, 64<<10)}
}

// eachRow calls fn with every row of in under layout, in order: nil at the end of the
// input, else the reader's error (a *usageError) or fn's.
func eachRow(in io.Reader, layout bulkLayout, fn func(*bulkRow) error) error {
	rd := newBulkReader(in, layout)
	for {
		row, err := rd.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

// maxBulkLine bounds one input line; a longer one is a bad row, not a memory spike.
const maxBulkLine = 64 << 10

// next returns the next row, io.EOF at the end, or a *usageError when the file as a whole
// cannot be read (no header for a layout that needs one, a read error).
func (r *bulkReader) next() (*bulkRow, error) {
	if r.csv != nil {
		return r.nextCSV()
	}
	for {
		text, long, err := r.readLine()
		if err != nil {
			return nil, err
		}
		t := strings.TrimSpace(text)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if !r.started {
			r.started = true
			if hdr, ok := r.header(t); ok {
				return r.startCSV(hdr)
			}
			if !r.layout.bare {
				return nil, usagef("%s: line %d: expected a CSV header naming the columns %s (e.g. %q)",
					r.layout.flag, r.line, strings.Join(r.layout.columns, " and "), strings.Join(r.layout.columns, ","))
			}
		}
		row := &bulkRow{line: r.line, values: map[string]string{r.layout.columns[0]: t}}
		if long {
			row.values[r.layout.columns[0]] = ""
			row.bad = fmt.Sprintf("line over %d KiB", maxBulkLine>>10)
		}
		return row, nil
	}
}

// readLine reads one line without its end (a last line without one included); a line
// over maxBulkLine is cut, and long says so (the row is refused), rather than held whole.
func (r *bulkReader) readLine() (text string, long bool, err error) {
	line, long, err := readBoundedLine(r.br, maxBulkLine)
	switch {
	case err == io.EOF && line == "" && !long:
		return "", false, io.EOF
	case err != nil && err != io.EOF:
		return "", false, usagef("%s: reading line %d: %v", r.layout.flag, r.line+1, err)
	}
	r.line++
	return strings.TrimRight(line, "\r\n"), long, nil
}

// header parses t as a CSV header and reports whether it names every column of the layout.
func (r *bulkReader) header(t string) ([]string, bool) {
	fields, err := csv.NewReader(strings.NewReader(t)).Read()
	if err != nil {
		return nil, false
	}
	for i := range fields {
		fields[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(fields[i], "\ufeff")))
	}
	for _, c := range r.layout.columns {
		if !slices.Contains(fields, c) {
			return nil, false
		}
	}
	return fields, true
}

// startCSV switches to CSV rows under header hdr and returns the first row.
func (r *bulkReader) startCSV(hdr []string) (*bulkRow, error) {
	r.index = make(map[string]int, len(r.layout.columns))
	for _, c := range r.layout.columns {
		r.index[c] = slices.Index(hdr, c)
	}
	r.width = len(hdr)
	r.csvBase = r.line
	r.csvIn = &capReader{r: r.br, limit: maxBulkLine}
	r.csv = csv.NewReader(r.csvIn)
	r.csv.FieldsPerRecord = -1
	r.csv.Comment = '#'
	r.csv.TrimLeadingSpace = true
	r.csv.ReuseRecord = true
	return r.nextCSV()
}

func (r *bulkReader) nextCSV() (*bulkRow, error) {
	for {
		r.csvIn.n = 0
		rec, err := r.csv.Read()
		line, _ := r.csv.FieldPos(0)
		line += r.csvBase
		if err == io.EOF {
			return nil, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return &bulkRow{line: pe.StartLine + r.csvBase, values: map[string]string{}, bad: "not valid CSV: " + pe.Err.Error()}, nil
		}
		if errors.Is(err, errRecordTooLong) {
			return nil, usagef("%s: line %d: a CSV record over %d KiB (a quoted field left open?)", r.layout.flag, line, maxBulkLine>>10)
		}
		if err != nil {
			return nil, usagef("%s: reading line %d: %v", r.layout.flag, line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces
		}
		row := &bulkRow{line: line, values: make(map[string]string, len(r.layout.columns))}
		for _, c := range r.layout.columns {
			if i := r.index[c]; i < len(rec) {
				row.values[c] = strings.TrimSpace(rec[i])
			}
		}
		if len(rec) != r.width {
			row.bad = fmt.Sprintf("%d fields, the header has %d", len(rec), r.width)
		}
		return row, nil
	}
}

// errRecordTooLong is capReader's error.
var errRecordTooLong = errors.New("record too long")

// capReader fails once more than limit bytes have been read since n was last set to 0:
// the CSV reader holds a whole record, and a quoted field left open would otherwise make
// that record the rest of the input. (csv.Reader reads ahead at most its 4 KiB buffer.)
type capReader struct {
	r        io.Reader
	n, limit int
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n > c.limit {
		return 0, errRecordTooLong
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// checkRow checks a row's values against openapi.yaml's schemas for their parameters
// (length, pattern, enum), before any request; the secret column is only checked for
// presence here (its limits apply to the ciphertext, checked once encrypted). It sets
// row.bad and returns false for a bad row. Messages never hold the secret's value.
func checkRow(doc *openapi3.T, layout bulkLayout, row *bulkRow) bool {
	if row.bad != "" {
		return false
	}
	for _, c := range layout.columns {
		v := row.values[c]
		if v == "" {
			row.bad = c + " is empty"
			return false
		}
		if c == layout.secret {
			continue
		}
		if problem := checkParam(doc, layout.operation, c, v); problem != "" {
			row.bad = problem
			return false
		}
	}
	return true
}

// checkParam checks value against the schema openapi.yaml gives parameter name of
// operation opID; "" when it passes, else what is wrong (the value shown bounded).
func checkParam(doc *openapi3.T, opID, name, value string) string {
	p := specParam(doc, opID, name)
	if p == nil || p.Schema == nil || p.Schema.Value == nil {
		return ""
	}
	if p.In == openapi3.ParameterInPath {
		if i := strings.IndexFunc(value, func(r rune) bool { return !isUnreservedRune(r) }); i >= 0 {
			_, size := utf8.DecodeRuneInString(value[i:]) // 1 for a byte that is not UTF-8
			return fmt.Sprintf("%s %s: holds %q: a path parameter takes only letters, digits and \"-._~\"", name, quoteBounded(value), value[i:i+size])
		}
	}
	err := p.Schema.Value.VisitJSON(value)
	if err == nil {
		return ""
	}
	reason := err.Error()
	var se *openapi3.SchemaError
	if errors.As(err, &se) && se.Reason != "" {
		reason = se.Reason
	}
	return fmt.Sprintf("%s %s: %s (openapi.yaml)", name, quoteBounded(value), reason)
}

// specParam returns parameter name of operation opID in doc, or nil.
func specParam(doc *openapi3.T, opID, name string) *openapi3.Parameter {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID != opID {
				continue
			}
			for _, ref := range op.Parameters {
				if ref.Value != nil && ref.Value.Name == name {
					return ref.Value
				}
			}
		}
	}
	return nil
}

// quoteBounded quotes s for a message: escaped (no control characters reach a terminal)
// and cut to 64 bytes.
func quoteBounded(s string) string {
	const limit = 64
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q…", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}

// isUnreservedRune reports whether r is an RFC 3986 unreserved character, the only ones
// the transport sends unescaped in a path segment.
func isUnreservedRune(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r))
}
