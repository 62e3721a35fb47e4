package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// defaultTimeout bounds one balance query, signing to verified answer.
const defaultTimeout = 10 * time.Second

// flagSet is a subcommand's flag.FlagSet with its usage text. It prints nothing while
// parsing: -h goes to stdout, and a mistake comes back as a *usageError.
type flagSet struct {
	*flag.FlagSet
	synopsis string // the arguments after "wxpay NAME"
	about    string // what the command does, a paragraph or two
}

// newFlagSet returns the flag set of the command name, silent while parsing.
func newFlagSet(name, synopsis, about string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), synopsis: synopsis, about: about}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args, printing the usage on stdout for -h (and returning flag.ErrHelp);
// positional arguments are refused.
func (fs *flagSet) parse(args []string, stdout io.Writer) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.printUsage(stdout)
		return flag.ErrHelp
	case err != nil:
		if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
			if msg, ok := renamedFlags[name]; ok {
				return usagef("--%s is gone: %s (run 'wxpay %s -h')", name, msg, fs.Name())
			}
		}
		return usagef("%v (run 'wxpay %s -h')", err, fs.Name())
	case fs.NArg() > 0:
		return usagef("unexpected argument %q (run 'wxpay %s -h')", fs.Arg(0), fs.Name())
	}
	return nil
}

// renamedFlags are flags of earlier versions whose names mixed up the two merchants: the
// caller (WXPAY_MCHID) and the merchant queried. Each says what replaced it.
var renamedFlags = map[string]string{
	"merchant-id": "use --caller-mchid for the merchant that calls the API (商户号, WXPAY_MCHID)",
	"mchid":       "use --target-mchid for the merchant whose quota to query, or --caller-mchid for the merchant that calls the API (WXPAY_MCHID)",
}

func (fs *flagSet) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: wxpay %s %s\n\n%s\n", fs.Name(), fs.synopsis, fs.about)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// queryFlags are the flags every balance command shares: credentials, --timeout and -o.
type queryFlags struct {
	creds   credentialFlags
	timeout time.Duration
	format  string
}

// addQueryFlags registers the shared flags of the balance commands on fs.
func addQueryFlags(fs *flagSet) *queryFlags {
	q := &queryFlags{}
	fs.DurationVar(&q.timeout, "timeout", defaultTimeout, "give up when there is no verified answer within this `duration`")
	fs.StringVar(&q.format, "o", formatJSON, "output `format`: json (the verified answer, amounts in fen) or table (amounts also in yuan); any case")
	fs.StringVar(&q.format, "output", formatJSON, "same as -o `format`")
	q.creds = addCredentialFlags(fs.FlagSet)
	return q
}

// check validates the shared flags' values.
func (q *queryFlags) check() error {
	if q.timeout <= 0 {
		return usagef("--timeout %s: expected a positive duration such as 10s", q.timeout)
	}
	q.format = strings.ToLower(strings.TrimSpace(q.format))
	return checkFormat(q.format)
}
