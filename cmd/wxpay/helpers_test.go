package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// result is what one run of the command produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command in-process with env as its whole environment.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runCLIContext(t, context.Background(), env, "", args...)
}

func runCLIContext(t *testing.T, ctx context.Context, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// testKeys is one wxpaytest identity for the whole test binary: RSA key generation is
// slow under the race detector.
var testKeys = sync.OnceValues(wxpaytest.NewKeys)

// newServer starts a wxpaytest server and returns it with the environment that points the
// CLI at it: keys written by Keys.WriteDir, and WXPAY_BASE_URL.
func newServer(t *testing.T, opts ...wxpaytest.Option) (*wxpaytest.Server, map[string]string) {
	t.Helper()
	keys, err := testKeys()
	if err != nil {
		t.Fatalf("NewKeys: %v", err)
	}
	srv := wxpaytest.NewServer(append([]wxpaytest.Option{wxpaytest.WithKeys(keys)}, opts...)...)
	t.Cleanup(srv.Close)
	env, err := srv.Keys().WriteDir(t.TempDir())
	if err != nil {
		t.Fatalf("WriteDir: %v", err)
	}
	env[envBaseURL] = srv.URL
	return srv, env
}

// without returns a copy of env with the named variables removed.
func without(env map[string]string, names ...string) map[string]string {
	out := make(map[string]string, len(env))
	for k, v := range env {
		out[k] = v
	}
	for _, n := range names {
		delete(out, n)
	}
	return out
}

// with returns a copy of env with k set to v.
func with(env map[string]string, k, v string) map[string]string {
	out := without(env)
	out[k] = v
	return out
}

// checkOneLine fails unless s is exactly one line of text with no trace of a Go panic.
func checkOneLine(t *testing.T, s string) {
	t.Helper()
	if strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "\n") {
		t.Errorf("stderr is not one line:\n%s", s)
	}
	for _, bad := range []string{"panic", "goroutine ", ".go:"} {
		if strings.Contains(s, bad) {
			t.Errorf("stderr contains %q:\n%s", bad, s)
		}
	}
}

// checkNoSecrets fails if s holds a PEM block, an Authorization signature, or any
// 16-character piece of the base64 in the given key files.
func checkNoSecrets(t *testing.T, s string, keyFiles ...string) {
	t.Helper()
	for _, bad := range []string{"-----BEGIN", "signature=\"", "Authorization:"} {
		if strings.Contains(s, bad) {
			t.Errorf("output contains %q:\n%s", bad, s)
		}
	}
	for _, f := range keyFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "-----") {
				continue
			}
			for i := 0; i+16 <= len(line); i += 16 {
				if strings.Contains(s, line[i:i+16]) {
					t.Errorf("output contains key material from %s", f)
					return
				}
			}
		}
	}
}

// readEnvFile parses a .env file written by writeEnvFile: KEY=value, the value bare or single-quoted.
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := make(map[string]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: bad line %q", path, line)
		}
		if strings.HasPrefix(v, "'") {
			v = strings.ReplaceAll(strings.Trim(v, "'"), `'\''`, "'")
		}
		env[k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return env
}
