package graph

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// Limits from RFC 1035 and RFC 1123: 63 octets a label, 253 a name written
// without its trailing dot.
const (
	maxHostNameLength = 253
	maxLabelLength    = 63
)

// ValidateHostID reports whether s is a host Defender TI can be asked about:
// an IPv4 address, an IPv6 address, or an RFC 1123 DNS host name (ASCII; an
// internationalized name must be given in its xn-- form). The error says what
// is wrong in a sentence fit for a user.
func ValidateHostID(s string) error {
	if s == "" {
		return fmt.Errorf("a host id must not be empty")
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%q has leading or trailing white space", s)
	}
	for _, r := range s {
		if r < 0x21 || r == 0x7f {
			return fmt.Errorf("%q contains white space or a control character", s)
		}
		if r > 0x7e {
			return fmt.Errorf("%q contains non-ASCII characters; give an internationalized domain name in its punycode (xn--) form", s)
		}
	}
	if strings.ContainsAny(s, ":[]") {
		return validateIPv6(s)
	}
	if addr, err := netip.ParseAddr(s); err == nil && addr.Is4() {
		return nil
	}
	return validateHostName(s)
}

func validateIPv6(s string) error {
	if strings.HasPrefix(s, "[") || strings.HasSuffix(s, "]") {
		return fmt.Errorf("%q is bracketed; give an IPv6 address without brackets", s)
	}
	addr, err := netip.ParseAddr(s)
	if err != nil || !addr.Is6() {
		return fmt.Errorf("%q is neither an IP address nor a host name (a port or URL is not accepted, only the host itself)", s)
	}
	if addr.Zone() != "" {
		return fmt.Errorf("%q carries an IPv6 zone, which only has meaning on the local machine", s)
	}
	return nil
}

func validateHostName(s string) error {
	if strings.HasPrefix(s, ".") || strings.Contains(s, "..") {
		return fmt.Errorf("%q has an empty label (two dots in a row, or a leading dot)", s)
	}
	if strings.HasSuffix(s, ".") {
		return fmt.Errorf("%q ends with a dot; give the host name without the trailing dot", s)
	}
	if len(s) > maxHostNameLength {
		return fmt.Errorf("host name is %d characters long; the limit is %d", len(s), maxHostNameLength)
	}
	labels := strings.Split(s, ".")
	for _, label := range labels {
		if err := validateLabel(s, label); err != nil {
			return err
		}
	}
	if isAllDigits(labels[len(labels)-1]) {
		return fmt.Errorf("%q is neither a valid IPv4 address nor a host name (the last label of a host name cannot be all digits)", s)
	}
	return nil
}

func validateLabel(name, label string) error {
	switch {
	case label == "":
		return fmt.Errorf("%q has an empty label (two dots in a row, or a leading dot)", name)
	case len(label) > maxLabelLength:
		return fmt.Errorf("%q has a label of %d characters; the limit is %d", name, len(label), maxLabelLength)
	case label[0] == '-' || label[len(label)-1] == '-':
		return fmt.Errorf("%q has a label that starts or ends with a hyphen", name)
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' {
			return fmt.Errorf("%q contains %q; a host name holds only letters, digits, hyphens and dots", name, string(c))
		}
	}
	return nil
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// escapePathSegment escapes s so that it stays exactly one path segment
// whatever it holds: url.PathEscape already escapes '/', '?', '#', '%' and
// spaces, and dots are escaped too when the segment would otherwise read as
// "." or "..", which servers and proxies are entitled to resolve.
func escapePathSegment(s string) string {
	escaped := url.PathEscape(s)
	if escaped == "." || escaped == ".." || escaped == "" {
		return strings.Repeat("%2E", len(s))
	}
	return escaped
}
