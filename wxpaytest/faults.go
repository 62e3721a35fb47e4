package wxpaytest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Fault is a misbehaviour the server applies to the next valid requests (authenticated,
// valid against the spec, decrypted) of an operation. Its parts combine: Delay first, then
// Drop, or else the answer — an error when Status is set — signed with the timestamp,
// body and signature faults applied.
//
// QueueFault panics on a fault that cannot mean what it says, the way httptest panics on
// misuse: an Operation that is not an operationId of openapi.yaml (use the generated.Op…
// constants), a Status that is not an error status, a Code without a Status, or — unless
// AllowUnlisted is set — a Status or Code that openapi.yaml does not list for the operation.
type Fault struct {
	Operation string // operationId it applies to, e.g. generated.OpQueryECommerceBalance; "" = any
	// Times is how many requests it applies to: 0 means 1; EveryAttempt means every one
	// until ClearFaults, so that the fault reaches the caller whatever its retries.
	Times  int
	Status int // answer this HTTP status (4xx/5xx) with Code and Message instead of the handler's
	// Code is the WeChat Pay error code; "" takes the first openapi.yaml lists for Status that
	// is not marked with a scope (e.g. 500 → SYSTEM_ERROR; 404 → NOT_FOUND, since its one row,
	// ORDER_NOT_EXISTS, is scope: withdrawal).
	Code string
	// AllowUnlisted lets Status and Code be ones openapi.yaml does not list for the
	// operation (a 3xx, say, or a code WeChat Pay added since).
	AllowUnlisted bool
	Message       string        // error description; "" takes the spec's description of Code
	Delay         time.Duration // wait this long before answering (cut short when the client gives up)
	// Drop closes the connection without answering: the client sees a network error (EOF),
	// not a response. The request counts as never processed (its nonce may be sent again).
	Drop bool
	// TamperBody changes the body after signing it, so the signature no longer matches.
	TamperBody bool
	// StaleTimestamp signs with a Wechatpay-Timestamp ten minutes old, outside the 5-minute window.
	StaleTimestamp bool
	// Probe answers with a WECHATPAY/SIGNTEST/ signature probe.
	Probe bool
	// RetryAfter sets a Retry-After header (whole seconds, rounded up).
	RetryAfter time.Duration
}

// String names the parts of the fault, for logs and Request.Fault.
func (f Fault) String() string {
	var parts []string
	if f.Delay > 0 {
		parts = append(parts, "delay "+f.Delay.String())
	}
	if f.Drop {
		parts = append(parts, "drop")
	}
	if f.Status != 0 {
		parts = append(parts, http.StatusText(f.Status)+" "+f.Code)
	}
	if f.TamperBody {
		parts = append(parts, "tamper-body")
	}
	if f.StaleTimestamp {
		parts = append(parts, "stale-timestamp")
	}
	if f.Probe {
		parts = append(parts, "probe")
	}
	if f.RetryAfter > 0 {
		parts = append(parts, "retry-after "+f.RetryAfter.String())
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

type queuedFault struct {
	f    Fault
	left int
}

// faultQueue holds queued faults in order; safe for concurrent use.
type faultQueue struct {
	mu   sync.Mutex
	list []*queuedFault
}

// EveryAttempt, as Fault.Times, applies a fault to every matching request until
// ClearFaults: a 500 or a dropped connection then reaches the caller through all of a
// client's retries (transport.Config.MaxAttempts) and its failover.
const EveryAttempt = -1

// QueueFault queues f: the next f.Times valid requests of f.Operation get it, after any
// fault queued before it for the same requests. It panics on a fault that cannot mean what
// it says (see Fault).
func (s *Server) QueueFault(f Fault) {
	if msg := s.checkFault(f); msg != "" {
		panic("wxpaytest: QueueFault: " + msg)
	}
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = append(s.faults.list, &queuedFault{f: f, left: f.Times})
}

// checkFault says what is wrong with a fault, or "".
func (s *Server) checkFault(f Fault) string {
	ops := s.spec.ops
	op := "any operation"
	if f.Operation != "" {
		if !slices.Contains(ops, f.Operation) {
			return fmt.Sprintf("Fault.Operation %q is not an operationId of openapi.yaml: use one of %s (generated.Op…), or \"\" for any", f.Operation, strings.Join(ops, ", "))
		}
		op = f.Operation
	}
	switch {
	case f.Times < 0 && f.Times != EveryAttempt:
		return fmt.Sprintf("Fault.Times %d: use a count, 0 for 1, or EveryAttempt", f.Times)
	case f.Code != "" && f.Status == 0:
		return fmt.Sprintf("Fault.Code %q without a Status: set the error status it comes with", f.Code)
	case f.Status == 0:
		return ""
	case f.Status >= 200 && f.Status < 300:
		return fmt.Sprintf("Fault.Status %d is not an error: leave Status 0 for the handler's answer (TamperBody, StaleTimestamp, Probe and Delay apply to it)", f.Status)
	case f.Status < 100 || f.Status > 599:
		return fmt.Sprintf("Fault.Status %d is not an HTTP status", f.Status)
	case f.AllowUnlisted:
		return ""
	case f.Status < 400:
		return fmt.Sprintf("Fault.Status %d: openapi.yaml lists only 4xx and 5xx errors; set AllowUnlisted to answer it anyway", f.Status)
	}
	listed := s.spec.errors.rows(f.Operation, f.Status)
	var codes []string
	for _, r := range listed {
		codes = append(codes, r.code)
	}
	switch {
	case len(codes) == 0:
		return fmt.Sprintf("Fault.Status %d: openapi.yaml lists no %d error for %s; set AllowUnlisted to answer it anyway", f.Status, f.Status, op)
	case f.Code != "" && !slices.Contains(codes, f.Code):
		return fmt.Sprintf("Fault.Code %q: openapi.yaml lists %s for %d of %s; set AllowUnlisted to answer it anyway", f.Code, strings.Join(codes, ", "), f.Status, op)
	}
	return ""
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = nil
}

// PendingFaults returns how many requests the queued faults will still apply to; a fault
// queued with EveryAttempt counts as 1.
func (s *Server) PendingFaults() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	n := 0
	for _, qf := range s.faults.list {
		n += max(qf.left, 1)
	}
	return n
}

// take returns the first queued fault for an operation and counts it used.
func (q *faultQueue) take(op string) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, qf := range q.list {
		if qf.f.Operation != "" && qf.f.Operation != op {
			continue
		}
		if qf.left == EveryAttempt {
			return qf.f, true
		}
		if qf.left--; qf.left <= 0 {
			q.list = append(q.list[:i:i], q.list[i+1:]...)
		}
		return qf.f, true
	}
	return Fault{}, false
}

// tamper changes one byte of a body: the first digit, else it appends a space.
func tamper(body []byte) []byte {
	out := append([]byte(nil), body...)
	for i, c := range out {
		if c >= '0' && c <= '9' {
			out[i] = '0' + (c-'0'+1)%10
			return out
		}
	}
	return append(out, ' ')
}
