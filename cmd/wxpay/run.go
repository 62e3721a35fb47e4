package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wxpay-oapi/wxpay/transport"
)

// Exit statuses.
const (
	exitOK        = 0   // success
	exitFailure   = 1   // an API error, a failed verification, or no answer
	exitUsage     = 2   // a usage, settings or input error: the user has something to fix
	exitInterrupt = 130 // interrupted (SIGINT or SIGTERM), as a shell reports it
)

// env looks up an environment variable; os.LookupEnv outside tests.
type env func(string) (string, bool)

// command is one subcommand: its name, one-line summary and entry point.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) error
}

// commands lists the subcommands in the order help shows them.
var commands = []command{
	{"demo", "query both balances against an in-process test server, step by step (no credentials, no network)", runDemo},
	{"ecommerce-balance", "query an e-commerce sub-merchant's real-time balance (查询二级商户账户实时余额)", runECommerceBalance},
	{"channel-balance", "query the channel quota of a balance account (查询渠道额度)", runChannelBalance},
	{"mock", "run the WeChat Pay test server for other clients, with keys and a .env file", runMock},
	{"help", "show help for wxpay or a command", nil},
}

// run is the whole command: it parses args, runs one subcommand and returns the exit status.
// It never panics and never calls os.Exit, so tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			usage(stdout)
			return exitOK
		}
		if c := lookup(rest[0]); c != nil && c.run != nil {
			// Every command answers -h with its usage on stdout.
			return finish(ctx, stderr, c.run(ctx, []string{"-h"}, stdin, stdout, stderr, getenv))
		}
		fmt.Fprintf(stderr, "wxpay: no command %q; run 'wxpay help'\n", rest[0])
		return exitUsage
	}
	c := lookup(name)
	if c == nil || c.run == nil {
		fmt.Fprintf(stderr, "wxpay: unknown command %q; run 'wxpay help'\n", name)
		return exitUsage
	}
	return finish(ctx, stderr, c.run(ctx, rest, stdin, stdout, stderr, getenv))
}

// lookup returns the command called name, or nil.
func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// usage writes the top-level help: the commands, the settings and the exit statuses.
func usage(w io.Writer) {
	fmt.Fprint(w, `wxpay queries WeChat Pay APIv3 balances.

Usage:
  wxpay <command> [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-18s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
Start with 'wxpay demo'. Run 'wxpay <command> -h' for a command's flags.

The balance commands read credentials from flags, --env-file or the environment:
  %-25s merchant ID (商户号) that calls the API (--caller-mchid)
  %-25s serial number of the merchant API certificate (商户API证书序列号)
  %-25s merchant API private key file (apiclient_key.pem)
and one way to verify WeChat Pay's answers:
  %-25s WeChat Pay public key ID (PUB_KEY_ID_…)
  %-25s WeChat Pay public key file (pub_key.pem)
or
  %-25s platform certificate files (several separated by '%c')
or
  %-25s APIv3 key (or %s, a file holding it): download the platform certificates
and
  %-25s API host (default: the first server of openapi.yaml)

Exit status: 0 ok; 1 API error (JSON on stderr), failed verification or no answer;
2 usage, settings or input error; 130 interrupted.
`, envMchID, envCertSerialNo, envPrivateKeyFile, envPublicKeyID, envPublicKeyFile,
		envPlatformCertFile, filepath.ListSeparator, envAPIv3Key, envAPIv3KeyFile, envBaseURL)
}

// usageError is a mistake the user fixes: a bad flag, a missing setting, a bad value (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a *usageError with a formatted message.
func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// finish reports err on stderr, one line (or one JSON object for an API error), and
// returns the exit status for it.
func finish(ctx context.Context, stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var (
		ue  *usageError
		ie  *transport.InputError
		ce  *transport.ConfigError
		ke  *transport.KeyError
		ae  *transport.APIError
		ve  *transport.VerificationError
		ure *url.Error
	)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "wxpay: interrupted")
		return exitInterrupt
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "wxpay:", ue.msg)
		return exitUsage
	case errors.As(err, &ie):
		fmt.Fprintln(stderr, "wxpay:", inputMessage(ie))
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintln(stderr, "wxpay:", configMessage(ce))
		return exitUsage
	case errors.As(err, &ke):
		fmt.Fprintln(stderr, "wxpay:", keyMessage(ke))
		return exitUsage
	case errors.As(err, &ae):
		writeAPIError(stderr, ae)
		return exitFailure
	case errors.As(err, &ve):
		fmt.Fprintln(stderr, "wxpay:", verificationMessage(ve))
		return exitFailure
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintln(stderr, "wxpay: no answer in time: raise --timeout, or check the network and WXPAY_BASE_URL")
		return exitFailure
	case errors.As(err, &ure):
		fmt.Fprintln(stderr, "wxpay:", noAnswerMessage(ure))
		return exitFailure
	}
	msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "wxpay: "), "transport: ")
	fmt.Fprintln(stderr, "wxpay:", msg)
	return exitFailure
}

// noAnswerMessage words a request that got no answer. url.Error quotes the whole URL,
// ciphertext and all; the host, the attempts and the last cause are what help.
func noAnswerMessage(e *url.Error) string {
	host := e.URL
	if u, err := url.Parse(e.URL); err == nil {
		host = u.Scheme + "://" + u.Host
	}
	cause, attempts := e.Err, ""
	var re *transport.RetryError
	if errors.As(cause, &re) {
		cause = re.Err
		attempts = fmt.Sprintf(" after %d attempts", re.Attempts)
		var others []string
		for _, h := range re.Hosts {
			if h != "" && !strings.Contains(host, "://"+h) && !slices.Contains(others, h) {
				others = append(others, h)
			}
		}
		if len(others) > 0 {
			attempts += " (also tried " + strings.Join(others, ", ") + ")"
		}
	}
	return fmt.Sprintf("no answer from %s%s: %s (check %s and the network)", host, attempts,
		strings.TrimPrefix(cause.Error(), "transport: "), envBaseURL)
}

// paramFlags maps openapi.yaml parameter names to the flags that set them.
var paramFlags = map[string]string{
	"sub_mchid":      "--sub-mchid",
	"account_type":   "--account-type",
	"mchid":          "--target-mchid",
	"bal_account_no": "--bal-account-no",
}

// inputMessage words a request the spec rejects in terms of the flag to fix.
func inputMessage(e *transport.InputError) string {
	if f, ok := paramFlags[e.Parameter]; ok {
		return fmt.Sprintf("%s: %s", f, e.Reason)
	}
	return strings.TrimPrefix(e.Error(), "transport: ")
}

// configMessage names the setting behind a transport.Config field.
func configMessage(e *transport.ConfigError) string {
	field := e.Field
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	if s := settingForField(field); s != nil {
		if s.flag == "" {
			return fmt.Sprintf("%s: %s", s.env, e.Reason)
		}
		return fmt.Sprintf("%s (--%s): %s", s.env, s.flag, e.Reason)
	}
	return strings.TrimPrefix(e.Error(), "transport: ")
}

// keyMessage names the setting behind a key file that did not load.
func keyMessage(e *transport.KeyError) string {
	msg := strings.TrimPrefix(e.Error(), "transport: ")
	switch e.What {
	case "merchant private key":
		return fmt.Sprintf("%s: %s", envPrivateKeyFile, msg)
	case "WeChat Pay public key":
		return fmt.Sprintf("%s: %s", envPublicKeyFile, msg)
	}
	return msg
}

// verificationMessage explains a 2xx answer the transport refused, with what to check.
func verificationMessage(e *transport.VerificationError) string {
	var hint string
	switch e.Reason {
	case transport.ReasonUnknownSerial:
		hint = fmt.Sprintf("the answer names a WeChat Pay key this client does not trust; check %s and %s", envPublicKeyID, envPublicKeyFile)
	case transport.ReasonStale:
		hint = "check this machine's clock"
	case transport.ReasonBadSignature, transport.ReasonMissingHeader, transport.ReasonProbe:
		hint = fmt.Sprintf("it may have been altered on the way, or %s is not the key WeChat Pay signs with", envPublicKeyFile)
	case transport.ReasonSchema:
		hint = "WeChat Pay's answer does not match openapi.yaml"
	}
	msg := "the answer failed verification and was discarded: " + strings.TrimPrefix(e.Error(), "transport: response not verified: ")
	if hint != "" {
		msg += " (" + hint + ")"
	}
	return msg
}
