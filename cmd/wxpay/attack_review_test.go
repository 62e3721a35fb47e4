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
