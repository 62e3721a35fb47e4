package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The output formats of a bulk run (-o).
const (
	formatJSONL = "jsonl" // one JSON object per row
	formatCSV   = "csv"   // a header, then one line per row
)

// The results a bulk record can hold.
const (
	resultOK         = "ok"          // a verified balance
	resultAPIError   = "api_error"   // WeChat Pay answered an error: status, code, message, request_id
	resultUnverified = "unverified"  // a 2xx answer failed verification and was discarded: reason
	resultNoAnswer   = "no_answer"   // no answer in time or at all: reason
	resultInvalid    = "invalid"     // the row breaks openapi.yaml and was not sent: reason
	resultError      = "local_error" // something else on this machine: reason
)

// bulkRecord is the one record a bulk run writes for a row (and account type): the
// verified balance, or why there is none. Amounts are in fen. It never holds a plaintext
// bal_account_no.
type bulkRecord struct {
	Line        int    `json:"line"`
	SubMchID    string `json:"sub_mchid,omitempty"`
	MchID       string `json:"mchid,omitempty"`
	AccountType string `json:"account_type,omitempty"`
	Result      string `json:"result"`
	// QueryECommerceBalance
	AvailableAmount *int64 `json:"available_amount,omitempty"`
	PendingAmount   *int64 `json:"pending_amount,omitempty"`
	// QueryAccountBalance
	Balance                 *int64 `json:"balance,omitempty"`
	InTransitReductionExist *bool  `json:"in_transit_reduction_exist,omitempty"`
	// Errors
	Status    int    `json:"status,omitempty"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// amount is the record's main amount: available_amount or balance.
func (r *bulkRecord) amount() (int64, bool) {
	switch {
	case r.AvailableAmount != nil:
		return *r.AvailableAmount, true
	case r.Balance != nil:
		return *r.Balance, true
	}
	return 0, false
}

// id is the merchant the record is about.
func (r *bulkRecord) id() string {
	if r.SubMchID != "" {
		return r.SubMchID
	}
	return r.MchID
}

// key identifies a record's row for --resume: its line and account type.
type recordKey struct {
	line        int
	accountType string
}

func (r *bulkRecord) key() recordKey { return recordKey{r.Line, r.AccountType} }

// bulkColumns are the CSV and table columns of each command, in order.
var bulkColumns = map[string][]string{
	"ecommerce-balance": {"line", "sub_mchid", "account_type", "result", "available_amount", "pending_amount", "status", "code", "message", "request_id", "reason"},
	"channel-balance":   {"line", "mchid", "result", "balance", "in_transit_reduction_exist", "status", "code", "message", "request_id", "reason"},
}

// field returns a record's value for a column, "" when it has none.
func (r *bulkRecord) field(col string) string {
	i64 := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	switch col {
	case "line":
		return strconv.Itoa(r.Line)
	case "sub_mchid":
		return r.SubMchID
	case "mchid":
		return r.MchID
	case "account_type":
		return r.AccountType
	case "result":
		return r.Result
	case "available_amount":
		return i64(r.AvailableAmount)
	case "pending_amount":
		return i64(r.PendingAmount)
	case "balance":
		return i64(r.Balance)
	case "in_transit_reduction_exist":
		if r.InTransitReductionExist == nil {
			return ""
		}
		return strconv.FormatBool(*r.InTransitReductionExist)
	case "status":
		if r.Status == 0 {
			return ""
		}
		return strconv.Itoa(r.Status)
	case "code":
		return r.Code
	case "message":
		return r.Message
	case "request_id":
		return r.RequestID
	case "reason":
		return r.Reason
	}
	return ""
}

// recordWriter writes records one complete line per Write call, so a file is never left
// with half a row; a table pads columns to fixed widths instead of buffering every row.
type recordWriter struct {
	w       io.Writer
	format  string
	columns []string
	buf     bytes.Buffer
	cw      *csv.Writer
}

func newRecordWriter(w io.Writer, format, command string) *recordWriter {
	rw := &recordWriter{w: w, format: format, columns: bulkColumns[command]}
	rw.cw = csv.NewWriter(&rw.buf)
	return rw
}

// header writes the CSV header or the table heading.
func (rw *recordWriter) header() error {
	rw.buf.Reset()
	switch rw.format {
	case formatCSV:
		_ = rw.cw.Write(rw.columns)
		rw.cw.Flush()
	case formatTable:
		rw.tableLine(rw.tableHeading())
	default:
		return nil
	}
	_, err := rw.w.Write(rw.buf.Bytes())
	return err
}

// write writes one record as one line, in one Write call.
func (rw *recordWriter) write(r *bulkRecord) error {
	rw.buf.Reset()
	switch rw.format {
	case formatCSV:
		vals := make([]string, len(rw.columns))
		for i, c := range rw.columns {
			vals[i] = csvSafe(r.field(c))
		}
		_ = rw.cw.Write(vals)
		rw.cw.Flush()
	case formatTable:
		rw.tableLine(rw.tableCells(r))
	default:
		enc := json.NewEncoder(&rw.buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	_, err := rw.w.Write(rw.buf.Bytes())
	return err
}

// csvSafe keeps a spreadsheet from taking a cell for a formula: a value starting with
// = + - @ (other than a number) gets a leading apostrophe.
func csvSafe(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s
	}
	return "'" + s
}

// tableWidths are the widths of the table's columns; the last column is not padded.
var tableWidths = []int{6, 16, 10, 11, 16, 12, 0}

func (rw *recordWriter) tableHeading() []string {
	id, acct, amount := "SUB_MCHID", "ACCOUNT", "AVAILABLE_YUAN"
	second := "PENDING_FEN"
	if rw.columns[1] == "mchid" {
		id, acct, amount, second = "MCHID", "", "BALANCE_YUAN", "IN_TRANSIT"
	}
	return []string{"LINE", id, acct, "RESULT", amount, second, "DETAIL"}
}

func (rw *recordWriter) tableCells(r *bulkRecord) []string {
	cells := []string{strconv.Itoa(r.Line), r.id(), r.AccountType, r.Result, "", "", ""}
	if a, ok := r.amount(); ok {
		cells[4] = formatYuan(a)
	}
	if r.PendingAmount != nil {
		cells[5] = strconv.FormatInt(*r.PendingAmount, 10)
	}
	if r.InTransitReductionExist != nil {
		cells[5] = strconv.FormatBool(*r.InTransitReductionExist)
	}
	var detail []string
	if r.Status != 0 {
		detail = append(detail, strconv.Itoa(r.Status))
	}
	for _, s := range []string{r.Code, r.Message, r.Reason} {
		if s != "" {
			detail = append(detail, s)
		}
	}
	if r.RequestID != "" {
		detail = append(detail, "(Request-ID "+r.RequestID+")")
	}
	cells[6] = strings.Join(detail, " ")
	for i := range cells {
		cells[i] = printable(cells[i], 200)
	}
	return cells
}

func (rw *recordWriter) tableLine(cells []string) {
	for i, c := range cells {
		if i == len(cells)-1 {
			rw.buf.WriteString(c)
			break
		}
		rw.buf.WriteString(c)
		for n := utf8.RuneCountInString(c); n < tableWidths[i]; n++ {
			rw.buf.WriteByte(' ')
		}
		rw.buf.WriteString("  ")
	}
	// trim the padding of empty trailing cells
	b := bytes.TrimRight(rw.buf.Bytes(), " ")
	rw.buf.Truncate(len(b))
	rw.buf.WriteByte('\n')
}

// printable bounds s to limit bytes and replaces control and format characters, for text that came
// from an unverified answer and goes to a terminal.
func printable(s string, limit int) string {
	clean := strings.Map(func(r rune) rune {
		// Format characters (Cf: bidi overrides and isolates, zero-width spaces) reorder or
		// hide the text around them on a terminal or in a spreadsheet.
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return '?'
		}
		return r
	}, s)
	if len(clean) <= limit {
		return clean
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(clean[cut]) {
		cut--
	}
	return clean[:cut] + "…"
}

// resumeState is what an --out file from an earlier run already holds: the keys of its
// complete records, and the mchid or sub_mchid each line named (to notice a changed input).
type resumeState struct {
	done  map[recordKey]bool
	ids   map[int]string
	size  int64 // bytes of complete lines; a torn last line is cut off
	count int
}

// readResume reads an --out file written by an earlier run in format. A last line without
// its newline (a run killed mid-write) is ignored and cut off before appending.
func readResume(path, format string) (*resumeState, error) {
	st := &resumeState{done: make(map[recordKey]bool), ids: make(map[int]string)}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return st, nil
	}
	if err != nil {
		return nil, usagef("--out %s: %v", path, unwrapOp(err))
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var header []string
	lineNo := 0
	for {
		line, long, err := readBoundedLine(br, maxResumeLine)
		if err == io.EOF {
			break // a torn last line, or none
		}
		if err != nil {
			return nil, usagef("--out %s: %v", path, err)
		}
		lineNo++
		if long {
			return nil, usagef("--out %s: line %d is longer than %d bytes: not a file written by a wxpay bulk run", path, lineNo, maxResumeLine)
		}
		st.size += int64(len(line))
		text := strings.TrimRight(line, "\r\n")
		var rec bulkRecord
		switch format {
		case formatCSV:
			fields, perr := csv.NewReader(strings.NewReader(text)).Read()
			if perr != nil {
				return nil, usagef("--out %s: line %d is not CSV written by wxpay: %v", path, lineNo, perr)
			}
			if header == nil {
				header = fields
				continue
			}
			get := func(name string) string {
				for i, h := range header {
					if h == name && i < len(fields) {
						return fields[i]
					}
				}
				return ""
			}
			rec.Line, _ = strconv.Atoi(get("line"))
			rec.SubMchID, rec.MchID, rec.AccountType = get("sub_mchid"), get("mchid"), get("account_type")
		default:
			if json.Unmarshal([]byte(text), &rec) != nil {
				return nil, usagef("--out %s: line %d is not a JSON record written by wxpay: resume needs the same -o as the first run", path, lineNo)
			}
		}
		if rec.Line <= 0 {
			return nil, usagef("--out %s: line %d has no row line number: not a file written by a wxpay bulk run", path, lineNo)
		}
		st.done[rec.key()] = true
		st.done[recordKey{line: rec.Line}] = true // done, for a run that names no account type
		st.ids[rec.Line] = rec.id()
		st.count++
	}
	return st, nil
}

// maxResumeLine bounds a line readResume holds: a record wxpay writes is well under 2 KiB
// (its texts are cut), and a file of one endless line must not be read into memory whole.
const maxResumeLine = 64 << 10

// readBoundedLine reads one line with its newline, like ReadString('\n'), holding at most
// limit bytes of it; long reports a longer line, whose text is then cut. It is how a bulk
// input and a --resume file are read: one endless line is never held whole.
func readBoundedLine(br *bufio.Reader, limit int) (line string, long bool, err error) {
	var b []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(b)+len(chunk) <= limit {
			b = append(b, chunk...)
		} else {
			long = true
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return string(b), long, err
	}
}

// String summarises the state for the start of a resumed run.
func (st *resumeState) String() string {
	return fmt.Sprintf("%d records already present", st.count)
}
