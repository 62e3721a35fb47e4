package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/generated"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

func TestMockRefusesRemoteAddresses(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:8080", "example.com:80"} {
		r := runCLI(t, nil, "mock", "--addr", addr)
		if r.code != exitUsage || !strings.Contains(r.stderr, "not a loopback address") || !strings.Contains(r.stderr, "--allow-remote") {
			t.Errorf("--addr %s: exit %d (want 2), stderr:\n%s", addr, r.code, r.stderr)
		}
		checkOneLine(t, r.stderr)
	}
	r := runCLI(t, nil, "mock", "--addr", "8080")
	if r.code != exitUsage || !strings.Contains(r.stderr, "expected host:port") {
		t.Errorf("--addr 8080: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func TestCheckListenAddr(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "127.1.2.3:8080", "[::1]:0", "localhost:8080", "LOCALHOST:1"} {
		if err := checkListenAddr(addr, false); err != nil {
			t.Errorf("checkListenAddr(%q) = %v", addr, err)
		}
	}
	if err := checkListenAddr("0.0.0.0:0", true); err != nil {
		t.Errorf("checkListenAddr(0.0.0.0:0, allowRemote) = %v", err)
	}
}

func TestEnvQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/x/apiclient_key.pem": "/tmp/x/apiclient_key.pem",
		"http://127.0.0.1:8080":    "http://127.0.0.1:8080",
		"/tmp/my keys/a.pem":       "'/tmp/my keys/a.pem'",
		"it's":                     `'it'\''s'`,
		"":                         "",
	} {
		if got := envQuote(in); got != want {
			t.Errorf("envQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// waitForFile waits until path exists, failing after timeout or when done is closed.
func waitForFile(t *testing.T, path string, timeout time.Duration, done <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case <-done:
			t.Fatalf("the mock exited before writing %s", path)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear within %s", path, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMockInProcess runs mock through run, queries it like a client in another language
// would (the generated client, keys from the .env file), fetches the spec, and stops it.
func TestMockInProcess(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys") // mock creates it
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan struct{})
	var code int
	go func() {
		defer close(done)
		code = run(ctx, []string{"mock", "--addr", "127.0.0.1:0", "--keys", dir}, strings.NewReader(""), &stdout, &stderr, func(string) (string, bool) { return "", false })
	}()
	waitForFile(t, filepath.Join(dir, envFileName), 30*time.Second, done)
	env := readEnvFile(t, filepath.Join(dir, envFileName))
	for _, s := range settings {
		if env[s.env] == "" && s.env != envPlatformCertFile && s.env != envAPIv3Key && s.env != envAPIv3KeyFile {
			t.Errorf(".env lacks %s", s.env)
		}
	}
	// The library and --env-file read the same file.
	if fileEnv, err := wxpay.LoadEnvFile(filepath.Join(dir, envFileName)); err != nil {
		t.Error(err)
	} else if _, err := wxpay.ConfigFromEnv(fileEnv.Lookup); err != nil {
		t.Errorf("ConfigFromEnv(the mock's .env): %v", err)
	}
	if r := runCLI(t, nil, "ecommerce-balance", "--env-file", filepath.Join(dir, envFileName), "--sub-mchid", wxpaytest.DemoSubMchID); r.code != exitOK {
		t.Errorf("--env-file: exit %d\n%s", r.code, r.stderr)
	}
	// The other verification modes are there, commented out, and work.
	raw, err := os.ReadFile(filepath.Join(dir, envFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, alt := range []string{envPlatformCertFile, envAPIv3KeyFile} {
		m := regexp.MustCompile("(?m)^# " + alt + "=(.*)$").FindStringSubmatch(string(raw))
		if m == nil {
			t.Errorf(".env lacks a commented %s line:\n%s", alt, raw)
			continue
		}
		r := runCLI(t, with(without(env, envPublicKeyID, envPublicKeyFile), alt, m[1]), "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID)
		if r.code != exitOK {
			t.Errorf("with %s instead of the public key: exit %d\n%s", alt, r.code, r.stderr)
		}
	}

	r := runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID, "-o", "table")
	if r.code != exitOK || !strings.Contains(r.stdout, "100.00 yuan (10000 fen)") {
		t.Errorf("ecommerce-balance against the mock: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "channel-balance", "--target-mchid", env[envMchID], "--bal-account-no", wxpaytest.DemoBalAccountNo)
	if r.code != exitOK || !strings.Contains(r.stdout, `"balance": 1`) {
		t.Errorf("channel-balance against the mock: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	for path, want := range map[string]string{"/openapi.yaml": string(wxpay.Spec()), "/openapi.json": `"QueryAccountBalance"`, "/docs": "QueryECommerceBalance"} {
		resp, err := http.Get(env[envBaseURL] + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %s, %d bytes", path, resp.Status, len(body))
		}
	}

	// The mock runs for hours as a shared fake: its server bounds headers (and their read
	// time, and idle connections; wxpaytest's tests show those).
	req, err := http.NewRequest(http.MethodGet, env[envBaseURL]+"/v3/certificates", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Big", strings.Repeat("a", 2*wxpaytest.DefaultMaxHeaderBytes))
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Error(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("a %d-byte header got %s from the mock, want 431", 2*wxpaytest.DefaultMaxHeaderBytes, resp.Status)
		}
	}

	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("mock did not stop after its context was cancelled")
	}
	if code != exitOK {
		t.Errorf("mock exit %d, stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{"listening on " + env[envBaseURL], "set -a; . " + filepath.Join(dir, ".env"), "wxpay ecommerce-balance --sub-mchid 1900000109", "/openapi.yaml", "/docs"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("mock's instructions lack %q:\n%s", want, stdout.String())
		}
	}
	checkNoSecrets(t, stdout.String(), env[envPrivateKeyFile])
	if !strings.Contains(stderr.String(), "QueryECommerceBalance") {
		t.Errorf("mock logged no request on stderr:\n%s", stderr.String())
	}
}

func TestMockKeepsOtherKeyFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "apiclient_key.pem")
	if err := os.WriteFile(real, []byte("a real key"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, "mock", "--addr", "127.0.0.1:0", "--keys", dir)
	if r.code != exitUsage || !strings.Contains(r.stderr, "already holds apiclient_key.pem, which mock did not write") {
		t.Errorf("exit %d (want 2), stderr:\n%s", r.code, r.stderr)
	}
	checkOneLine(t, r.stderr)
	if b, _ := os.ReadFile(real); string(b) != "a real key" {
		t.Errorf("apiclient_key.pem was overwritten")
	}

	// A directory an earlier mock run wrote is reused.
	if err := os.WriteFile(filepath.Join(dir, envFileName), []byte(envFileHeader+" settings\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := checkKeysDir(dir); err != nil {
		t.Errorf("checkKeysDir of a mock directory: %v", err)
	}
}

func TestMockBusyAddress(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := filepath.Join(t.TempDir(), "keys")
	r := runCLI(t, nil, "mock", "--addr", ln.Addr().String(), "--keys", dir)
	if r.code != exitUsage || !strings.Contains(r.stderr, "address already in use: choose another --addr") {
		t.Errorf("busy address: exit %d (want 2, a setting to fix), stderr:\n%s", r.code, r.stderr)
	}
	checkOneLine(t, r.stderr)
	// Nothing was written, so the same --keys works with another port.
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a failed start left %s behind (%v)", dir, err)
	}
	if err := checkKeysDir(dir); err != nil {
		t.Errorf("after a failed start: %v", err)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestMockServesASecondProcess builds the binary, runs "wxpay mock" as one process and
// "wxpay ecommerce-balance" as another with the environment from the mock's .env file.
func TestMockServesASecondProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binary with")
	}
	t.Parallel()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "wxpay")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	dir := filepath.Join(tmp, "keys")
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	mock := exec.Command(bin, "mock", "--addr", addr, "--keys", dir)
	mock.Env = []string{}
	var mockOut, mockErr bytes.Buffer
	mock.Stdout, mock.Stderr = &mockOut, &mockErr
	if err := mock.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = mock.Wait(); close(exited) }()
	defer func() {
		select {
		case <-exited:
		default:
			_ = mock.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("mock stdout:\n%s\nmock stderr:\n%s", mockOut.String(), mockErr.String())
		}
	}()

	waitForFile(t, filepath.Join(dir, envFileName), 30*time.Second, exited)
	env := readEnvFile(t, filepath.Join(dir, envFileName))
	if env[envBaseURL] != "http://"+addr {
		t.Errorf("WXPAY_BASE_URL = %q, want http://%s", env[envBaseURL], addr)
	}

	client := exec.Command(bin, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID)
	client.Env = []string{}
	for k, v := range env {
		client.Env = append(client.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	client.Stdout, client.Stderr = &out, &errOut
	if err := client.Run(); err != nil {
		t.Fatalf("ecommerce-balance: %v\nstderr:\n%s", err, errOut.String())
	}
	var bal generated.ECommerceBalance
	if err := json.Unmarshal(out.Bytes(), &bal); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out.String())
	}
	if bal.SubMchID != wxpaytest.DemoSubMchID || bal.AvailableAmount != 10000 {
		t.Errorf("stdout = %s", out.String())
	}

	// Stop the mock as a user would: Ctrl-C (Kill on Windows, which has no SIGINT to send).
	if runtime.GOOS == "windows" {
		_ = mock.Process.Kill()
	} else if err := mock.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("mock did not exit within 10s of SIGINT")
	}
	if runtime.GOOS != "windows" && waitErr != nil {
		t.Errorf("mock exited with %v after SIGINT, want status 0", waitErr)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startMock runs "wxpay mock" in-process with args until the test ends, and returns its
// .env settings once it is ready, and its standard output so far.
func startMock(t *testing.T, args ...string) (env map[string]string, stdout *syncBuffer) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keys")
	ctx, cancel := context.WithCancel(context.Background())
	stdout = new(syncBuffer)
	var stderr syncBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx, append([]string{"mock", "--addr", "127.0.0.1:0", "--keys", dir}, args...), strings.NewReader(""), stdout, &stderr, func(string) (string, bool) { return "", false })
	}()
	t.Cleanup(func() { cancel(); <-done })
	waitForFile(t, filepath.Join(dir, envFileName), 30*time.Second, done)
	return readEnvFile(t, filepath.Join(dir, envFileName)), stdout
}

// Issue 12: other SDKs in platform-certificate mode, and what they read from the key directory.
func TestMockPlatformCertificateMode(t *testing.T) {
	t.Parallel()
	env, stdout := startMock(t, "--mode", "platform-certificate")
	if env[envPublicKeyID] != "" || env[envPublicKeyFile] != "" || env[envPlatformCertFile] == "" || env[envAPIv3KeyFile] == "" {
		t.Fatalf(".env of platform-certificate mode: %v", env)
	}
	if _, err := os.Stat(env["WXPAY_MERCHANT_CERT_FILE"]); err != nil {
		t.Errorf("WXPAY_MERCHANT_CERT_FILE: %v", err)
	}
	key, err := os.ReadFile(env[envAPIv3KeyFile])
	if err != nil || len(strings.TrimSpace(string(key))) != 32 {
		t.Errorf("APIv3 key file: %v, %d bytes", err, len(key))
	}
	r := runCLI(t, env, "ecommerce-balance", "--sub-mchid", wxpaytest.DemoSubMchID)
	if r.code != exitOK {
		t.Errorf("ecommerce-balance in platform-certificate mode: exit %d\n%s", r.code, r.stderr)
	}
	r = runCLI(t, env, "channel-balance", "--target-mchid", env[envMchID], "--bal-account-no", wxpaytest.DemoBalAccountNo)
	if r.code != exitOK || !strings.Contains(r.stdout, `"balance": 1`) {
		t.Errorf("channel-balance in platform-certificate mode: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The instructions follow the .env file.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stdout.String(), "Stop with") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if out := stdout.String(); !strings.Contains(out, "WXPAY_PLATFORM_CERT_FILE") || strings.Contains(out, "send Wechatpay-Serial: WXPAY_PUBLIC_KEY_ID") {
		t.Errorf("instructions of platform-certificate mode:\n%s", out)
	}
	if r := runCLI(t, nil, "mock", "--mode", "hmac"); r.code != exitUsage || !strings.Contains(r.stderr, "--mode") {
		t.Errorf("--mode hmac: exit %d\n%s", r.code, r.stderr)
	}
}

// GET / points at the reference instead of answering 401 to a browser.
func TestMockRoot(t *testing.T) {
	t.Parallel()
	env, _ := startMock(t)
	resp, err := http.Get(env[envBaseURL] + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "/docs") {
		t.Errorf("GET /: %s %q", resp.Status, body)
	}
	// Everything else is still the signed API.
	if resp, err := http.Get(env[envBaseURL] + "/v3/nothing"); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /v3/nothing unsigned: %s", resp.Status)
	}
}
