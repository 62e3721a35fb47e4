package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// bulkSummary adds up a bulk run's records as they are written: rows ok, failed by code or
// reason, the total and largest amounts, and the calls made.
type bulkSummary struct {
	ok, failed int
	byCause    map[string]int // "NO_AUTH", "unverified: signature does not match", "invalid", …
	calls      int            // records that took a request (all but invalid rows)
	skipped    int            // rows already in the --out file (--resume)
	unfinished int            // rows dispatched whose call was cut short by an interrupt
	total      int64          // sum of the ok amounts, in fen
	largest    *bulkRecord    // the ok record with the largest amount
	amountName string         // "available_amount" or "balance"
	interrupt  bool
}

func newBulkSummary(amountName string) *bulkSummary {
	return &bulkSummary{byCause: make(map[string]int), amountName: amountName}
}

// add counts one record.
func (s *bulkSummary) add(r *bulkRecord) {
	if r.Result != resultInvalid {
		s.calls++
	}
	if r.Result != resultOK {
		s.failed++
		s.byCause[cause(r)]++
		return
	}
	s.ok++
	if a, ok := r.amount(); ok {
		s.total += a
		if best, _ := s.largestAmount(); s.largest == nil || a > best {
			c := *r
			s.largest = &c
		}
	}
}

func (s *bulkSummary) largestAmount() (int64, bool) {
	if s.largest == nil {
		return 0, false
	}
	return s.largest.amount()
}

// cause names why a record failed, for the summary's breakdown.
func cause(r *bulkRecord) string {
	switch r.Result {
	case resultAPIError:
		if r.Code != "" {
			return fmt.Sprintf("%d %s", r.Status, printable(r.Code, 40))
		}
		return fmt.Sprintf("HTTP %d", r.Status)
	case resultUnverified:
		return "unverified (" + r.Reason + ")"
	}
	return strings.ReplaceAll(r.Result, "_", " ")
}

// write prints the summary on w: two or three lines.
func (s *bulkSummary) write(w io.Writer, elapsed time.Duration) {
	rate := 0.0
	if elapsed > 0 {
		rate = float64(s.calls) / elapsed.Seconds()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "wxpay: %d ok, %d failed", s.ok, s.failed)
	if len(s.byCause) > 0 {
		causes := make([]string, 0, len(s.byCause))
		for c := range s.byCause {
			causes = append(causes, c)
		}
		sort.Slice(causes, func(i, j int) bool {
			if s.byCause[causes[i]] != s.byCause[causes[j]] {
				return s.byCause[causes[i]] > s.byCause[causes[j]]
			}
			return causes[i] < causes[j]
		})
		parts := make([]string, len(causes))
		for i, c := range causes {
			parts[i] = fmt.Sprintf("%s: %d", c, s.byCause[c])
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	if s.skipped > 0 {
		fmt.Fprintf(&b, ", %d already done (--resume)", s.skipped)
	}
	fmt.Fprintf(&b, "; %d calls in %s, %.0f calls/s\n", s.calls, elapsed.Round(time.Millisecond), rate)
	if s.ok > 0 {
		fmt.Fprintf(&b, "wxpay: %s: total %s yuan (%d fen)", s.amountName, formatYuan(s.total), s.total)
		if a, ok := s.largestAmount(); ok {
			what := "sub-merchant " + s.largest.id()
			if s.largest.MchID != "" {
				what = "merchant " + s.largest.MchID
			}
			fmt.Fprintf(&b, ", largest %s yuan (%d fen), %s line %d", formatYuan(a), a, what, s.largest.Line)
		}
		b.WriteByte('\n')
	}
	if s.interrupt {
		fmt.Fprintf(&b, "wxpay: interrupted: the rows not written yet")
		if s.unfinished > 0 {
			fmt.Fprintf(&b, " (%d cut short in flight)", s.unfinished)
		}
		b.WriteString(" are queried by a rerun with --resume and the same --out\n")
	}
	_, _ = io.WriteString(w, b.String())
}
