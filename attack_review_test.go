package wxpay_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/wxpay-oapi/wxpay"
	"github.com/wxpay-oapi/wxpay/transport"
)

// hugeFile is a sparse file of n bytes: no disk used, but read whole it takes n bytes of
// memory — as /dev/zero or a FIFO named by a .env someone else wrote would, without end.
func hugeFile(t *testing.T, n int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "huge")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(n); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// allocated returns the bytes fn allocated.
func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// Review of issue 11: a .env file, or a key file a .env names (a shared `wxpay mock`'s .env
// is handed to other teams), is read whole before anything is checked: a huge file, or
// /dev/zero, took as much memory as it held (without end for /dev/zero). Each read is
// bounded, and refused with a clear error past the bound.
func TestEnvAndKeyFilesAreReadBounded(t *testing.T) {
	const size = 256 << 20
	huge := hugeFile(t, size)
	const limit = 16 << 20
	env, _ := mockEnv(t)
	for name, read := range map[string]func() error{
		"LoadEnvFile": func() error { _, err := wxpay.LoadEnvFile(huge); return err },
		"WXPAY_APIV3_KEY_FILE": func() error {
			e := wxpay.Env{}
			for k, v := range env {
				e[k] = v
			}
			e[wxpay.EnvAPIv3KeyFile] = huge
			_, err := wxpay.ConfigFromEnv(e.Lookup)
			return err
		},
		"WXPAY_PRIVATE_KEY_FILE": func() error { _, err := transport.LoadPrivateKeyFile(huge); return err },
		"WXPAY_PUBLIC_KEY_FILE":  func() error { _, err := transport.LoadPublicKeyFile(huge); return err },
		"certificate file":       func() error { _, err := transport.LoadCertificateFile(huge); return err },
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			if n := allocated(func() { err = read() }); n > limit {
				t.Errorf("reading a %d MiB file allocated %d MiB (err %v)", size>>20, n>>20, err)
			}
			if err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestBoundedReadErrorsNameTheFile(t *testing.T) {
	huge := hugeFile(t, 2<<20)
	if _, err := wxpay.LoadEnvFile(huge); err == nil || !strings.Contains(err.Error(), huge) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("LoadEnvFile: %v", err)
	}
	if _, err := transport.LoadPrivateKeyFile(huge); err == nil || !strings.Contains(err.Error(), huge) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("LoadPrivateKeyFile: %v", err)
	}
}

// Review of issue 11: WXPAY_BASE_URL is "scheme and host only", but one with a path was
// accepted; every call then failed later as "not an operation of openapi.yaml", naming no
// variable to fix.
func TestBaseURLWithAPathIsRefused(t *testing.T) {
	env, _ := mockEnv(t)
	for _, base := range []string{"https://api.mch.weixin.qq.com/evil", "https://api.mch.weixin.qq.com/v3/", "https://api.mch.weixin.qq.com/%2e%2e/"} {
		e := wxpay.Env{}
		for k, v := range env {
			e[k] = v
		}
		e[wxpay.EnvBaseURL] = base
		_, err := wxpay.ConfigFromEnv(e.Lookup)
		var ee *wxpay.EnvError
		if !errors.As(err, &ee) || ee.Var != wxpay.EnvBaseURL {
			t.Errorf("WXPAY_BASE_URL=%s: got %v, want an *EnvError for %s", base, err, wxpay.EnvBaseURL)
		}
	}
	for _, base := range []string{"https://api.mch.weixin.qq.com", "https://api.mch.weixin.qq.com/", "http://127.0.0.1:8080"} {
		e := wxpay.Env{}
		for k, v := range env {
			e[k] = v
		}
		e[wxpay.EnvBaseURL] = base
		if _, err := wxpay.ConfigFromEnv(e.Lookup); err != nil {
			t.Errorf("WXPAY_BASE_URL=%s: %v", base, err)
		}
	}
}
