package transport

import (
	"errors"
	"io"
	"os"
)

var errFileTooLarge = errors.New("file too large")

// readFileAtMost reads path like os.ReadFile, but at most limit bytes: a larger file (or
// one without end, such as /dev/zero) gives errFileTooLarge after limit+1 bytes.
func readFileAtMost(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(b)) > limit {
		return nil, errFileTooLarge
	}
	return b, nil
}
