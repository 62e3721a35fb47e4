package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/internal/specdocs"
	"github.com/wxpay-oapi/wxpay/wxpaytest"
)

// envFileName is the file mock writes its client settings to, in the --keys directory.
const envFileName = ".env"

// envFileHeader starts every .env file mock writes; it marks a directory as mock's own.
const envFileHeader = "# wxpay mock:"

// keyFileNames are the files wxpaytest.Keys.WriteDir writes, which mock must not write
// over unless an earlier mock run wrote them.
var keyFileNames = []string{"apiclient_key.pem", "apiclient_cert.pem", "pub_key.pem", "platform_cert.pem", apiv3KeyFileName}

// The verification modes of --mode: how the mock signs its answers, as a merchant's
// account at WeChat Pay is set up.
const (
	modePublicKey    = "public-key"           // the WeChat Pay public key (PUB_KEY_ID_…)
	modePlatformCert = "platform-certificate" // platform certificates, downloaded with the APIv3 key
)

// apiv3KeyFileName is the file mock writes the server's APIv3 key into, for clients that
// download platform certificates (WXPAY_APIV3_KEY_FILE).
const apiv3KeyFileName = "apiv3_key.txt"

// runMock is "wxpay mock": wxpaytest standalone, until interrupted. It writes the keys and
// a .env file into the --keys directory; the .env file appears once the server accepts
// requests, so its existence is the readiness signal.
func runMock(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer, _ env) error {
	fs := newFlagSet("mock", "[--addr 127.0.0.1:8080] [--keys DIR] [--mode public-key|platform-certificate] [--allow-remote]",
		"Run wxpaytest, the WeChat Pay test server, standalone: for clients in other languages,\n"+
			"or this CLI. It writes throwaway keys and a .env file with the WXPAY_* settings into\n"+
			"DIR, prints how to point a client at it, logs each request on stderr, and stops on\n"+
			"Ctrl-C (SIGINT) or SIGTERM. It also serves the spec at /openapi.yaml and /openapi.json,\n"+
			"and a readable reference at /docs.\n\n"+
			"The .env file is written last, once the server accepts requests: wait for it. DIR may\n"+
			"be reused across runs (the keys are new each time), but mock refuses a DIR holding key\n"+
			"files it did not write. After Ctrl-C or SIGTERM it exits with status 0.\n\n"+
			fmt.Sprintf("Meant to run for hours: wxpaytest keeps only its newest %d requests, closes\n"+
				"connections that take over %s to send their headers or idle for %s, and limits a\n"+
				"request's line and headers to %d KiB.", wxpaytest.DefaultRequestLogSize,
				wxpaytest.DefaultReadHeaderTimeout, wxpaytest.DefaultIdleTimeout, wxpaytest.DefaultMaxHeaderBytes>>10))
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free port)")
	dir := fs.String("keys", "", "`directory` for the keys and .env, created if missing (default: a temporary directory, removed on exit)")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --addr: anyone who can reach it gets answers signed with its public test keys")
	mode := fs.String("mode", modePublicKey, "how answers are signed: "+modePublicKey+" (the WeChat Pay public key, PUB_KEY_ID_…), or "+
		modePlatformCert+" (no public key: platform certificates only, which clients may download from /v3/certificates with the APIv3 key)")
	subMerchants := fs.String("sub-merchants", "", "also hold every sub-merchant listed in this `file` (the layout of ecommerce-balance --sub-mchids), each with a BASIC account: for bulk runs and load tests")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if *mode != modePublicKey && *mode != modePlatformCert {
		return usagef("--mode %q: want %s or %s", *mode, modePublicKey, modePlatformCert)
	}
	if err := checkListenAddr(*addr, *allowRemote); err != nil {
		return err
	}
	if *subMerchants != "" {
		in, err := openBulkInput("--sub-merchants", *subMerchants, nil)
		if err != nil {
			return err
		}
		in.Close()
	}
	// Nothing is written before the address is bound: a busy port leaves --keys as it was.
	keysDir := *dir
	if keysDir != "" {
		abs, err := filepath.Abs(keysDir)
		if err != nil {
			return usagef("--keys: %v", err)
		}
		keysDir = abs
		if err := checkKeysDir(keysDir); err != nil {
			return err
		}
	}
	keys, err := wxpaytest.NewKeys()
	if err != nil {
		return fmt.Errorf("generating test keys: %w", err)
	}
	if *mode == modePlatformCert {
		// A merchant without a WeChat Pay public key: every answer is signed with the
		// platform certificate, and a request naming PUB_KEY_ID_… gets 400.
		keys.PublicKeyID, keys.WechatPayKey = "", nil
	}
	opts := []wxpaytest.Option{
		wxpaytest.WithAddr(*addr),
		wxpaytest.WithKeys(keys),
		wxpaytest.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}
	opts = append(opts, specRoutes()...)
	opts = append(opts, wxpaytest.WithHandler("GET /{$}", http.HandlerFunc(serveRoot)))
	srv, err := wxpaytest.Open(opts...)
	if err != nil {
		return listenError(*addr, err)
	}
	defer srv.Close()
	if *subMerchants != "" {
		if err := loadSubMerchants(srv, *subMerchants); err != nil {
			return err
		}
	}

	if keysDir == "" {
		tmp, err := os.MkdirTemp("", "wxpay-mock-")
		if err != nil {
			return fmt.Errorf("creating a directory for the keys: %w", err)
		}
		defer os.RemoveAll(tmp)
		keysDir = tmp
	} else if err := os.MkdirAll(keysDir, 0o700); err != nil {
		return usagef("--keys %s: %v", keysDir, unwrapOp(err))
	}
	envPath := filepath.Join(keysDir, envFileName)
	// A .env left by an earlier run would announce a server that is not up yet.
	if err := os.Remove(envPath); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("removing the old %s: %w", envPath, err)
	}
	settings, err := keys.WriteDir(keysDir)
	if err != nil {
		return fmt.Errorf("writing the keys into %s: %w", keysDir, err)
	}
	apiv3File := filepath.Join(keysDir, apiv3KeyFileName)
	if err := writeNewFile(apiv3File, append(keys.APIv3Key.Bytes(), '\n'), 0o600); err != nil {
		return fmt.Errorf("writing the APIv3 key into %s: %w", keysDir, err)
	}
	// The other ways to verify answers, shown commented out in the .env file; in
	// platform-certificate mode, the certificate and the APIv3 key that downloads it.
	alternatives := map[string]string{
		envPlatformCertFile: filepath.Join(keysDir, "platform_cert.pem"),
		envAPIv3KeyFile:     apiv3File,
	}
	if *mode == modePlatformCert {
		settings[envAPIv3KeyFile] = apiv3File
		alternatives = nil
	}
	srv.Start()

	settings[envBaseURL] = srv.URL
	if err := writeEnvFile(envPath, srv.URL, settings, alternatives); err != nil {
		return err
	}
	printMockHelp(stdout, srv.URL, keysDir, envPath, *mode, settings)

	<-ctx.Done()
	fmt.Fprintln(stderr, "wxpay: mock stopped")
	return nil
}

// writeNewFile writes data to a new file at path with mode, removing what was there
// first: os.WriteFile would keep the mode of a file left there (a key readable by others)
// and write through a symlink planted under the name.
func writeNewFile(path string, data []byte, mode os.FileMode) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// listenError words a failure to listen on --addr as a setting to fix (exit 2).
func listenError(addr string, err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	return usagef("--addr %s: %v: choose another --addr (port 0 picks a free one)", addr, err)
}

// checkKeysDir refuses a directory holding key files that mock did not write (a real
// apiclient_key.pem, say), since WriteDir would replace them with test keys.
func checkKeysDir(dir string) error {
	if isMockDir(dir) {
		return nil // an earlier mock run's directory
	}
	for _, name := range keyFileNames {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return usagef("--keys %s already holds %s, which mock did not write: it would be replaced by a test key; use an empty or new directory", dir, name)
		}
	}
	return nil
}

// isMockDir reports whether dir holds a .env file that mock wrote.
func isMockDir(dir string) bool {
	f, err := os.Open(filepath.Join(dir, envFileName))
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(envFileHeader))
	n, _ := io.ReadFull(f, head)
	return string(head[:n]) == envFileHeader
}

// checkListenAddr refuses an address that is not loopback unless allowRemote is set.
func checkListenAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--addr %q: expected host:port, like 127.0.0.1:8080", addr)
	}
	if allowRemote || isLoopback(host) {
		return nil
	}
	shown := host
	if shown == "" {
		shown = "every interface"
	}
	return usagef("--addr %s: %s is not a loopback address, and the mock's keys are public test keys; "+
		"listen on 127.0.0.1, or pass --allow-remote to expose it anyway", addr, shown)
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// specRoutes mounts the spec documents beside the API: /openapi.yaml, /openapi.json and
// the /docs reference, rendered from the embedded openapi.yaml by internal/specdocs.
func specRoutes() []wxpaytest.Option {
	h := specdocs.Handler(wxpay.Spec())
	var opts []wxpaytest.Option
	for _, p := range specdocs.Paths() {
		opts = append(opts, wxpaytest.WithHandler(p, h))
	}
	return opts
}

// writeEnvFile writes the client settings as KEY=value lines, and the alternatives to the
// public key as comments, atomically (a temporary file renamed into place), so a reader
// never sees half a file. wxpay.LoadEnvFile reads it.
func writeEnvFile(path, serverURL string, values, alternatives map[string]string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s settings for a client of the WeChat Pay test server at %s.\n", envFileHeader, serverURL)
	b.WriteString("# Throwaway test keys: never use them for anything real.\n")
	b.WriteString("# Load into a shell with: set -a; . ./.env; set +a\n")
	for _, s := range settings {
		if v, ok := values[s.env]; ok {
			fmt.Fprintf(&b, "%s=%s\n", s.env, envQuote(v))
		}
	}
	if len(alternatives) > 0 {
		fmt.Fprintf(&b, "# Instead of %s and %s, verify answers with one of:\n", envPublicKeyID, envPublicKeyFile)
		for _, s := range settings {
			if v, ok := alternatives[s.env]; ok {
				fmt.Fprintf(&b, "# %s=%s\n", s.env, envQuote(v))
			}
		}
	}
	if extra := otherSettings(values); len(extra) > 0 {
		b.WriteString("# For other SDKs (wxpay does not read these):\n")
		for _, name := range extra {
			fmt.Fprintf(&b, "%s=%s\n", name, envQuote(values[name]))
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".env-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing left to remove
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

var envSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+,=-]*$`)

// envQuote leaves a plain value bare and single-quotes anything else, for POSIX shells.
func envQuote(v string) string {
	if envSafe.MatchString(v) {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// otherSettings returns the names in values that are not wxpay settings (such as
// WXPAY_MERCHANT_CERT_FILE, the merchant certificate some SDKs read the serial from), sorted.
func otherSettings(values map[string]string) []string {
	var out []string
	for name := range values {
		if settingForEnv(name) == nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// serveRoot answers GET / with where to look, instead of the API's 401 for an unsigned request.
func serveRoot(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Link", `</docs>; rel="service-doc", </openapi.yaml>; rel="service-desc"`)
	_, _ = io.WriteString(w, "wxpay mock: a fake WeChat Pay APIv3 for tests (wxpaytest).\n"+
		"Reference: /docs   Spec: /openapi.yaml, /openapi.json\n"+
		"The API is under /v3/; every request there must be signed (Authorization: WECHATPAY2-SHA256-RSA2048 …).\n")
}

// printMockHelp tells the user where the server is, where its settings are, and how to use them.
func printMockHelp(w io.Writer, serverURL, keysDir, envPath, mode string, values map[string]string) {
	fmt.Fprintf(w, "wxpay mock: WeChat Pay test server (wxpaytest) listening on %s\n\n", serverURL)
	fmt.Fprintf(w, "Keys and settings in %s (throwaway test keys):\n", keysDir)
	for _, s := range settings {
		if v, ok := values[s.env]; ok {
			fmt.Fprintf(w, "  %s=%s\n", s.env, envQuote(v))
		}
	}
	for _, name := range otherSettings(values) {
		fmt.Fprintf(w, "  %s=%s\n", name, envQuote(values[name]))
	}
	verify := `send Wechatpay-Serial: WXPAY_PUBLIC_KEY_ID;
verify answers and encrypt bal_account_no with WXPAY_PUBLIC_KEY_FILE.`
	if mode == modePlatformCert {
		verify = `verify answers and encrypt bal_account_no with the platform certificate
WXPAY_PLATFORM_CERT_FILE (or download it from /v3/certificates, decrypting with the APIv3 key
in WXPAY_APIV3_KEY_FILE); send its serial in Wechatpay-Serial.`
	}
	fmt.Fprintf(w, `
Point this CLI at it:
  set -a; . %s; set +a
  wxpay ecommerce-balance --sub-mchid %s -o table
  wxpay channel-balance --target-mchid "$WXPAY_MCHID" --bal-account-no %s

Any other client: sign requests with WXPAY_PRIVATE_KEY_FILE as merchant WXPAY_MCHID,
certificate serial WXPAY_CERT_SERIAL_NO (also in WXPAY_MERCHANT_CERT_FILE);
%s

Spec: %s/openapi.yaml (also /openapi.json); reference: %s/docs
Stop with Ctrl-C.
`, envQuote(envPath), demoSubMchID, demoBalAccountNo, verify, serverURL, serverURL)
}

// unwrapOp drops the "mkdir …:" prefix that the flag already shows.
func unwrapOp(err error) error {
	if e, ok := err.(*os.PathError); ok {
		return e.Err
	}
	return err
}
