package generated

import (
	"strings"
	"testing"

	"github.com/oapi-codegen/runtime"
)

// upperText has a MarshalText, which the runtime calls: styleString must leave it to the runtime.
type upperText string

func (u upperText) MarshalText() ([]byte, error) { return []byte(strings.ToUpper(string(u))), nil }

// checkStyleString compares styleString with runtime.StyleParamWithOptions (v1.8.0) for
// v as a string, as AccountType (a generated enum type) and as a type with a MarshalText,
// in every style, location and explode, with allowReserved on and off, and under both
// of the runtime's query encoders.
func checkStyleString(t *testing.T, name, v string) {
	defer func(e runtime.QueryEncoder) { runtime.DefaultQueryEncoder = e }(runtime.DefaultQueryEncoder)
	for _, enc := range []runtime.QueryEncoder{runtime.NetURLQueryEncoder{}, runtime.RFC3986QueryEncoder{}} {
		runtime.DefaultQueryEncoder = enc
		for _, style := range []string{"simple", "form", "label", "matrix", "spaceDelimited", "deepObject", ""} {
			for _, loc := range []runtime.ParamLocation{runtime.ParamLocationUndefined, runtime.ParamLocationQuery, runtime.ParamLocationPath, runtime.ParamLocationHeader, runtime.ParamLocationCookie} {
				for _, explode := range []bool{false, true} {
					for _, reserved := range []bool{false, true} {
						opts := runtime.StyleParamOptions{ParamLocation: loc, Type: "string", AllowReserved: reserved}
						same := func(kind string, got string, err error, want string, wantErr error) {
							t.Helper()
							if got != want || (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
								t.Fatalf("%s %q=%q style %q location %d explode %v reserved %v encoder %T: %q, %v; the runtime's %q, %v",
									kind, name, v, style, loc, explode, reserved, enc, got, err, want, wantErr)
							}
						}
						got, err := styleString(style, explode, name, v, opts)
						want, wantErr := runtime.StyleParamWithOptions(style, explode, name, v, opts)
						same("string", got, err, want, wantErr)
						got, err = styleString(style, explode, name, AccountType(v), opts)
						want, wantErr = runtime.StyleParamWithOptions(style, explode, name, AccountType(v), opts)
						same("AccountType", got, err, want, wantErr)
						got, err = styleString(style, explode, name, upperText(v), opts)
						want, wantErr = runtime.StyleParamWithOptions(style, explode, name, upperText(v), opts)
						same("MarshalText", got, err, want, wantErr)
					}
				}
			}
		}
	}
}

var styleStringSeeds = []string{"", "1900000109", "BASIC", "..", ".", "%", "%2F", "a/b", "?", "#", "&", "=", "+", " ", "a b&c=d,e/é?%", "é", "日本", "\x00", "\x7f", "~!*'();:@&=+$,/?#[]"}

func TestStyleStringIsTheRuntimes(t *testing.T) {
	for _, v := range styleStringSeeds {
		checkStyleString(t, "account_type", v)
		checkStyleString(t, v, "x")
	}
}

func FuzzStyleStringIsTheRuntimes(f *testing.F) {
	for _, v := range styleStringSeeds {
		f.Add("sub_mchid", v)
		f.Add(v, v)
	}
	f.Fuzz(checkStyleString)
}

// TestStyleStringAllocations: the two cases styleString styles itself do not box the
// value for reflection; a query fragment is one string.
func TestStyleStringAllocations(t *testing.T) {
	opts := runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationQuery, Type: "string"}
	at := AccountTypeBasic
	if n := testing.AllocsPerRun(100, func() { _, _ = styleString("form", true, "account_type", at, opts) }); n > 1 {
		t.Errorf("query: %v allocations, want at most 1", n)
	}
	opts.ParamLocation = runtime.ParamLocationPath
	if n := testing.AllocsPerRun(100, func() { _, _ = styleString("simple", false, "sub_mchid", "1900000109", opts) }); n > 0 {
		t.Errorf("path: %v allocations, want 0", n)
	}
}
