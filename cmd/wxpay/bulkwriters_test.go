package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// overlapWriter is one writer for stdout and stderr, as the demo passes, that records
// whether a Write began while another was still in progress. The first record's Write
// stays in progress until another Write begins, or for hold.
type overlapWriter struct {
	buf      bytes.Buffer // only touched by a Write that found no other in progress
	inside   atomic.Bool
	overlap  atomic.Bool
	started  chan struct{} // closed when the first record's Write begins
	entered  chan struct{} // closed when a Write overlaps it
	once     sync.Once
	hold     time.Duration
	overlaps sync.Once
}

func (w *overlapWriter) Write(p []byte) (int, error) {
	if !w.inside.CompareAndSwap(false, true) {
		w.overlap.Store(true)
		w.overlaps.Do(func() { close(w.entered) })
		return len(p), nil
	}
	defer w.inside.Store(false)
	if bytes.Contains(p, []byte("1900000109")) {
		w.once.Do(func() {
			close(w.started)
			select {
			case <-w.entered:
			case <-time.After(w.hold):
			}
		})
	}
	return w.buf.Write(p)
}

// gatedReader yields the first row, then the second only once the first row's record is
// being written: the second row is bad, so the reader's goroutine writes its "not sent"
// notice exactly while the writer's goroutine is inside the first record's Write.
type gatedReader struct {
	rows [2]string
	n    int
	gate <-chan struct{}
}

func (r *gatedReader) Read(p []byte) (int, error) {
	switch r.n++; r.n {
	case 1:
		return copy(p, r.rows[0]), nil
	case 2:
		<-r.gate
		return copy(p, r.rows[1]), nil
	}
	return 0, io.EOF
}

// A bulk run writes from more than one goroutine (the reader's "not sent" notice for a bad
// row of stdin, the records, the progress lines), into writers that need not be safe for
// concurrent use — the demo passes one bytes.Buffer as both stdout and stderr. No Write may
// begin while another is in progress.
func TestBulkWritesAreSerialized(t *testing.T) {
	w := &overlapWriter{started: make(chan struct{}), entered: make(chan struct{}), hold: 200 * time.Millisecond}
	b := &bulkRun{
		command: "ecommerce-balance", layout: ecommerceLayout, input: "-", format: formatCSV,
		flags:   &bulkFlags{concurrency: 1, quiet: true},
		timeout: time.Minute, grace: time.Minute, interval: time.Hour,
		amountName: "available_amount", throttle: newThrottle(1),
	}
	b.query = func(ctx context.Context, job bulkJob) *bulkRecord {
		rec := b.identity(job)
		available := int64(10000)
		rec.Result, rec.AvailableAmount = resultOK, &available
		return rec
	}
	in := &gatedReader{rows: [2]string{"1900000109\n", "1900/0203\n"}, gate: w.started}
	err := b.run(context.Background(), in, w, w)
	if _, failed := err.(*bulkFailedError); !failed {
		t.Errorf("run: %v, want the bad row's failure", err)
	}
	if w.overlap.Load() {
		t.Error("a Write began while another was in progress: stdout and stderr are written from two goroutines without a lock")
	}
	if out := w.buf.String(); !strings.Contains(out, "line 2: ") || !strings.Contains(out, "1,1900000109,") {
		t.Errorf("output:\n%s", out)
	}
}
