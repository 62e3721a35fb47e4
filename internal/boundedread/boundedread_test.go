package boundedread

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := File(path, 5); err != nil || string(b) != "12345" {
		t.Errorf("File(limit 5) = %q, %v; want the whole file", b, err)
	}
	_, err := File(path, 4)
	var pe *os.PathError
	if !errors.Is(err, ErrTooLarge) || !errors.As(err, &pe) || pe.Path != path || !strings.Contains(err.Error(), "larger than 4 bytes") {
		t.Errorf("File(limit 4) error = %v; want a PathError naming the file, wrapping ErrTooLarge", err)
	}
	if _, err := File(filepath.Join(t.TempDir(), "missing"), 4); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// A read error is *os.File's own *os.PathError, named once: os.ReadFile gives the same.
func TestFileReadErrorNamesPathOnce(t *testing.T) {
	dir := t.TempDir()
	_, err := File(dir, 4)
	_, want := os.ReadFile(dir)
	if err == nil || want == nil || err.Error() != want.Error() || strings.Count(err.Error(), dir) != 1 {
		t.Errorf("File(a directory) error = %v; want os.ReadFile's %v", err, want)
	}
}
