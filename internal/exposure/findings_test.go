package exposure

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// decode reads JSON as the provider hands values over: numbers as float64.
func decode(t *testing.T, text string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

const fleet = `{
  "contoso.com": {
    "ports": [
      {"port": 22, "protocol": "tcp", "status": "open", "services": [{"component": {"name": "OpenSSH", "version": "7.4"}}]},
      {"port": 3389, "protocol": "tcp", "status": "open", "most_recent_ssl_certificate": {"id": "c1", "expiration_date_time": "2026-12-20T23:59:59Z", "subject": {"common_name": "contoso.com"}}},
      {"port": 8080, "protocol": "tcp", "status": "closed"},
      {"port": 53, "protocol": "udp", "status": "open"}
    ],
    "ssl_certificates": [
      {"ports": [{"port": 8443}, {"port": 443}], "ssl_certificate": {"id": "c1", "expiration_date_time": "2026-12-20T23:59:59Z", "subject": {"common_name": "contoso.com"}}},
      {"ports": [{"port": 443}], "ssl_certificate": {"id": "c2", "expiration_date_time": "2027-09-01T00:00:00Z", "subject": {"common_name": "www.contoso.com"}}}
    ],
    "reputation": {"classification": "suspicious", "score": 62},
    "whois": {"expiration_date_time": "2027-01-15T05:00:00Z"},
    "components": [{"name": "OpenSSH", "version": "7.4"}, {"name": "nginx", "version": "1.18.0"}, {"name": "jQuery", "version": "1.12.4"}]
  },
  "8.8.8.8": {
    "ports": [{"port": 443, "protocol": "tcp", "status": "open"}],
    "reputation": {"classification": "neutral", "score": 0},
    "whois": null,
    "components": null
  },
  "198.51.100.10": {"reputation": {"classification": "unknownFutureValue"}}
}`

const policy = `{
  "as_of": "2026-12-06T00:00:00Z",
  "denied_ports": [3389, "53/udp", "8080/tcp", "443/udp"],
  "min_certificate_days": 30,
  "min_domain_days": 60,
  "max_reputation": "neutral",
  "denied_components": [{"name": "openssh", "versions": "< 8.0"}, {"name": "jQuery"}, {"name": "nginx", "versions": ">= 1.20"}]
}`

func TestEvaluate(t *testing.T) {
	p, err := ParsePolicy(decode(t, policy))
	if err != nil {
		t.Fatal(err)
	}
	findings, err := Evaluate(decode(t, fleet), p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{"198.51.100.10", "reputation", "198.51.100.10: classified unknownFutureValue, which the policy cannot rank against neutral"},
		{"contoso.com", "certificate", "contoso.com: the certificate for contoso.com (seen on port 443, 3389, 8443) expires 2026-12-20T23:59:59Z, within 30 days of 2026-12-06T00:00:00Z"},
		{"contoso.com", "component", "contoso.com: OpenSSH 7.4 is seen, which the policy denies (versions < 8.0)"},
		{"contoso.com", "component", "contoso.com: jQuery 1.12.4 is seen, which the policy denies"},
		{"contoso.com", "domain", "contoso.com: the domain registration expires 2027-01-15T05:00:00Z, within 60 days of 2026-12-06T00:00:00Z"},
		{"contoso.com", "port", "contoso.com: port 3389/tcp is open, which the policy denies"},
		{"contoso.com", "port", "contoso.com: port 53/udp is open, which the policy denies"},
		{"contoso.com", "reputation", "contoso.com: classified suspicious (score 62), worse than the neutral the policy allows"},
	}
	if !reflect.DeepEqual(findings, want) {
		got, _ := json.MarshalIndent(findings, "", "  ")
		t.Errorf("findings:\n%s", got)
	}
}

// Each boundary: a certificate valid exactly min days ahead passes, one a
// second short fails; a domain already lapsed says so.
func TestEvaluateBoundaries(t *testing.T) {
	p, err := ParsePolicy(decode(t, `{"as_of": "2026-12-06T00:00:00Z", "min_certificate_days": 1, "min_domain_days": 0, "max_reputation": "suspicious"}`))
	if err != nil {
		t.Fatal(err)
	}
	findings, err := Evaluate(decode(t, `{"h": {
	  "ssl_certificates": [
	    {"ssl_certificate": {"id": "a", "expiration_date_time": "2026-12-07T00:00:00Z"}},
	    {"ssl_certificate": {"id": "b", "expiration_date_time": "2026-12-06T23:59:59Z"}}],
	  "whois": {"expiration_date_time": "2026-12-05T00:00:00Z"},
	  "reputation": {"classification": "suspicious"}}}`), p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{"h", "certificate", "h: the certificate for b expires 2026-12-06T23:59:59Z, within 1 days of 2026-12-06T00:00:00Z"},
		{"h", "domain", "h: the domain registration expired 2026-12-05T00:00:00Z, within 0 days of 2026-12-06T00:00:00Z"},
	}
	if !reflect.DeepEqual(findings, want) {
		t.Errorf("findings %+v\nwant %+v", findings, want)
	}
}

func TestEvaluateNothingToFind(t *testing.T) {
	p, err := ParsePolicy(map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	findings, err := Evaluate(decode(t, fleet), p)
	if err != nil || len(findings) != 0 {
		t.Errorf("an empty policy found %v, %v", findings, err)
	}
	if _, err := Evaluate(map[string]any{"h": "not an object"}, p); err == nil || !strings.Contains(err.Error(), `hosts["h"] is the string "not an object"`) {
		t.Errorf("a host that is no object: %v", err)
	}
}

func TestParsePolicyNamesTheKeyAtFault(t *testing.T) {
	for _, tc := range []struct {
		policy, key, problem string
	}{
		{`{"denied_port": [22]}`, "denied_port", "not a policy key; the keys are as_of, denied_components, denied_ports, max_reputation, min_certificate_days, min_domain_days"},
		{`{"denied_ports": 22}`, "denied_ports", `want a list of port numbers and "port/protocol" strings, such as [23, "3389/tcp"], got the number 22`},
		{`{"denied_ports": [22, "x/tcp"]}`, "denied_ports[1]", `want a port number from 0 to 65535, optionally with "/protocol", got "x/tcp"`},
		{`{"denied_ports": [70000]}`, "denied_ports[0]", `want a port number from 0 to 65535, optionally with "/protocol", got "70000"`},
		{`{"min_certificate_days": "30"}`, "min_certificate_days", `want a number of days from 0 to 36500, got the string "30"`},
		{`{"min_domain_days": 30}`, "min_domain_days", "needs as_of, the time expiry is measured from, such as as_of = plantimestamp()"},
		{`{"as_of": "yesterday"}`, "as_of", `want an RFC 3339 timestamp such as plantimestamp(), got the string "yesterday"`},
		{`{"max_reputation": "bad"}`, "max_reputation", `want one of unknown, neutral, suspicious, malicious, got the string "bad"`},
		{`{"denied_components": [{"versions": "< 1"}]}`, "denied_components[0].name", "is required"},
		{`{"denied_components": [{"name": "x", "version": "< 1"}]}`, "denied_components[0].version", "not a key of a denied component; the keys are name and versions"},
		{`{"denied_components": [{"name": "x", "versions": "~> 1"}]}`, "denied_components[0].versions", `"~> 1" is not a version range: each comma-separated part is an operator (=, !=, <, <=, >, >=) and a version, such as ">= 1.0, < 1.19"`},
		{`{"denied_components": ["OpenSSH"]}`, "denied_components[0]", `want an object {name, versions}, got the string "OpenSSH"`},
	} {
		_, err := ParsePolicy(decode(t, tc.policy))
		var policyErr *PolicyError
		if !errors.As(err, &policyErr) || policyErr.Key != tc.key || policyErr.Problem != tc.problem {
			t.Errorf("%s: %v; want key %q: %s", tc.policy, err, tc.key, tc.problem)
		}
	}
}

// A `select` that leaves out status and protocol still finds open denied
// ports, through open_ports, which is read whatever select says; a rule
// naming a protocol cannot match a port whose protocol was left out.
func TestEvaluatePortsWithoutStatus(t *testing.T) {
	p, err := ParsePolicy(decode(t, `{"denied_ports": [22, "3389/tcp", 8080]}`))
	if err != nil {
		t.Fatal(err)
	}
	findings, err := Evaluate(decode(t, `{"h": {
	  "ports": [{"port": 22, "status": null, "protocol": null}, {"port": 3389, "status": null, "protocol": null}, {"port": 8080, "status": null}],
	  "open_ports": [22, 3389]}}`), p)
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{{"h", "port", "h: port 22 is open, which the policy denies"}}
	if !reflect.DeepEqual(findings, want) {
		t.Errorf("findings %+v\nwant %+v", findings, want)
	}
}

func TestParsePolicyBoundsDays(t *testing.T) {
	for _, days := range []string{"36501", "-1", "1e300"} {
		_, err := ParsePolicy(decode(t, `{"as_of": "2026-12-06T00:00:00Z", "min_domain_days": `+days+`}`))
		var policyErr *PolicyError
		if !errors.As(err, &policyErr) || policyErr.Key != "min_domain_days" {
			t.Errorf("%s days: %v; want an error on min_domain_days", days, err)
		}
	}
	if _, err := ParsePolicy(decode(t, `{"as_of": "2026-12-06T00:00:00Z", "min_domain_days": 36500}`)); err != nil {
		t.Errorf("36500 days: %v", err)
	}
}
