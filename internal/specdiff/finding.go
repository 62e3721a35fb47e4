package specdiff

import (
	"fmt"
	"sort"
)

// Severity tells whether a finding is a gap in the spec or only worth a look.
type Severity string

// The severities of findings.
const (
	// Gap is something the spec is missing or states differently; it fails the run.
	Gap Severity = "gap"
	// Warning is worth a look but does not fail the run.
	Warning Severity = "warning"
)

// Finding is one difference between the pages and the spec.
type Finding struct {
	// Operation is the spec's operationId, or "METHOD path" when the spec has no such operation.
	Operation string `json:"operation"`
	// Severity is gap or warning.
	Severity Severity `json:"severity"`
	// Subject names what differs, e.g. "error 403 CONTRACT_NOT_CONFIRM".
	Subject string `json:"subject"`
	// Message says how it differs, e.g. "listed in the page, absent from the spec".
	Message string `json:"message"`
	// Page is the page (file) the fact comes from, when there is one.
	Page string `json:"page,omitempty"`
	// PageValue is the page's value, when the finding compares values.
	PageValue string `json:"page_value,omitempty"`
	// SpecValue is the spec's value, when the finding compares values.
	SpecValue string `json:"spec_value,omitempty"`
}

// String renders the finding as one line: "Op: subject message (page)".
func (f Finding) String() string {
	s := f.Operation + ": " + f.Subject + " " + f.Message
	if f.Page != "" {
		s += " (" + f.Page + ")"
	}
	return s
}

// Gaps counts the findings of severity Gap.
func Gaps(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == Gap {
			n++
		}
	}
	return n
}

// sortFindings orders findings by operation, keeping each operation's own order.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Operation < fs[j].Operation })
}

// findings collects the findings of one operation.
type findings struct {
	op  string
	out []Finding
}

// gap records a gap.
func (c *findings) gap(page, subject, format string, args ...any) *Finding {
	return c.add(Gap, page, subject, format, args...)
}

// warn records a warning.
func (c *findings) warn(page, subject, format string, args ...any) *Finding {
	return c.add(Warning, page, subject, format, args...)
}

// add records a finding and returns it so values can be attached.
func (c *findings) add(sev Severity, page, subject, format string, args ...any) *Finding {
	c.out = append(c.out, Finding{
		Operation: c.op,
		Severity:  sev,
		Subject:   subject,
		Message:   fmt.Sprintf(format, args...),
		Page:      page,
	})
	return &c.out[len(c.out)-1]
}
