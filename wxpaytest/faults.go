package wxpaytest

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault is a misbehaviour the server applies to the next valid requests (authenticated,
// valid against the spec, decrypted) of an operation. Its parts combine: Delay first, then
// Drop, or else the answer — an error when Status is set — signed with the timestamp,
// body and signature faults applied.
type Fault struct {
	Operation string        // operationId it applies to, e.g. "QueryECommerceBalance"; "" = any
	Times     int           // how many requests it applies to; 0 means 1
	Status    int           // answer this HTTP status (4xx/5xx) with Code and Message instead of the handler's
	Code      string        // WeChat Pay error code; "" takes the first openapi.yaml lists for Status (e.g. 500 → SYSTEM_ERROR)
	Message   string        // error description; "" takes the spec's description of Code
	Delay     time.Duration // wait this long before answering (cut short when the client gives up)
	Drop      bool          // drop the connection mid-answer: the client sees a network error, not a response
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

// QueueFault queues f: the next f.Times valid requests of f.Operation get it, after any
// fault queued before it for the same requests.
func (s *Server) QueueFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = append(s.faults.list, &queuedFault{f: f, left: f.Times})
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = nil
}

// PendingFaults returns how many requests the queued faults will still apply to.
func (s *Server) PendingFaults() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	n := 0
	for _, qf := range s.faults.list {
		n += qf.left
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
