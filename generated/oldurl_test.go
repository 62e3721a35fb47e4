package generated

import (
	"net/url"
	"strings"

	"github.com/oapi-codegen/runtime"
)

// oldURL is the URL code the pinned generator's own client.tmpl emits around an operation's
// parameters, once for every operation: operationPath (its path parameters already styled)
// resolved against server, then — when the operation was given params — the query
// fragments query styles, followed by any query server carried.
func oldURL(server, operationPath string, withParams bool, query func() ([]string, error)) (string, error) {
	serverURL, err := url.Parse(server)
	if err != nil {
		return "", err
	}
	if operationPath[0] == '/' {
		operationPath = "." + operationPath
	}
	queryURL, err := serverURL.Parse(operationPath)
	if err != nil {
		return "", err
	}
	if withParams {
		queryValues := queryURL.Query()
		rawQueryFragments, err := query()
		if err != nil {
			return "", err
		}
		if encoded := queryValues.Encode(); encoded != "" {
			rawQueryFragments = append(rawQueryFragments, encoded)
		}
		queryURL.RawQuery = strings.Join(rawQueryFragments, "&")
	}
	return queryURL.String(), nil
}

// oldQueryFragments is the generator's code for one query parameter of type string, style
// form, explode true: it appends value's fragments to fragments.
func oldQueryFragments(fragments []string, name string, value any) ([]string, error) {
	queryFrag, err := runtime.StyleParamWithOptions("form", true, name, value, runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationQuery, Type: "string"})
	if err != nil {
		return nil, err
	}
	return append(fragments, strings.Split(queryFrag, "&")...), nil
}
