// Package specdiff compares the facts of WeChat Pay documentation pages (package
// docpage) with openapi.yaml and lists what the spec is missing or states
// differently, as findings a person can act on.
//
// When several pages describe the same operation the newest (by update date) wins
// for conflicting facts, and the error codes of all of them are expected in the
// spec — the rule openapi.yaml itself follows.
package specdiff
