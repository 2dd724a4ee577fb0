package exposure

import "testing"

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.18.0", "1.18.0", 0},
		{"10", "10.0", 0},
		{"10.0.0", "10", 0},
		{"2.4.57", "2.4.9", 1},
		{"2.4.9", "2.4.57", -1},
		{"8.9p1", "8.9", 1},
		{"8.9p1", "8.9p2", -1},
		{"8.9p1", "9.0", -1},
		{"7.4", "8.0", -1},
		{"1.1.1w", "1.1.1", 1},
		{"1.1.1a", "1.1.1b", -1},
		{"3.0.0-rc1", "3.0.0", -1},
		{"3.0.0", "3.0.0-RC1", 1},
		{"3.0.0-beta", "3.0.0-rc1", -1},
		{"1.0.1", "1.0a", 1},
		{"1.0a", "1.0.1", -1},
		{"", "", 0},
		{"", "0", 0},
		{"", "1", -1},
		{"99999999999999999999", "99999999999999999998", 1},
		{"v1.2", "1.2", 0},
		{"8.9p1", "8.9.0", 1},
		{"1.0rc1", "1.0.0rc1", 0},
		{"1.0.0rc1", "1.0.0", -1},
		{"0.9", "0.10", -1},
		{"1.0.1", "1.0.0", 1},
		{"2.0a", "2", 1},
	} {
		if got := CompareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := CompareVersions(tc.b, tc.a); got != -tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d (antisymmetry)", tc.b, tc.a, got, -tc.want)
		}
	}
}

func TestVersionRange(t *testing.T) {
	for _, tc := range []struct {
		text    string
		version string
		want    bool
	}{
		{"", "anything", true},
		{"< 8.0", "7.4", true},
		{"< 8.0", "8.0", false},
		{"<= 8.0", "8.0", true},
		{">= 1.0, < 1.19", "1.18.0", true},
		{">= 1.0, < 1.19", "1.19", false},
		{"1.12.4", "1.12.4", true},
		{"= 1.12.4", "1.12.5", false},
		{"!= 2.4.57", "2.4.57", false},
		{"> 8.9", "8.9p1", true},
	} {
		r, err := ParseVersionRange(tc.text)
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if got := r.Contains(tc.version); got != tc.want {
			t.Errorf("%q contains %q = %v, want %v", tc.text, tc.version, got, tc.want)
		}
	}
	for _, bad := range []string{"<", ">= 1.0,", "~> ..."} {
		if _, err := ParseVersionRange(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
