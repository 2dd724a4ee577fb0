package graph

import (
	"strings"
	"testing"
)

func TestValidateHostIDAccepts(t *testing.T) {
	for _, id := range []string{
		"8.8.8.8",
		"85.13.139.18",
		"2001:4860:4860::8888",
		"::1",
		"contoso.com",
		"www.Contoso.COM",
		"localhost",
		"xn--bcher-kva.example",
		"a-b.c-d.example",
		"1password.com",
		strings.Repeat("a", 63) + ".example",
		strings.Repeat(strings.Repeat("a", 61)+".", 4) + "com", // 249 characters
	} {
		if err := ValidateHostID(id); err != nil {
			t.Errorf("ValidateHostID(%q) = %v, want nil", id, err)
		}
	}
}

func TestValidateHostIDRejects(t *testing.T) {
	for id, wantFragment := range map[string]string{
		"":                               "must not be empty",
		" 8.8.8.8":                       "white space",
		"8.8.8.8\n":                      "white space",
		"a\tb":                           "control character",
		"a\x00b":                         "control character",
		"..":                             "empty label",
		".":                              "empty label",
		"a/b":                            `contains "/"`,
		"?x":                             `contains "?"`,
		"#":                              `contains "#"`,
		"%2e%2e":                         `contains "%"`,
		"a b":                            "white space",
		"bücher.example":                 "punycode",
		"https://contoso.com":            "neither an IP address nor a host name",
		"contoso.com:443":                "neither an IP address nor a host name",
		"10.0.0.0/8":                     `contains "/"`,
		"[2001:db8::1]":                  "bracketed",
		"fe80::1%eth0":                   "zone",
		"contoso.com.":                   "trailing dot",
		"-contoso.com":                   "hyphen",
		"contoso-.com":                   "hyphen",
		"a..b":                           "empty label",
		"under_score.example":            `contains "_"`,
		"256.1.1.1":                      "all digits",
		"1.2.3":                          "all digits",
		"010.1.1.1":                      "all digits",
		strings.Repeat("a", 64):          "label of 64 characters",
		strings.Repeat("a.", 127) + "ab": "limit is 253",
	} {
		err := ValidateHostID(id)
		if err == nil {
			t.Errorf("ValidateHostID(%q) = nil, want an error containing %q", id, wantFragment)
			continue
		}
		if !strings.Contains(err.Error(), wantFragment) {
			t.Errorf("ValidateHostID(%q) = %q, want it to contain %q", id, err, wantFragment)
		}
	}
}

func TestEscapePathSegmentKeepsOneSegment(t *testing.T) {
	for in, want := range map[string]string{
		"8.8.8.8":     "8.8.8.8",
		"a/b":         "a%2Fb",
		"..":          "%2E%2E",
		".":           "%2E",
		"?x#y":        "%3Fx%23y",
		"100%":        "100%25",
		"a b":         "a%20b",
		"bücher":      "b%C3%BCcher",
		"OD0=+/x":     "OD0=+%2Fx",
		"2001:db8::1": "2001:db8::1",
	} {
		if got := escapePathSegment(in); got != want {
			t.Errorf("escapePathSegment(%q) = %q, want %q", in, got, want)
		}
	}
}
