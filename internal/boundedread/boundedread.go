// Package boundedread reads files that a caller names (key files, .env files) without
// letting a huge file, or one without end such as /dev/zero, take memory without end.
package boundedread

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTooLarge is wrapped in the *os.PathError File returns for a file over its limit.
var ErrTooLarge = errors.New("file too large")

// File reads path like os.ReadFile, but at most limit bytes: a larger file gives an
// *os.PathError naming path and wrapping ErrTooLarge after limit+1 bytes were read.
func File(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err // *os.File's reads already give an *os.PathError naming path
	}
	if int64(len(b)) > limit {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("larger than %d bytes: %w", limit, ErrTooLarge)}
	}
	return b, nil
}
