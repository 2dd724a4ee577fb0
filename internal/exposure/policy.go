package exposure

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Policy is what a fleet may expose.
type Policy struct {
	// AsOf is the time certificate and domain expiry are measured from.
	AsOf *time.Time
	// DeniedPorts are open ports that are findings: a port number alone
	// denies it on every protocol.
	DeniedPorts []DeniedPort
	// MinCertificateDays and MinDomainDays are how many days ahead of AsOf
	// a certificate or a domain registration must still be valid.
	MinCertificateDays, MinDomainDays *float64
	// MaxReputation is the worst classification allowed.
	MaxReputation string
	// DeniedComponents are software that is a finding wherever it is seen.
	DeniedComponents []DeniedComponent
}

// DeniedPort is a port number and, optionally, its protocol.
type DeniedPort struct {
	Port     int64
	Protocol string // "" for any
}

// DeniedComponent is a component by name (case-insensitive) and a range of
// its versions; the empty range denies every version.
type DeniedComponent struct {
	Name     string
	Versions VersionRange
}

// classifications rank reputation from the best to the worst.
var classifications = []string{"unknown", "neutral", "suspicious", "malicious"}

// policyKeys are the keys a policy object may hold, with what each takes.
var policyKeys = map[string]string{
	"as_of":                "an RFC 3339 timestamp such as plantimestamp()",
	"denied_ports":         `a list of port numbers and "port/protocol" strings, such as [23, "3389/tcp"]`,
	"min_certificate_days": "a number of days",
	"min_domain_days":      "a number of days",
	"max_reputation":       "one of " + strings.Join(classifications, ", "),
	"denied_components":    `a list of objects {name = "OpenSSH", versions = "< 8.0"}`,
}

// PolicyError is a policy that cannot be applied; Key names the key at fault.
type PolicyError struct {
	Key, Problem string
}

func (e *PolicyError) Error() string { return fmt.Sprintf("policy key %q: %s", e.Key, e.Problem) }

func policyError(key, format string, args ...any) *PolicyError {
	return &PolicyError{Key: key, Problem: fmt.Sprintf(format, args...)}
}

// ParsePolicy reads a policy object: every key optional, none unknown, each
// of the type policyKeys says.
func ParsePolicy(raw map[string]any) (*Policy, error) {
	var names []string
	for key := range raw {
		names = append(names, key)
	}
	slices.Sort(names)
	p := &Policy{}
	for _, key := range names {
		value := raw[key]
		want, known := policyKeys[key]
		if !known {
			var valid []string
			for name := range policyKeys {
				valid = append(valid, name)
			}
			slices.Sort(valid)
			return nil, policyError(key, "not a policy key; the keys are %s", strings.Join(valid, ", "))
		}
		if value == nil {
			continue
		}
		var err error
		switch key {
		case "as_of":
			text, ok := value.(string)
			var at time.Time
			if ok {
				at, err = time.Parse(time.RFC3339, text)
			}
			if !ok || err != nil {
				return nil, policyError(key, "want %s, got %s", want, describe(value))
			}
			p.AsOf = &at
		case "denied_ports":
			p.DeniedPorts, err = parseDeniedPorts(key, value)
		case "min_certificate_days":
			p.MinCertificateDays, err = parseDays(key, value)
		case "min_domain_days":
			p.MinDomainDays, err = parseDays(key, value)
		case "max_reputation":
			text, ok := value.(string)
			if !ok || !slices.Contains(classifications, text) {
				return nil, policyError(key, "want %s, got %s", want, describe(value))
			}
			p.MaxReputation = text
		case "denied_components":
			p.DeniedComponents, err = parseDeniedComponents(key, value)
		}
		if err != nil {
			return nil, err
		}
	}
	if p.AsOf == nil {
		for _, key := range []string{"min_certificate_days", "min_domain_days"} {
			if raw[key] != nil {
				return nil, policyError(key, "needs as_of, the time expiry is measured from, such as as_of = plantimestamp()")
			}
		}
	}
	return p, nil
}

// maxDays keeps a deadline within what a time.Duration can add: 100
// years, far beyond any certificate or registration.
const maxDays = 36500

func parseDays(key string, value any) (*float64, error) {
	days, ok := value.(float64)
	if !ok || days < 0 || days > maxDays || math.IsNaN(days) {
		return nil, policyError(key, "want %s from 0 to %d, got %s", policyKeys[key], maxDays, describe(value))
	}
	return &days, nil
}

func parseDeniedPorts(key string, value any) ([]DeniedPort, error) {
	items, ok := value.([]any)
	if !ok {
		return nil, policyError(key, "want %s, got %s", policyKeys[key], describe(value))
	}
	ports := make([]DeniedPort, 0, len(items))
	for i, item := range items {
		port, err := parseDeniedPort(item)
		if err != nil {
			return nil, policyError(fmt.Sprintf("%s[%d]", key, i), "%s", err)
		}
		ports = append(ports, port)
	}
	return ports, nil
}

func parseDeniedPort(item any) (DeniedPort, error) {
	var port DeniedPort
	text := ""
	switch v := item.(type) {
	case float64:
		text = strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		text = v
	default:
		return port, fmt.Errorf(`want a port number or a "port/protocol" string, got %s`, describe(item))
	}
	number, protocol, _ := strings.Cut(text, "/")
	n, err := strconv.ParseInt(strings.TrimSpace(number), 10, 64)
	if err != nil || n < 0 || n > 65535 {
		return port, fmt.Errorf(`want a port number from 0 to 65535, optionally with "/protocol", got %q`, text)
	}
	port.Port, port.Protocol = n, strings.ToLower(strings.TrimSpace(protocol))
	return port, nil
}

func parseDeniedComponents(key string, value any) ([]DeniedComponent, error) {
	items, ok := value.([]any)
	if !ok {
		return nil, policyError(key, "want %s, got %s", policyKeys[key], describe(value))
	}
	components := make([]DeniedComponent, 0, len(items))
	for i, item := range items {
		at := fmt.Sprintf("%s[%d]", key, i)
		fields, ok := item.(map[string]any)
		if !ok {
			return nil, policyError(at, "want an object {name, versions}, got %s", describe(item))
		}
		var component DeniedComponent
		for _, field := range slices.Sorted(maps.Keys(fields)) {
			v := fields[field]
			switch field {
			case "name":
				name, ok := v.(string)
				if !ok || name == "" {
					return nil, policyError(at+".name", "want a component name such as \"OpenSSH\", got %s", describe(v))
				}
				component.Name = name
			case "versions":
				if v == nil {
					continue
				}
				text, ok := v.(string)
				if !ok {
					return nil, policyError(at+".versions", "want a version range such as \"< 8.0\", got %s", describe(v))
				}
				versions, err := ParseVersionRange(text)
				if err != nil {
					return nil, policyError(at+".versions", "%s", err)
				}
				component.Versions = versions
			default:
				return nil, policyError(at+"."+field, "not a key of a denied component; the keys are name and versions")
			}
		}
		if component.Name == "" {
			return nil, policyError(at+".name", "is required")
		}
		components = append(components, component)
	}
	return components, nil
}

// describe names a value's type for an error, and the value when short.
func describe(value any) string {
	switch v := value.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case float64:
		return fmt.Sprintf("the number %s", strconv.FormatFloat(v, 'f', -1, 64))
	case bool:
		return fmt.Sprintf("the bool %t", v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("a %T", value)
}
