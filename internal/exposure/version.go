package exposure

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// Defender TI reports versions as the software announces them: "1.18.0",
// "8.9p1", "2.4.57", "10.0", "1.1.1w", "3.0.0-rc1". They are compared here
// as loose versions: split into runs of digits and runs of letters, other
// characters separating them, and compared run by run.
//
//   - Runs of digits compare as numbers: "2.4.57" > "2.4.9".
//   - A missing run counts as zero when the other is a number, so "10" and
//     "10.0" are equal.
//   - A run of letters after the numbers is a later patch level ("8.9p1" >
//     "8.9", "1.1.1w" > "1.1.1"), except the pre-release words alpha, beta,
//     pre, preview, rc and dev, which come before the release
//     ("3.0.0-rc1" < "3.0.0").
//   - Where one version has digits and the other letters at the same place,
//     the digits are later.
//   - Letters compare case-insensitively, in alphabetical order; a leading
//     "v" ("v1.2") is dropped.

// CompareVersions returns -1, 0 or 1 as a is before, equal to or after b.
func CompareVersions(a, b string) int {
	ra, rb := versionRuns(a), versionRuns(b)
	for i := 0; i < max(len(ra), len(rb)); i++ {
		var x, y *versionRun
		if i < len(ra) {
			x = &ra[i]
		}
		if i < len(rb) {
			y = &rb[i]
		}
		if c := compareRuns(x, y); c != 0 {
			return c
		}
	}
	return 0
}

type versionRun struct {
	number *big.Int // nil for letters
	text   string   // lower-cased letters
}

func (r *versionRun) preRelease() bool {
	switch r.text {
	case "alpha", "beta", "pre", "preview", "rc", "dev":
		return r.number == nil
	}
	return false
}

// compareRuns compares runs at one place; nil is a run one version lacks.
func compareRuns(x, y *versionRun) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return -compareRuns(y, nil)
	case y == nil:
		if x.number != nil {
			return x.number.Sign() // a missing number is zero
		}
		if x.preRelease() {
			return -1
		}
		return 1
	case x.number != nil && y.number != nil:
		return x.number.Cmp(y.number)
	case x.number == nil && y.number == nil:
		if x.preRelease() != y.preRelease() {
			if x.preRelease() {
				return -1
			}
			return 1
		}
		return strings.Compare(x.text, y.text)
	case x.number != nil: // y is letters
		return 1
	default: // x is letters, y a number
		return -1
	}
}

// versionRuns splits v into its runs. A single letter is a patch level, as
// in OpenSSL's "1.1.1a", never a pre-release.
func versionRuns(v string) []versionRun {
	var runs []versionRun
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) > 1 && v[0] == 'v' && isDigit(v[1]) {
		v = v[1:] // "v1.2" is 1.2
	}
	for i := 0; i < len(v); {
		c := v[i]
		j := i
		switch {
		case isDigit(c):
			for j < len(v) && isDigit(v[j]) {
				j++
			}
			n, _ := new(big.Int).SetString(v[i:j], 10)
			runs = append(runs, versionRun{number: n})
		case isLetter(c):
			for j < len(v) && isLetter(v[j]) {
				j++
			}
			runs = append(runs, versionRun{text: v[i:j]})
		default:
			j++
		}
		i = j
	}
	// A zero that ends the version or comes right before letters adds
	// nothing: "8.9.0" is 8.9 and "1.0.0rc1" is 1rc1, so a letter run
	// meets the run it follows in the other version whatever zeros sit
	// between ("8.9.0" before "8.9p1", "1.0rc1" equal to "1.0.0rc1").
	kept := make([]versionRun, 0, len(runs))
	for i := len(runs) - 1; i >= 0; i-- {
		zero := runs[i].number != nil && runs[i].number.Sign() == 0
		if zero && (len(kept) == 0 || kept[len(kept)-1].number == nil) {
			continue
		}
		kept = append(kept, runs[i])
	}
	slices.Reverse(kept)
	return kept
}

// isVersion reports whether s reads as one version: letters, digits and
// the separators . - _ +, starting with a letter or a digit.
func isVersion(s string) bool {
	if s == "" || !isDigit(s[0]) && !isLetter(s[0]|0x20) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && !isLetter(c|0x20) && !strings.ContainsRune(".-_+", rune(c)) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

// constraint is one "op version" of a version range.
type constraint struct {
	op, version string
}

// VersionRange is a set of constraints a version must all meet, written as
// in "< 8.0" or ">= 1.0, < 1.19"; the empty range holds every version.
type VersionRange struct {
	text        string
	constraints []constraint
}

// ParseVersionRange reads text: comma-separated constraints, each an
// operator (=, !=, <, <=, >, >=; none means =) and a version.
func ParseVersionRange(text string) (VersionRange, error) {
	r := VersionRange{text: strings.TrimSpace(text)}
	if r.text == "" {
		return r, nil
	}
	for _, part := range strings.Split(r.text, ",") {
		part = strings.TrimSpace(part)
		op := "="
		for _, candidate := range []string{"!=", "<=", ">=", "=", "<", ">"} {
			if strings.HasPrefix(part, candidate) {
				op, part = candidate, strings.TrimSpace(part[len(candidate):])
				break
			}
		}
		if !isVersion(part) {
			return VersionRange{}, fmt.Errorf("%q is not a version range: each comma-separated part is an operator (=, !=, <, <=, >, >=) and a version, such as \">= 1.0, < 1.19\"", text)
		}
		r.constraints = append(r.constraints, constraint{op: op, version: part})
	}
	return r, nil
}

// Contains reports whether version meets every constraint of r.
func (r VersionRange) Contains(version string) bool {
	for _, c := range r.constraints {
		cmp := CompareVersions(version, c.version)
		var ok bool
		switch c.op {
		case "=":
			ok = cmp == 0
		case "!=":
			ok = cmp != 0
		case "<":
			ok = cmp < 0
		case "<=":
			ok = cmp <= 0
		case ">":
			ok = cmp > 0
		case ">=":
			ok = cmp >= 0
		}
		if !ok {
			return false
		}
	}
	return true
}

// Empty reports whether r holds every version.
func (r VersionRange) Empty() bool { return len(r.constraints) == 0 }

func (r VersionRange) String() string { return r.text }
