package wxpaytest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Review of issue 11: WriteDir into a directory that already holds the files (an earlier
// run, a copy made with a looser umask, or a name planted in a shared directory) must leave
// the merchant private key readable by its owner alone, and never write through a symlink.
func TestWriteDirOverExistingFilesKeepsThePrivateKeyPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes")
	}
	k := testKeys(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "apiclient_key.pem")
	if err := os.WriteFile(key, []byte("left by an earlier run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(key, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	// A name planted as a symlink to a file elsewhere: WriteDir must not write through it.
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("someone else's file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "pub_key.pem")); err != nil {
		t.Fatal(err)
	}
	if _, err := k.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(key)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode(); !m.IsRegular() || m.Perm() != 0o600 {
		t.Errorf("apiclient_key.pem written over an existing 0644 file has mode %v, want -rw------- (the private key readable by others)", m)
	}
	if b, _ := os.ReadFile(victim); string(b) != "someone else's file\n" {
		t.Errorf("WriteDir wrote through the symlink pub_key.pem into %s: %q", victim, b)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "pub_key.pem")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("pub_key.pem is not a regular file after WriteDir: %v %v", fi.Mode(), err)
	}
}
