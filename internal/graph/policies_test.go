package graph

import (
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"2":                              2 * time.Second,
		"2.128":                          2128 * time.Millisecond,
		"0":                              0,
		" 7 ":                            7 * time.Second,
		"Fri, 02 Jan 2026 03:04:08 GMT":  3 * time.Second,
		"Friday, 02-Jan-26 03:04:10 GMT": 5 * time.Second,
		"Fri Jan  2 03:04:06 2026":       time.Second,
		"Fri, 02 Jan 2026 03:00:00 GMT":  0,
	} {
		got, ok := parseRetryAfter(in, now)
		if !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, true", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "soon", "-1", "NaN", "1e300"} {
		if got, ok := parseRetryAfter(in, now); ok {
			t.Errorf("parseRetryAfter(%q) = %v, true; want not ok", in, got)
		}
	}
}
