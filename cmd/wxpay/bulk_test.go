package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// readRows reads every row of input under layout.
func readRows(t *testing.T, input string, layout bulkLayout) ([]*bulkRow, error) {
	t.Helper()
	doc, err := specDoc()
	if err != nil {
		t.Fatal(err)
	}
	rd := newBulkReader(strings.NewReader(input), layout)
	var rows []*bulkRow
	for {
		row, err := rd.next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		checkRow(doc, layout, row)
		rows = append(rows, row)
	}
}

func TestBulkInputLayouts(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("9", 33)
	type want struct {
		line int
		id   string
		bad  string // a substring of the reason; "" for a good row
	}
	for _, tc := range []struct {
		name   string
		layout bulkLayout
		input  string
		want   []want
	}{
		{"one ID per line", ecommerceLayout,
			"# sub-merchants\n\n1900000109\r\n  1900000110  \n# done\n" + long + "\nbad/id\n",
			[]want{{3, "1900000109", ""}, {4, "1900000110", ""}, {6, long, "maximum string length is 32"}, {7, "bad/id", `holds "/"`}}},
		{"CSV with a header", ecommerceLayout,
			"\ufeffname,Sub_Mchid,note\n# comment\nA,1900000109,x\n\nB,\"1900000110\",y\nC,1900000111\n",
			[]want{{3, "1900000109", ""}, {5, "1900000110", ""}, {6, "1900000111", "2 fields, the header has 3"}}},
		{"channel CSV", channelLayout,
			"bal_account_no,mchid\nsecret-1,1900016681\n,1900016681\nsecret-3," + long + "\n",
			[]want{{2, "1900016681", ""}, {3, "1900016681", "bal_account_no is empty"}, {4, long, "maximum string length is 32"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := readRows(t, tc.input, tc.layout)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tc.want) {
				t.Fatalf("%d rows, want %d: %+v", len(rows), len(tc.want), rows)
			}
			for i, w := range tc.want {
				r := rows[i]
				if r.line != w.line || r.values[tc.layout.columns[0]] != w.id || (w.bad == "") != (r.bad == "") || !strings.Contains(r.bad, w.bad) {
					t.Errorf("row %d: line %d %v bad %q; want line %d %q bad %q", i, r.line, r.values, r.bad, w.line, w.id, w.bad)
				}
				if strings.Contains(r.bad, "secret") {
					t.Errorf("row %d: the reason shows bal_account_no: %q", i, r.bad)
				}
			}
		})
	}
	if _, err := readRows(t, "1900016681,secret\n", channelLayout); err == nil || !strings.Contains(err.Error(), "expected a CSV header naming the columns mchid and bal_account_no") {
		t.Errorf("channel input without a header: %v", err)
	}
}

// bulkServer starts wxpaytest with n sub-merchants (the first the demo one) and writes
// their IDs, one per line, to a file.
func bulkServer(t *testing.T, n int, opts ...wxpaytest.Option) (*wxpaytest.Server, map[string]string, string, []string) {
	t.Helper()
	srv, env := newServer(t, append([]wxpaytest.Option{wxpaytest.WithRequestLogSize(10 * n)}, opts...)...)
	var ids []string
	var b strings.Builder
	b.WriteString("# sub-merchants\n")
	for i := range n {
		id := fmt.Sprintf("19%08d", 100000+i)
		srv.SetECommerceBalance(id, generated.AccountTypeBasic, int64(1000*(i+1)), int64(i))
		ids = append(ids, id)
		b.WriteString(id + "\n")
	}
	path := filepath.Join(t.TempDir(), "ids.txt")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, env, path, ids
}

// jsonRecords parses JSON lines.
func jsonRecords(t *testing.T, s string) []bulkRecord {
	t.Helper()
	var out []bulkRecord
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if line == "" {
			continue
		}
		var r bulkRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not a JSON record: %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

func TestBulkJSONLAndCSV(t *testing.T) {
	t.Parallel()
	_, env, path, ids := bulkServer(t, 20)
	r := runCLI(t, env, "ecommerce-balance", "--sub-mchids", path, "--quiet")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	recs := jsonRecords(t, r.stdout)
	if len(recs) != len(ids) {
		t.Fatalf("%d records, want %d", len(recs), len(ids))
	}
	for i, rec := range recs {
		if rec.Line != i+2 || rec.SubMchID != ids[i] || rec.Result != resultOK || rec.AvailableAmount == nil || *rec.AvailableAmount != int64(1000*(i+1)) {
			t.Errorf("record %d: %+v", i, rec)
		}
	}
	if !strings.Contains(r.stderr, "wxpay: 20 ok, 0 failed; 20 calls in") || !strings.Contains(r.stderr, "total 2,100.00 yuan (210000 fen), largest 200.00 yuan (20000 fen), sub-merchant 1900100019 line 21") {
		t.Errorf("summary:\n%s", r.stderr)
	}

	r = runCLI(t, env, "ecommerce-balance", "--sub-mchids", path, "--quiet", "-o", "csv", "--account-type", "basic,FEES")
	if r.code != exitFailure {
		t.Fatalf("exit %d, want 1 (FEES is not opened), stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 1+2*len(ids) || lines[0] != strings.Join(bulkColumns["ecommerce-balance"], ",") {
		t.Fatalf("csv: %d lines, header %q", len(lines), lines[0])
	}
	if lines[1] != "2,1900100000,BASIC,ok,1000,0,,,,," || !strings.HasPrefix(lines[2], "2,1900100000,FEES,api_error,,,400,INVALID_REQUEST,") {
		t.Errorf("csv rows:\n%s\n%s", lines[1], lines[2])
	}
}

func TestBulkExitCodes(t *testing.T) {
	t.Parallel()
	_, env, path, _ := bulkServer(t, 2)
	bad := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(bad, []byte("1900100000\nnot/valid\n1900100001\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--sub-mchids", path}, exitOK, "2 ok, 0 failed"},
		{[]string{"--sub-mchids", bad}, exitFailure, "line 2: sub_mchid \"not/valid\""},
		{[]string{"--sub-mchids", filepath.Join(t.TempDir(), "missing")}, exitUsage, "no such file"},
		{[]string{"--sub-mchids", path, "-o", "xml"}, exitUsage, "jsonl, csv or table"},
		{[]string{"--sub-mchids", path, "--concurrency", "0"}, exitUsage, "--concurrency 0"},
		{[]string{"--sub-mchids", path, "--account-type", "BASIC,NOPE"}, exitUsage, `--account-type "NOPE"`},
		{[]string{"--sub-mchids", path, "--resume"}, exitUsage, "--resume needs --out"},
		{[]string{"--sub-mchids", path, "--sub-mchid", "1"}, exitUsage, "not both"},
		{[]string{"--sub-mchid", "1900100000", "--out", "x"}, exitUsage, "only apply to a bulk run: add --sub-mchids FILE"},
	} {
		r := runCLI(t, env, append([]string{"ecommerce-balance", "--quiet"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: exit %d (want %d), stderr:\n%s", tc.args, r.code, tc.code, r.stderr)
		}
	}
}

func TestBulkChannelNeverWritesPlaintext(t *testing.T) {
	t.Parallel()
	srv, env := newServer(t)
	secret := "bal-secret-0123456789abcdef"
	srv.SetAccountBalance("1900016681", secret, 777, true)
	in := "mchid,bal_account_no\n1900016681," + secret + "\n1900016682," + secret + "\n"
	out := filepath.Join(t.TempDir(), "quota.csv")
	r := runCLIContext(t, context.Background(), env, in, "channel-balance", "--from", "-", "-o", "csv", "--out", out)
	if r.code != exitFailure {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data)+r.stdout+r.stderr, secret) {
		t.Errorf("the plaintext bal_account_no was written:\n%s\n%s", data, r.stderr)
	}
	if !strings.Contains(string(data), "\n2,1900016681,ok,777,true,") || !strings.Contains(string(data), "\n3,1900016682,api_error,,,400,PARAM_ERROR,") {
		t.Errorf("records:\n%s", data)
	}
	for _, req := range srv.Requests() {
		if req.Decrypted["bal_account_no"] != secret || strings.Contains(req.RawQuery, secret) {
			t.Errorf("request %s: sent %q, decrypted %q", req.Path, req.RawQuery, req.Decrypted)
		}
	}
}

// normalize drops what differs between two runs against the same data: request IDs.
func normalize(s string) string {
	return regexp.MustCompile(`"request_id":"[^"]*"`).ReplaceAllString(s, `"request_id":""`)
}

func TestBulkResume(t *testing.T) {
	t.Parallel()
	_, env, path, ids := bulkServer(t, 30)
	// A row the server does not know: an error record, resumed like any other.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	fmt.Fprintln(f, "1999999999")
	f.Close()
	dir := t.TempDir()
	full := filepath.Join(dir, "full.jsonl")
	if r := runCLI(t, env, "ecommerce-balance", "--sub-mchids", path, "--out", full, "--quiet"); r.code != exitFailure || r.stdout != "" {
		t.Fatalf("full run: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
	}
	want, _ := os.ReadFile(full)
	if got := len(jsonRecords(t, string(want))); got != len(ids)+1 {
		t.Fatalf("%d records, want %d", got, len(ids)+1)
	}
	// A run killed mid-run leaves a prefix of the records, perhaps with a torn last line.
	lines := strings.SplitAfter(string(want), "\n")
	part := filepath.Join(dir, "part.jsonl")
	torn := strings.Join(lines[:12], "") + lines[12][:10]
	if err := os.WriteFile(part, []byte(torn), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "ecommerce-balance", "--sub-mchids", path, "--out", part, "--quiet"); r.code != exitUsage || !strings.Contains(r.stderr, "add --resume") {
		t.Errorf("without --resume: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r := runCLI(t, env, "ecommerce-balance", "--sub-mchids", path, "--out", part, "--resume", "--quiet")
	if r.code != exitFailure || !strings.Contains(r.stderr, "12 already done (--resume); 19 calls") {
		t.Errorf("resume: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(part)
	if normalize(string(got)) != normalize(string(want)) {
		t.Errorf("resumed file differs from an uninterrupted run:\n%s\nwant:\n%s", got, want)
	}
	// Nothing left: a second resume queries nothing.
	r = runCLI(t, env, "ecommerce-balance", "--sub-mchids", path, "--out", part, "--resume", "--quiet")
	if !strings.Contains(r.stderr, "0 calls") {
		t.Errorf("second resume:\n%s", r.stderr)
	}
	// A --resume file from another input is refused.
	other := filepath.Join(dir, "other.txt")
	os.WriteFile(other, []byte("# other\n1900100005\n"), 0o600)
	if r := runCLI(t, env, "ecommerce-balance", "--sub-mchids", other, "--out", part, "--resume"); r.code != exitUsage || !strings.Contains(r.stderr, "another input") {
		t.Errorf("other input: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func TestBulkProgressLines(t *testing.T) {
	t.Parallel()
	if got := progressLine(1200, 10000, 3, 2*time.Second); got != "wxpay: 1200/10000 rows (12%), 3 errors, 600 rows/s, ETA 15s" {
		t.Errorf("known total: %q", got)
	}
	if got := progressLine(50, -1, 0, time.Second); got != "wxpay: 50 rows, 0 errors, 50 rows/s" {
		t.Errorf("unknown total: %q", got)
	}
	var buf syncBuffer
	p := newLineProgress(&buf, 4, 10*time.Millisecond, time.Now)
	p.row(false)
	p.row(true)
	// Wait for two ticks' lines, however loaded the machine: no sleep of a guessed length.
	for deadline := time.Now().Add(time.Minute); strings.Count(buf.String(), "\n") < 2 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	p.finish()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) < 2 || !regexp.MustCompile(`^wxpay: 2/4 rows \(50%\), 1 errors, \d+ rows/s, ETA \d`).MatchString(lines[0]) {
		t.Errorf("progress lines:\n%s", buf.String())
	}
	// Through the command: stderr is not a terminal, so plain lines, or none with --quiet.
	_, env, path, _ := bulkServer(t, 3)
	r := runCLI(t, env, "ecommerce-balance", "--sub-mchids", path)
	if strings.Contains(r.stderr, "\r") || strings.Contains(r.stderr, "\x1b") {
		t.Errorf("terminal output on a non-terminal:\n%q", r.stderr)
	}
}

func TestBulkInterrupt(t *testing.T) {
	t.Parallel()
	srv, env, path, _ := bulkServer(t, 40)
	// Every call takes a while, so the run is mid-way when interrupted.
	srv.QueueFault(wxpaytest.Fault{Operation: generated.OpQueryECommerceBalance, Delay: 100 * time.Millisecond, Times: wxpaytest.EveryAttempt})
	out := filepath.Join(t.TempDir(), "out.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { // interrupt once the run is under way
		for len(srv.Requests()) < 6 {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	start := time.Now()
	r := runCLIContext(t, ctx, env, "", "ecommerce-balance", "--sub-mchids", path, "--out", out, "--concurrency", "4", "--quiet")
	if r.code != exitInterrupt || !strings.Contains(r.stderr, "wxpay: interrupted") || !strings.Contains(r.stderr, " ok, 0 failed") {
		t.Fatalf("exit %d (want 130), stderr:\n%s", r.code, r.stderr)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the interrupted run took %s", d)
	}
	data, _ := os.ReadFile(out)
	recs := jsonRecords(t, string(data))
	if len(recs) == 0 || len(recs) >= 40 {
		t.Fatalf("%d records after the interrupt", len(recs))
	}
	for i, rec := range recs {
		if rec.Line != i+2 || rec.Result != resultOK {
			t.Errorf("record %d: %+v: not a prefix of the input", i, rec)
		}
	}
	// Every call that started was let finish and written: the server answered exactly them.
	if n := len(srv.Requests()); n != len(recs) {
		t.Errorf("server answered %d requests, file has %d records", n, len(recs))
	}
	srv.ClearFaults()
	r = runCLI(t, env, "ecommerce-balance", "--sub-mchids", path, "--out", out, "--resume", "--quiet")
	data, _ = os.ReadFile(out)
	if r.code != exitOK || len(jsonRecords(t, string(data))) != 40 {
		t.Errorf("resume after the interrupt: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// summaryCounts reads "N ok, M failed (cause: n, …)" from a bulk run's summary.
func summaryCounts(t *testing.T, stderr string) (ok, failed int, causes map[string]int) {
	t.Helper()
	m := regexp.MustCompile(`wxpay: (\d+) ok, (\d+) failed(?: \(([^)]*\)?[^)]*)\))?`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no summary in:\n%s", stderr)
	}
	fmt.Sscan(m[1], &ok)
	fmt.Sscan(m[2], &failed)
	causes = map[string]int{}
	for _, part := range regexp.MustCompile(`([^,]+): (\d+)`).FindAllStringSubmatch(m[3], -1) {
		var n int
		fmt.Sscan(part[2], &n)
		causes[strings.TrimSpace(part[1])] = n
	}
	return ok, failed, causes
}

func TestBulkFaultMix(t *testing.T) {
	t.Parallel()
	const rows = 60
	srv, env, path, _ := bulkServer(t, rows)
	op := generated.OpQueryECommerceBalance
	// Faults spread over the run: 500s and 429s the transport retries (some rows then
	// succeed), one that stays 500 through every attempt, a tampered answer, a dropped
	// connection.
	srv.QueueFault(wxpaytest.Fault{Operation: op, Status: 500, Times: 4})
	srv.QueueFault(wxpaytest.Fault{Operation: op, Status: 429, Times: 3})
	srv.QueueFault(wxpaytest.Fault{Operation: op, TamperBody: true})
	srv.QueueFault(wxpaytest.Fault{Operation: op, Drop: true})
	out := filepath.Join(t.TempDir(), "out.jsonl")
	r := runCLI(t, env, "ecommerce-balance", "--sub-mchids", path, "--out", out, "--concurrency", "8", "--quiet")
	data, _ := os.ReadFile(out)
	recs := jsonRecords(t, string(data))
	if len(recs) != rows {
		t.Fatalf("%d records for %d rows; stderr:\n%s", len(recs), rows, r.stderr)
	}
	seen := map[int]bool{}
	results := map[string]int{}
	for _, rec := range recs {
		if seen[rec.Line] {
			t.Errorf("line %d has two records", rec.Line)
		}
		seen[rec.Line] = true
		results[rec.Result]++
	}
	ok, failed, causes := summaryCounts(t, r.stderr)
	if ok != results[resultOK] || failed != rows-results[resultOK] {
		t.Errorf("summary %d ok %d failed; records %v", ok, failed, results)
	}
	// The server's log: each row's last request (by arrival: a dropped request is logged when
	// its handler ends, which may be after net/http's resend of it) is the answer its record holds.
	last := map[string]wxpaytest.Request{}
	for _, req := range srv.Requests() {
		if prev, ok := last[req.Path]; !ok || !req.Time.Before(prev.Time) {
			last[req.Path] = req
		}
	}
	if len(last) != rows {
		t.Errorf("server saw %d sub-merchants, want %d", len(last), rows)
	}
	logOK, logFailed := 0, 0
	for _, req := range last {
		if req.Status == 200 && req.Fault == "none" || req.Status == 200 && req.Fault == "" {
			logOK++
		} else {
			logFailed++
		}
	}
	if logOK != ok || logFailed != failed {
		t.Errorf("server log: %d ok, %d failed; summary: %d ok, %d failed (%v)\n%s", logOK, logFailed, ok, failed, causes, r.stderr)
	}
	if causes["unverified (signature does not match)"] != 1 {
		t.Errorf("the tampered answer: causes %v", causes)
	}
	if r.code != exitOK && failed == 0 || r.code != exitFailure && failed > 0 {
		t.Errorf("exit %d with %d failed", r.code, failed)
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	th := newThrottle(16)
	th.now = func() time.Time { return now }
	th.slowDown()
	th.slowDown() // the same burst: halved once
	if limit, n := th.state(); limit != 8 || n != 2 {
		t.Errorf("after a burst of 429s: limit %d, seen %d; want 8, 2", limit, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := th.acquire(ctx); err == nil {
		t.Error("acquire during the pause succeeded")
	}
	now = now.Add(throttlePause)
	for range 8 {
		if err := th.acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if err := th.acquire(ctx2); err == nil {
		t.Error("a ninth call started under a bound of 8")
	}
	for range 8 {
		th.release()
	}
	for range 8 {
		if err := th.acquire(context.Background()); err != nil {
			t.Fatal(err)
		}
		th.release()
	}
	if limit, _ := th.state(); limit != 9 {
		t.Errorf("after 16 calls without a 429: limit %d, want 9", limit)
	}
}

func TestBulkInterruptGrace(t *testing.T) {
	t.Parallel()
	srv, env, path, _ := bulkServer(t, 10)
	// Calls that would hang past the grace period: cut short, no record, rerun by --resume.
	srv.QueueFault(wxpaytest.Fault{Operation: generated.OpQueryECommerceBalance, Delay: time.Minute, Times: wxpaytest.EveryAttempt})
	out := filepath.Join(t.TempDir(), "out.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	start := time.Now()
	r := runCLIContext(t, ctx, env, "", "ecommerce-balance", "--sub-mchids", path, "--out", out, "--concurrency", "3", "--timeout", "30s", "--quiet")
	if d := time.Since(start); r.code != exitInterrupt || d > 15*time.Second ||
		!strings.Contains(r.stderr, "0 ok, 0 failed") || !strings.Contains(r.stderr, "(3 cut short in flight)") {
		t.Errorf("exit %d after %s (want 130 after the 5 s grace), stderr:\n%s", r.code, d, r.stderr)
	}
	if data, _ := os.ReadFile(out); len(data) != 0 {
		t.Errorf("records of calls cut short:\n%s", data)
	}
}
