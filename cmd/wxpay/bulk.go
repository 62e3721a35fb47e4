package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/transport"
)

// defaultConcurrency is how many rows a bulk run queries at once unless --concurrency
// says otherwise: enough to hide the network's latency, few enough to stay far below
// the rate limits openapi.yaml gives.
const defaultConcurrency = 16

// bulkFlags are the flags a bulk run adds to a balance command.
type bulkFlags struct {
	input       *string // --sub-mchids or --from
	out         string
	resume      bool
	concurrency int
	quiet       bool
}

// addBulkFlags registers the bulk flags on fs; inputFlag names the input file flag.
func addBulkFlags(fs *flagSet, inputFlag, inputUsage string) *bulkFlags {
	b := &bulkFlags{input: fs.String(inputFlag, "", inputUsage)}
	fs.StringVar(&b.out, "out", "", "bulk: write the records to this `file` instead of stdout, one complete line per row")
	fs.BoolVar(&b.resume, "resume", false, "bulk: keep the records already in --out and query only the rows missing from it")
	fs.IntVar(&b.concurrency, "concurrency", defaultConcurrency, "bulk: rows queried at once (`n`); a 429 slows the whole run down")
	fs.BoolVar(&b.quiet, "quiet", false, "bulk: no progress on stderr (the summary is still printed)")
	return b
}

// set reports whether a bulk run was asked for.
func (b *bulkFlags) set() bool { return strings.TrimSpace(*b.input) != "" }

// checkSingle refuses bulk-only flags on a single query.
func (b *bulkFlags) checkSingle(fs *flagSet, inputFlag string) error {
	var bad []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "out", "resume", "concurrency", "quiet":
			bad = append(bad, "--"+f.Name)
		}
	})
	if len(bad) > 0 {
		return usagef("%s only apply to a bulk run: add --%s FILE", strings.Join(bad, ", "), inputFlag)
	}
	return nil
}

// bulkFormat validates -o for a bulk run: jsonl (json means the same), csv or table.
func bulkFormat(q *queryFlags) (string, error) {
	if q.timeout <= 0 {
		return "", usagef("--timeout %s: expected a positive duration such as 10s", q.timeout)
	}
	f := strings.ToLower(strings.TrimSpace(q.format))
	switch f {
	case formatJSON, formatJSONL:
		return formatJSONL, nil
	case formatCSV, formatTable:
		return f, nil
	}
	return "", usagef("-o %q: a bulk run writes jsonl, csv or table", q.format)
}

// bulkJob is one query of a bulk run: a row, and for QueryECommerceBalance the account
// type ("" for WeChat Pay's default).
type bulkJob struct {
	seq         int
	row         *bulkRow
	accountType string
}

// bulkResult is a job's record; unfinished when the call was cut short by an interrupt
// (no record: a rerun with --resume queries the row again).
type bulkResult struct {
	seq        int
	rec        *bulkRecord
	unfinished bool
	sent       bool // the unfinished call had been sent
}

// bulkRun is one bulk run of a balance command.
type bulkRun struct {
	command      string // "ecommerce-balance" or "channel-balance"
	layout       bulkLayout
	input        string   // file name, or "-" for stdin
	accountTypes []string // one job per type and row; nil: one job per row
	format       string
	flags        *bulkFlags
	timeout      time.Duration // per row
	grace        time.Duration // how long in-flight calls may go on after an interrupt
	interval     time.Duration // between plain progress lines
	amountName   string
	// query makes one call and words its outcome as a record (the row's identity filled in).
	query    func(ctx context.Context, job bulkJob) *bulkRecord
	throttle *throttle
}

// windowPerWorker bounds the records held while an earlier row is still in flight: the
// output stays in input order (so a resumed file equals an uninterrupted one) and memory
// stays flat however long the input.
const windowPerWorker = 64

// run reads the input, queries every row and writes one record per row, in input order.
func (b *bulkRun) run(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	var outMu sync.Mutex
	stdout, stderr = &lockedWriter{&outMu, stdout}, &lockedWriter{&outMu, stderr}
	doc, err := specDoc()
	if err != nil {
		return err
	}
	var resume *resumeState
	if b.flags.resume {
		if resume, err = readResume(b.flags.out, b.format); err != nil {
			return err
		}
	}
	// A file is read twice: first to check every row against openapi.yaml and count the
	// work before any request, then to query. Stdin is read once, checked row by row.
	total := int64(-1)
	if b.input != "-" {
		if total, err = b.precheck(doc, resume, stderr); err != nil {
			return err
		}
	}
	in, err := openBulkInput(b.layout.flag, b.input, stdin)
	if err != nil {
		return err
	}
	defer in.Close()
	w, closeOut, err := b.openOutput(stdout, resume)
	if err != nil {
		return err
	}
	defer closeOut()
	if resume != nil && resume.count > 0 && !b.flags.quiet {
		fmt.Fprintf(stderr, "wxpay: --resume: %s in %s\n", resume, b.flags.out)
	}

	start := time.Now()
	sum := newBulkSummary(b.amountName)
	prog := newProgress(stderr, total, b.flags.quiet, b.interval)
	concurrency := b.flags.concurrency

	// Calls run on a context of their own: an interrupt stops the dispatch at once, and
	// the calls in flight only after the grace period.
	callCtx, cancelCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelCalls()
	stopDispatch, cancelDispatch := context.WithCancel(ctx)
	defer cancelDispatch()
	doneCh := make(chan struct{})
	defer close(doneCh)
	go func() {
		select {
		case <-ctx.Done():
			t := time.NewTimer(b.grace)
			defer t.Stop()
			select {
			case <-t.C:
				cancelCalls()
			case <-doneCh:
			}
		case <-doneCh:
		}
	}()

	jobs := make(chan bulkJob)
	results := make(chan bulkResult, concurrency)
	window := make(chan struct{}, concurrency*windowPerWorker)
	var readErr error
	go func() {
		defer close(jobs)
		readErr = b.dispatch(stopDispatch, doc, in, resume, sum, jobs, window, stderr)
	}()
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			for job := range jobs {
				results <- b.work(ctx, callCtx, job)
			}
		})
	}
	go func() { wg.Wait(); close(results) }()

	// Write in input order: hold the records that finish early until the earlier ones are in.
	pending := make(map[int]bulkResult, concurrency)
	next, gap := 1, false
	var writeErr error
	for res := range results {
		pending[res.seq] = res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-window
			switch {
			case r.unfinished || gap || writeErr != nil:
				gap = true // nothing after a missing row, so the file stays a prefix of the run
				if r.unfinished && r.sent {
					sum.unfinished++
				}
			default:
				if err := w.write(r.rec); err != nil {
					writeErr = err
					cancelDispatch()
					continue
				}
				sum.add(r.rec)
				prog.row(r.rec.Result != resultOK)
			}
		}
	}
	prog.finish()
	sum.interrupt = ctx.Err() != nil
	sum.write(stderr, time.Since(start))
	switch {
	case writeErr != nil:
		return fmt.Errorf("writing the records: %w", writeErr)
	case readErr != nil && !errors.Is(readErr, context.Canceled):
		return readErr
	case ctx.Err() != nil:
		return ctx.Err()
	case sum.failed > 0:
		return &bulkFailedError{failed: sum.failed, rows: sum.ok + sum.failed}
	}
	return nil
}

// bulkFailedError ends a bulk run in which some rows failed (exit 1); the records say why.
type bulkFailedError struct{ failed, rows int }

func (e *bulkFailedError) Error() string {
	return fmt.Sprintf("%d of %d records failed: each says why", e.failed, e.rows)
}

// precheck reads the input file once, before any request: every row is checked against
// openapi.yaml (bad rows reported on stderr with their line), a --resume file is checked
// against it, and the jobs left are counted for the progress report.
func (b *bulkRun) precheck(doc *openapi3.T, resume *resumeState, stderr io.Writer) (int64, error) {
	in, err := openBulkInput(b.layout.flag, b.input, nil)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	var total int64
	err = eachRow(in, b.layout, func(row *bulkRow) error {
		if !checkRow(doc, b.layout, row) {
			fmt.Fprintf(stderr, "wxpay: %s %s line %d: %s; not sent\n", b.layout.flag, b.input, row.line, row.bad)
		}
		if err := b.checkResumed(resume, row); err != nil {
			return err
		}
		for _, at := range b.types() {
			if resume == nil || !resume.done[recordKey{row.line, at}] {
				total++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// checkResumed refuses a --resume file whose records name other merchants than the input
// at the same lines: it was written for another input.
func (b *bulkRun) checkResumed(resume *resumeState, row *bulkRow) error {
	if resume == nil {
		return nil
	}
	had, ok := resume.ids[row.line]
	id := row.values[b.layout.columns[0]]
	if ok && had != id && row.bad == "" {
		return usagef("--resume: %s line %d is for %s, but %s line %d names %s: was %s written for another input?",
			b.flags.out, row.line, quoteBounded(had), b.layout.flag, row.line, quoteBounded(id), b.flags.out)
	}
	return nil
}

// types returns the account types each row is queried for: [""] for one query per row.
func (b *bulkRun) types() []string {
	if len(b.accountTypes) == 0 {
		return []string{""}
	}
	return b.accountTypes
}

// dispatch streams the rows to the workers until the input ends or ctx does.
func (b *bulkRun) dispatch(ctx context.Context, doc *openapi3.T, in io.Reader, resume *resumeState, sum *bulkSummary,
	jobs chan<- bulkJob, window chan struct{}, stderr io.Writer) error {
	seq := 0
	return eachRow(in, b.layout, func(row *bulkRow) error {
		if !checkRow(doc, b.layout, row) && b.input == "-" {
			fmt.Fprintf(stderr, "wxpay: %s - line %d: %s; not sent\n", b.layout.flag, row.line, row.bad)
		}
		if err := b.checkResumed(resume, row); err != nil {
			return err
		}
		for _, at := range b.types() {
			if resume != nil && resume.done[recordKey{row.line, at}] {
				sum.skipped++ // only the writer reads it, after the workers are done
				continue
			}
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			seq++
			select {
			case jobs <- bulkJob{seq: seq, row: row, accountType: at}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
}

// work turns one job into its result: a bad row's record without a request, or the query's.
func (b *bulkRun) work(ctx, callCtx context.Context, job bulkJob) bulkResult {
	res := bulkResult{seq: job.seq}
	if job.row.bad != "" {
		res.rec = b.identity(job)
		res.rec.Result, res.rec.Reason = resultInvalid, job.row.bad
		return res
	}
	if err := b.throttle.acquire(ctx); err != nil {
		res.unfinished = true // interrupted before it was sent
		return res
	}
	defer b.throttle.release()
	rowCtx, cancel := context.WithTimeout(callCtx, b.timeout)
	defer cancel()
	rec := b.query(rowCtx, job)
	if callCtx.Err() != nil {
		res.unfinished, res.sent = true, true
		return res
	}
	res.rec = rec
	return res
}

// identity returns a record holding a job's row and account type, nothing else yet.
func (b *bulkRun) identity(job bulkJob) *bulkRecord {
	r := &bulkRecord{Line: job.row.line, AccountType: job.accountType}
	if b.layout.operation == "QueryECommerceBalance" {
		r.SubMchID = job.row.values["sub_mchid"]
	} else {
		r.MchID = job.row.values["mchid"]
	}
	return r
}

// openOutput opens --out (appending when resuming, after cutting a torn last line) or
// returns stdout; a new file or stdout gets the CSV header or table heading.
func (b *bulkRun) openOutput(stdout io.Writer, resume *resumeState) (*recordWriter, func(), error) {
	if b.flags.out == "" {
		w := newRecordWriter(stdout, b.format, b.command)
		return w, func() {}, w.header()
	}
	path := b.flags.out
	if resume == nil {
		if st, err := os.Stat(path); err == nil && st.Size() > 0 {
			return nil, nil, usagef("--out %s exists: add --resume to complete it, or remove it first", path)
		}
	} else if st, err := os.Stat(path); err == nil && st.Size() != resume.size {
		if err := os.Truncate(path, resume.size); err != nil {
			return nil, nil, usagef("--out %s: cutting off its torn last line: %v", path, unwrapOp(err))
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, usagef("--out %s: %v", path, unwrapOp(err))
	}
	w := newRecordWriter(f, b.format, b.command)
	closeFn := func() { _ = f.Close() }
	if resume == nil || resume.size == 0 {
		if err := w.header(); err != nil {
			closeFn()
			return nil, nil, fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return w, closeFn, nil
}

// newBulkClient builds the one client of a bulk run: one Transport and one connection
// pool sized for concurrency, and an Observer that tells the throttle about every 429.
func newBulkClient(q *queryFlags, getenv env, stderr io.Writer, concurrency int, thr *throttle) (*cliClient, error) {
	cc, err := q.creds.load(getenv)
	if err != nil {
		return nil, err
	}
	warnMockKeys(stderr, cc.keyFile, cc.baseURL)
	cfg := cc.transport
	cfg.AttemptTimeout = q.timeout / 2
	if cfg.Base == nil {
		base := http.DefaultTransport.(*http.Transport).Clone()
		base.MaxIdleConnsPerHost = concurrency
		cfg.Base = base
	}
	cfg.Observer = &transport.Observer{AttemptDone: func(_ context.Context, a transport.AttemptDone) {
		if a.Status == http.StatusTooManyRequests {
			thr.slowDown()
		}
	}}
	c, err := wxpay.NewClient(cc.baseURL, cfg)
	if err != nil {
		return nil, err
	}
	return &cliClient{Client: c, downloadOnly: !cfg.APIv3Key.IsZero() && cfg.WechatPayPublicKey == nil && len(cfg.PlatformCertificates) == 0}, nil
}
