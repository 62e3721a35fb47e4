package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/transport"
)

// The output formats of -o.
const (
	formatJSON  = "json"  // the verified answer, amounts in fen
	formatTable = "table" // one field a line, amounts in yuan and fen
)

// checkFormat validates the value of -o.
func checkFormat(f string) error {
	switch f {
	case formatJSON, formatTable:
		return nil
	}
	return usagef("-o %q: expected json or table", f)
}

// writeJSON writes a verified answer body as indented JSON, exactly the fields WeChat Pay sent.
func writeJSON(w io.Writer, body []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(body), "", "  "); err != nil {
		return fmt.Errorf("the verified answer is not JSON: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// row is one line of a table: a field name and its value.
type row struct{ name, value string }

// writeRows writes rows as two aligned columns.
func writeRows(w io.Writer, rows []row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r.name, r.value)
	}
	return tw.Flush()
}

// eCommerceRows lays out a sub-merchant balance for -o table.
func eCommerceRows(b *generated.ECommerceBalance) []row {
	accountType := "-"
	if b.AccountType != nil {
		accountType = string(*b.AccountType)
	}
	return []row{
		{"sub_mchid", b.SubMchID},
		{"account_type", accountType},
		{"available_amount", amount(&b.AvailableAmount)},
		{"pending_amount", amount(b.PendingAmount)},
	}
}

// accountRows lays out a channel quota for -o table.
func accountRows(b *generated.AccountBalance) []row {
	inTransit := "-"
	if b.InTransitReductionExist != nil {
		inTransit = strconv.FormatBool(*b.InTransitReductionExist)
	}
	return []row{
		{"balance", amount(b.Balance)},
		{"in_transit_reduction_exist", inTransit},
	}
}

// amount shows an amount in fen as yuan, with the exact fen beside it; "-" when absent.
func amount(fen *int64) string {
	if fen == nil {
		return "-"
	}
	return fmt.Sprintf("%s yuan (%d fen)", formatYuan(*fen), *fen)
}

// formatYuan renders an amount in fen (分) as yuan with two decimals and thousands
// separators, using integer arithmetic only: 10000 → "100.00", -1 → "-0.01",
// 123456789 → "1,234,567.89". Every int64 works, math.MinInt64 included.
func formatYuan(fen int64) string {
	var u uint64
	neg := fen < 0
	if neg {
		u = uint64(-(fen + 1)) + 1 // no overflow at math.MinInt64
	} else {
		u = uint64(fen)
	}
	yuan := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range yuan {
		if i > 0 && (len(yuan)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	cents := u % 100
	b.WriteByte('.')
	b.WriteByte(byte('0' + cents/10))
	b.WriteByte(byte('0' + cents%10))
	return b.String()
}

// maxDetailBytes bounds the detail object echoed from an unsigned error answer.
const maxDetailBytes = 2048

// apiErrorJSON is the object written on stderr for a WeChat Pay error answer.
type apiErrorJSON struct {
	Status    int             `json:"status"`
	Code      string          `json:"code"`
	Message   string          `json:"message"`
	Detail    json.RawMessage `json:"detail"`
	RequestID string          `json:"request_id"`
}

// writeAPIError writes e as one JSON object on one line: status, code, message, detail
// (null when WeChat Pay sent none) and request_id.
//
// An error answer is not signed: its text is bounded and cleaned as in bulk records
// (control and format characters replaced), and a detail over maxDetailBytes, or one
// holding such characters, is written as a cleaned, cut JSON string instead of an object.
func writeAPIError(w io.Writer, e *transport.APIError) {
	v := apiErrorJSON{
		Status:    e.StatusCode,
		Code:      printable(e.Code, 64),
		Message:   printable(e.Message, 256),
		Detail:    e.Detail,
		RequestID: printable(e.RequestID, 128),
	}
	var compact bytes.Buffer
	if len(v.Detail) == 0 || json.Compact(&compact, v.Detail) != nil {
		v.Detail = nil
	} else {
		v.Detail = compact.Bytes()
	}
	switch d := string(v.Detail); {
	case v.Detail == nil:
	case len(d) > maxDetailBytes || printable(d, len(d)) != d:
		v.Detail, _ = json.Marshal(printable(d, maxDetailBytes))
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(w, "wxpay:", e.Error())
	}
}
