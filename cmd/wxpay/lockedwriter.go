package main

import (
	"io"
	"sync"
)

// lockedWriter serializes Writes to w under mu. A bulk run writes from several goroutines
// (the reader's notices, the records, the progress lines), and its stdout and stderr may be
// one writer that is not safe for concurrent use (the demo passes one bytes.Buffer as
// both): both are wrapped with the same mu.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
