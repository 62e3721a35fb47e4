package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports a bulk run as it goes, on stderr: a live bar on a terminal, a plain
// line every few seconds otherwise (a log file, CI), nothing with --quiet.
type progress interface {
	// row counts one more record written; failed says whether it was not "ok".
	row(failed bool)
	// finish stops the reports (the summary follows).
	finish()
}

// progressInterval is how often the plain progress line is written.
const progressInterval = 5 * time.Second

// newProgress picks the report for stderr: total is the number of rows to query, -1 when
// unknown (stdin).
func newProgress(stderr io.Writer, total int64, quiet bool, interval time.Duration) progress {
	switch {
	case quiet:
		return noProgress{}
	case isTerminal(stderr):
		return newBarProgress(stderr, total)
	}
	return newLineProgress(stderr, total, interval, time.Now)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	if l, ok := w.(*lockedWriter); ok {
		w = l.w
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

type noProgress struct{}

func (noProgress) row(bool) {}
func (noProgress) finish()  {}

// barProgress is the live bar (github.com/schollz/progressbar/v3): done/total, rows per
// second, ETA, and the errors so far in its description.
type barProgress struct {
	mu     sync.Mutex
	bar    *progressbar.ProgressBar
	errors int
}

func newBarProgress(w io.Writer, total int64) *barProgress {
	return &barProgress{bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("0 errors"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *barProgress) row(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if failed {
		p.errors++
		p.bar.Describe(fmt.Sprintf("%d errors", p.errors))
	}
	_ = p.bar.Add(1)
}

func (p *barProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.bar.Exit()
}

// lineProgress writes one plain line every interval:
//
//	wxpay: 1200/10000 rows (12%), 3 errors, 712 rows/s, ETA 12s
type lineProgress struct {
	mu     sync.Mutex
	w      io.Writer
	total  int64
	done   int64
	errors int64
	start  time.Time
	now    func() time.Time
	stop   chan struct{}
	wg     sync.WaitGroup
}

func newLineProgress(w io.Writer, total int64, interval time.Duration, now func() time.Time) *lineProgress {
	p := &lineProgress{w: w, total: total, start: now(), now: now, stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.report()
			}
		}
	}()
	return p
}

func (p *lineProgress) row(failed bool) {
	p.mu.Lock()
	p.done++
	if failed {
		p.errors++
	}
	p.mu.Unlock()
}

func (p *lineProgress) report() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = io.WriteString(p.w, progressLine(p.done, p.total, p.errors, p.now().Sub(p.start))+"\n")
}

func (p *lineProgress) finish() {
	close(p.stop)
	p.wg.Wait()
}

// progressLine words the progress of a run: done of total (total < 0: unknown), errors,
// rate and, when the total is known, the time left.
func progressLine(done, total, errors int64, elapsed time.Duration) string {
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	s := fmt.Sprintf("wxpay: %d rows", done)
	if total >= 0 {
		pct := 100.0
		if total > 0 {
			pct = 100 * float64(done) / float64(total)
		}
		s = fmt.Sprintf("wxpay: %d/%d rows (%.0f%%)", done, total, pct)
	}
	s += fmt.Sprintf(", %d errors, %.0f rows/s", errors, rate)
	if total >= 0 && rate > 0 && done < total {
		eta := time.Duration(float64(total-done) / rate * float64(time.Second)).Round(time.Second)
		s += ", ETA " + eta.String()
	}
	return s
}
