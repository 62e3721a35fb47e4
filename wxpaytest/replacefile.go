package wxpaytest

import (
	"os"
	"path/filepath"
)

// replaceFile puts data at path with exactly mode: written to a new file in the same
// directory, then renamed over path. os.WriteFile would keep the mode of a file already
// there (a private key left 0644) and write through a symlink planted under the name.
func replaceFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
