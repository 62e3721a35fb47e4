package wxpay

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/wxpay-oapi/wxpay/internal/boundedread"
)

// MaxEnvFileBytes bounds what LoadEnvFile reads (and what it reads of a key file an
// environment variable names), so that a path naming /dev/zero or a huge file fails
// instead of taking memory without end.
const MaxEnvFileBytes = 1 << 20

// Env is a set of environment variables, as LoadEnvFile reads them from a file.
type Env map[string]string

// Lookup returns the value of name and whether it is set, like os.LookupEnv, so that an Env
// can be passed to ConfigFromEnv.
func (e Env) Lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// LoadEnvFile reads a .env file such as the one `wxpay mock` writes: NAME=value lines, an
// optional "export " before NAME, values bare, 'single-quoted' or "double-quoted" as a POSIX
// shell reads them (without expansion), blank lines and # comments. It leaves the process
// environment alone:
//
//	env, err := wxpay.LoadEnvFile("wxpay-mock/.env")
//	...
//	cfg, err := wxpay.ConfigFromEnv(env.Lookup)
//
// Its errors name the file and line, never a value. A file larger than MaxEnvFileBytes is
// refused unread.
func LoadEnvFile(path string) (Env, error) {
	data, err := boundedread.File(path, MaxEnvFileBytes)
	if err != nil {
		return nil, fmt.Errorf("wxpay: reading the env file: %w", err)
	}
	env := make(Env)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, raw, ok := strings.Cut(line, "=")
		if !ok || !validEnvName(name) {
			return nil, fmt.Errorf("wxpay: %s:%d: expected NAME=value", path, n)
		}
		v, err := unquoteEnv(raw)
		if err != nil {
			return nil, fmt.Errorf("wxpay: %s:%d: the value of %s: %v", path, n, name, err)
		}
		env[name] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("wxpay: reading %s: %w", path, err)
	}
	return env, nil
}

// validEnvName reports whether name is a shell variable name.
func validEnvName(name string) bool {
	for i, c := range name {
		if c != '_' && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return name != ""
}

// unquoteEnv reads a value as a POSIX shell would, without expansion: bare words,
// 'single-quoted' (no escapes) and "double-quoted" (\" \\ \$ \` escapes) parts, joined;
// an unquoted # after a space starts a comment.
func unquoteEnv(raw string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '\'':
			j := strings.IndexByte(raw[i+1:], '\'')
			if j < 0 {
				return "", fmt.Errorf("unterminated single quote")
			}
			b.WriteString(raw[i+1 : i+1+j])
			i += j + 1
		case '"':
			i++
			for ; i < len(raw) && raw[i] != '"'; i++ {
				if raw[i] == '\\' && i+1 < len(raw) && strings.IndexByte("\"\\$`", raw[i+1]) >= 0 {
					i++
				}
				b.WriteByte(raw[i])
			}
			if i >= len(raw) {
				return "", fmt.Errorf("unterminated double quote")
			}
		case '\\':
			if i+1 < len(raw) {
				i++
				b.WriteByte(raw[i])
			}
		case ' ', '\t':
			rest := strings.TrimLeft(raw[i:], " \t")
			if rest == "" || strings.HasPrefix(rest, "#") {
				return b.String(), nil
			}
			return "", fmt.Errorf("unquoted space: quote the value")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}
