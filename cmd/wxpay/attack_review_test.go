package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// Review of issue 11: `wxpay mock --keys DIR` over a DIR that already holds the APIv3 key
// file (left 0644, or a symlink planted in a shared directory) must leave the key readable
// by its owner alone and never write through the link.
func TestMockKeysOverExistingFilesStayPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes")
	}
	t.Parallel()
	dir := t.TempDir()
	// An earlier mock run's directory (its .env), whose files were since copied or
	// unpacked with looser modes, or planted in a shared directory.
	if err := os.WriteFile(filepath.Join(dir, envFileName), []byte(envFileHeader+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("someone else's file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, apiv3KeyFileName)); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "apiclient_key.pem")
	if err := os.WriteFile(key, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx, []string{"mock", "--addr", "127.0.0.1:0", "--keys", dir}, strings.NewReader(""), &stdout, &stderr, func(string) (string, bool) { return "", false })
	}()
	defer func() { t.Logf("stderr: %s", stderr.String()) }()
	// The .env written above is removed at start; wait for the one written once up.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(filepath.Join(dir, envFileName)); bytes.Contains(b, []byte(envBaseURL+"=")) {
			break
		}
		select {
		case <-done:
			t.Fatal("the mock exited before writing its .env")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no .env within 30s")
		}
	}
	cancel()
	<-done
	if b, _ := os.ReadFile(victim); string(b) != "someone else's file\n" {
		t.Errorf("wxpay mock wrote the APIv3 key through the symlink %s into %s", apiv3KeyFileName, victim)
	}
	for _, name := range []string{apiv3KeyFileName, "apiclient_key.pem"} {
		fi, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode(); !m.IsRegular() || m.Perm() != 0o600 {
			t.Errorf("%s has mode %v after wxpay mock, want -rw-------", name, m)
		}
	}
}

// Review of issue 11, item 12: an error message from an unverified answer reaches a bulk
// run's table, CSV and JSONL output. Control characters were replaced, but bidi and other
// format characters (U+202E RIGHT-TO-LEFT OVERRIDE, U+2066, U+200B) passed through, so a
// terminal or spreadsheet showed the row's text reordered (Trojan Source), and a leading
// U+202E kept a following "=" formula from being noticed by the CSV guard.
func TestBulkOutputNeutralisesFormatCharacters(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"table", "csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			srv, env, path, _ := bulkServer(t, 1)
			srv.QueueFault(wxpaytest.Fault{Operation: generated.OpQueryECommerceBalance, Status: 400, Code: "PARAM_ERROR",
				Message: "\u202e=cmd|' /C calc'!A0\u2066\u200b 0001 :tnuoma", Times: wxpaytest.EveryAttempt})
			r := runCLI(t, env, "ecommerce-balance", "--sub-mchids", path, "--quiet", "-o", format)
			out := r.stdout
			if !strings.Contains(out, "cmd|") {
				t.Fatalf("the message is not in the output:\n%s\n%s", out, r.stderr)
			}
			for _, c := range []string{"\u202e", "\u2066", "\u200b"} {
				if strings.Contains(out, c) {
					t.Errorf("-o %s output holds %U from an unverified answer:\n%q", format, []rune(c)[0], out)
				}
			}
		})
	}
}

// Review of issue 11: --resume reads the --out file of an earlier run, which may be
// anything by then: one endless line was read into memory whole (ReadString).
func TestResumeReadsBoundedLines(t *testing.T) {
	const size = 128 << 20
	for name, tail := range map[string]string{"complete line": "\n", "torn last line": ""} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "out.jsonl")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(size); err != nil { // sparse: NUL bytes, no newline
				t.Fatal(err)
			}
			if _, err := f.WriteAt([]byte(tail), size); err != nil {
				t.Fatal(err)
			}
			f.Close()
			var a, b runtime.MemStats
			runtime.ReadMemStats(&a)
			_, err = readResume(p, formatJSONL)
			runtime.ReadMemStats(&b)
			if n := b.TotalAlloc - a.TotalAlloc; n > 16<<20 {
				t.Errorf("readResume of a %d MiB line allocated %d MiB (err %v)", size>>20, n>>20, err)
			}
			if tail != "" && (err == nil || !strings.Contains(err.Error(), "longer than")) {
				t.Errorf("got %v, want a line too long", err)
			}
		})
	}
}
