package provider

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
	"github.com/defender-ti/terraform-provider-defender/internal/tfcli"
)

// requiredProviders lets a documentation snippet, which leaves it out for
// brevity, be planned on its own under both Terraform and OpenTofu.
const requiredProviders = `
terraform {
  required_providers {
    defender = { source = "defender-ti/defender" }
  }
}
`

// exampleHosts are hosts the documentation snippets name that the
// emulator's sample data lacks. The tests serve them beside the sample, so
// the snippets stay as users read them.
var exampleHosts = map[string]string{
	// firewall-alerts.tf and for-each.tf: a perimeter address with open TCP
	// ports inside and outside the snippet's allow list, an open UDP port and
	// a closed one.
	"203.0.113.10": `[
	  {"port": 22, "protocol": "tcp", "status": "open", "lastSeenDateTime": "2024-03-01T00:00:00Z"},
	  {"port": 80, "protocol": "tcp", "status": "closed", "lastSeenDateTime": "2024-03-01T00:00:00Z"},
	  {"port": 161, "protocol": "udp", "status": "open", "lastSeenDateTime": "2024-03-01T00:00:00Z"},
	  {"port": 443, "protocol": "tcp", "status": "open", "lastSeenDateTime": "2024-03-01T00:00:00Z"},
	  {"port": 8443, "protocol": "tcp", "status": "open", "lastSeenDateTime": "2024-03-01T00:00:00Z"}
	]`,
	// for-each.tf, and the demo with hosts of its own: services Graph reports
	// without a component, with a component but no version, and with an
	// empty version, all of which the schema allows.
	"www.contoso.com": `[
	  {"port": 80, "protocol": "tcp", "status": "open", "services": [{"isRecent": true}]},
	  {"port": 443, "protocol": "tcp", "status": "open", "services": [
	    {"isRecent": true, "component": {"id": "nginx", "name": "nginx"}},
	    {"isRecent": true, "component": {"id": "aspnet", "name": "ASP.NET", "version": ""}}
	  ]}
	]`,
}

// exampleCase is one plan of one example and what it must produce. Every
// example file found is planned at least once, with an empty case when it has
// none: the plan must succeed, read its data sources during the plan rather
// than leave them for apply, show no warning, and every check must pass. A
// case is needed only where an example asserts something, needs an input, or
// is planned on other data. An example calling a provider function
// (`provider::`) is skipped, with the reason, under a binary without them
// (Terraform before 1.8, OpenTofu before 1.7), which cannot parse it.
//
// To give an example an input, such as a hostPort id for a data source that
// reads one port, add a case with args (-var name=value, or -var-file of a
// file in files) or files (written beside the example, such as a tfvars file
// or the configuration a provider snippet leaves out). The ids of the sample
// data come from fakegraph.SampleData().PortIDs(host).
type exampleCase struct {
	name string
	// args are added to `plan`.
	args []string
	// files are written beside the example.
	files map[string]string
	// env replaces the emulator environment (ARM_*, SSL_CERT_FILE) when set;
	// extraEnv is added to it.
	env      func(e *examplesEmulator) []string
	extraEnv []string
	// data, when set, serves this dataset instead of the sample and
	// exampleHosts.
	data func(t *testing.T) *fakegraph.Dataset
	// errors, when set, are the diagnostics the plan must fail with, and
	// warnings those it must show, each as "summary: detail".
	errors, warnings []string
	// failedChecks maps the address of each check, precondition or
	// postcondition expected to fail to its one problem; all others must
	// pass.
	failedChecks map[string]string
	// outputs maps output names to their expected values, as JSON.
	outputs map[string]string
	// check asserts anything else.
	check func(t *testing.T, p *planResult)
}

// exampleCases are keyed by the example's path under examples/.
var exampleCases = map[string][]exampleCase{
	"data-sources/defender_ti_host_ports/data-source.tf": {{
		outputs: map[string]string{
			"open_ports": `[22, 53, 80, 443, 3389]`,
			"last_seen": `{
			  "22/tcp": "2023-07-30T18:44:02Z", "53/udp": "2023-07-29T07:00:00Z", "80/tcp": "2023-07-30T18:44:02Z",
			  "443/tcp": "2023-07-30T18:44:02Z", "445/tcp": "2023-07-01T00:00:00Z", "3389/tcp": "2023-07-30T18:44:02Z",
			  "8080/tcp": "2019-01-01T00:00:00Z"}`,
		},
	}},
	"data-sources/defender_ti_hosts_ports/data-source.tf": {{
		outputs: map[string]string{
			"open_ports_by_host": `{
			  "203.0.113.10": [22, 161, 443, 8443], "8.8.8.8": [443], "contoso.com": [22, 53, 80, 443, 3389], "www.contoso.com": [80, 443]}`,
			"unknown_hosts": `[]`,
		},
	}, {
		name:    "an unknown host",
		args:    []string{`-var=fleet=["contoso.com", "unknown.example.com"]`},
		outputs: map[string]string{"unknown_hosts": `["unknown.example.com"]`},
		warnings: []string{"Hosts Not Found In Defender TI: Microsoft Graph has no Defender Threat Intelligence record of 1 of the 2 hosts: " +
			`"unknown.example.com". They are in hosts with empty ports and listed in not_found_host_ids, so the configuration keeps working; ` +
			"check those host ids if you expected ports."},
	}},
	"data-sources/defender_ti_hosts_ports/policy-check.tf": {{
		// Of the sample's hosts only contoso.com has a forbidden port open.
		failedChecks: map[string]string{"check.no_forbidden_ports": "Hosts exposing 23, 445, 3389: contoso.com (3389)."},
		warnings:     []string{"Check block assertion failed: Hosts exposing 23, 445, 3389: contoso.com (3389)."},
	}, {
		name: "a compliant fleet",
		args: []string{`-var=fleet=["www.contoso.com", "8.8.8.8"]`},
	}},
	"data-sources/defender_ti_hosts_ports/firewall-alerts.tf": {{
		outputs: map[string]string{
			"deny_rules": `[
			  {"name": "deny-203.0.113.10-22", "host": "203.0.113.10", "port": 22, "protocol": "tcp"},
			  {"name": "deny-203.0.113.10-8443", "host": "203.0.113.10", "port": 8443, "protocol": "tcp"},
			  {"name": "deny-contoso.com-22", "host": "contoso.com", "port": 22, "protocol": "tcp"},
			  {"name": "deny-contoso.com-3389", "host": "contoso.com", "port": 3389, "protocol": "tcp"}]`,
		},
		check: func(t *testing.T, p *planResult) {
			for _, address := range []string{`terraform_data.alert["203.0.113.10"]`, `terraform_data.alert["contoso.com"]`} {
				if got := p.changes[address]; !reflect.DeepEqual(got, []string{"create"}) {
					t.Errorf("%s plans %v, want [create]", address, got)
				}
			}
			if len(p.changes) != 2 {
				t.Errorf("the plan changes %v, want one alert per host with unexpected ports", p.changes)
			}
		},
	}},
	"data-sources/defender_ti_hosts_ports/from-for-each.tf": {{
		outputs: map[string]string{
			"open_ports_by_host": `{
			  "203.0.113.10": [22, 161, 443, 8443], "contoso.com": [22, 53, 80, 443, 3389], "www.contoso.com": [80, 443]}`,
		},
	}},
	"data-sources/defender_ti_hosts/data-source.tf": {{
		outputs: map[string]string{
			"open_ports":     `{"198.51.100.10": [161], "8.8.8.8": [443], "contoso.com": [22, 53, 80, 443, 3389]}`,
			"classification": `{"198.51.100.10": "malicious", "8.8.8.8": "neutral", "contoso.com": "suspicious"}`,
			// Versions null or "" leave the name alone.
			"components": `{
			  "198.51.100.10": ["Asterisk", "Net-SNMP"], "8.8.8.8": ["nginx 1.18.0", "scaffolding on HTTPServer2"],
			  "contoso.com": ["Apache HTTP Server 2.4.57", "Microsoft IIS 10.0", "OpenSSH 7.4", "jQuery 1.12.4", "nginx 1.18.0"]}`,
			"unknown_hosts": `[]`,
		},
	}, {
		name: "an unknown host",
		args: []string{`-var=fleet=["contoso.com", "unknown.example.com"]`},
		outputs: map[string]string{
			"open_ports":     `{"contoso.com": [22, 53, 80, 443, 3389], "unknown.example.com": []}`,
			"classification": `{"contoso.com": "suspicious", "unknown.example.com": null}`,
			"unknown_hosts":  `["unknown.example.com"]`,
		},
		warnings: []string{"Hosts Not Found In Defender TI: Microsoft Graph has no Defender Threat Intelligence record of 1 of the 2 hosts: " +
			`"unknown.example.com". They are in hosts with empty lists and null records and listed in not_found_host_ids, so the configuration ` +
			"keeps working; check those host ids if you expected data."},
	}},
	"data-sources/defender_ti_hosts/policy-check.tf": {{
		// Every kind of finding, on the sample's hosts, one line each.
		args:         []string{"-var=as_of=" + examplesAsOf},
		failedChecks: map[string]string{"check.exposure_policy": sampleExposureFindings},
		warnings:     []string{"Check block assertion failed: " + sampleExposureFindings},
	}, {
		// Hosts without a denied port, certificate, domain, reputation or
		// component; as_of is the time of the plan.
		name: "a compliant fleet",
		args: []string{`-var=fleet=["empty.example.org", "www.contoso.com"]`},
	}},
	"data-sources/defender_ti_hosts/alerts-firewall.tf": {{
		outputs: map[string]string{
			"firewall_rules": `[
			  {"name": "deny-203.0.113.10", "destination": "203.0.113.10", "ports": ["22/tcp", "8443/tcp"], "action": "deny"},
			  {"name": "deny-contoso.com", "destination": "contoso.com", "ports": ["22/tcp", "3389/tcp"], "action": "deny"},
			  {"name": "block-198.51.100.10", "source": "198.51.100.10", "action": "deny"},
			  {"name": "block-contoso.com", "source": "contoso.com", "action": "deny"}]`,
		},
		check: func(t *testing.T, p *planResult) {
			// 203.0.113.10 has no reputation, so no reputation finding.
			want := []string{
				`terraform_data.alert["198.51.100.10/reputation"]`, `terraform_data.alert["203.0.113.10/port"]`,
				`terraform_data.alert["contoso.com/port"]`, `terraform_data.alert["contoso.com/reputation"]`,
				`terraform_data.block_host["198.51.100.10"]`, `terraform_data.block_host["contoso.com"]`,
				`terraform_data.deny_ports["203.0.113.10"]`, `terraform_data.deny_ports["contoso.com"]`,
			}
			if got := keysOf(p.changes); !reflect.DeepEqual(got, want) {
				t.Errorf("the plan changes %v, want %v", got, want)
			}
			for address, actions := range p.changes {
				if !reflect.DeepEqual(actions, []string{"create"}) {
					t.Errorf("%s plans %v, want [create]", address, actions)
				}
			}
		},
	}, {
		// A fleet meeting the policy plans no alert and no rule.
		name:    "a compliant fleet",
		args:    []string{`-var=fleet=["8.8.8.8", "www.contoso.com"]`},
		outputs: map[string]string{"firewall_rules": `[]`},
		check: func(t *testing.T, p *planResult) {
			if len(p.changes) != 0 {
				t.Errorf("the plan changes %v, want nothing", p.changes)
			}
		},
	}},
	"data-sources/defender_ti_hosts/from-for-each.tf": {{
		outputs: map[string]string{
			"classification": `{"198.51.100.10": "malicious", "8.8.8.8": "neutral", "contoso.com": "suspicious"}`,
			"certificate_expiry": `{
			  "198.51.100.10": {}, "8.8.8.8": {"dns.google": "2023-09-11T08:19:34Z"},
			  "contoso.com": {"contoso.com": "2026-12-20T23:59:59Z", "*.contoso.com": "2027-09-01T00:00:00Z"}}`,
			"domain_expiry": `{"198.51.100.10": null, "8.8.8.8": null, "contoso.com": "2027-01-15T05:00:00Z"}`,
		},
	}},
	"functions/exposure_findings/function.tf": {{
		outputs: map[string]string{
			"findings": `[
			  {"host_id": "198.51.100.10", "kind": "port", "message": "198.51.100.10: port 161/udp is open, which the policy denies"},
			  {"host_id": "198.51.100.10", "kind": "reputation",
			   "message": "198.51.100.10: classified malicious (score 95), worse than the suspicious the policy allows"},
			  {"host_id": "contoso.com", "kind": "component", "message": "contoso.com: OpenSSH 7.4 is seen, which the policy denies (versions < 8.0)"},
			  {"host_id": "contoso.com", "kind": "port", "message": "contoso.com: port 3389/tcp is open, which the policy denies"}]`,
		},
	}},
	"functions/compare_versions/function.tf": {{
		outputs: map[string]string{
			// Apache HTTP Server 2.4.57 is after 2.4.9; Microsoft IIS has no
			// minimum.
			"outdated":    `["OpenSSH 7.4", "jQuery 1.12.4", "nginx 1.18.0"]`,
			"comparisons": `{"8.9p1 vs 8.9": 1, "3.0.0-rc1 vs 3.0.0": -1, "10 vs 10.0": 0}`,
		},
	}},
	"data-sources/defender_ti_host_port/data-source.tf": {{
		outputs: map[string]string{
			"https_certificate": `{"subject": "contoso.com", "expires": "2024-02-01T23:59:59Z"}`,
		},
	}},
	"data-sources/defender_ti_host_ports/certificate-watch.tf": {{
		// contoso.com's certificate on 443 expired in 2024, so it is flagged
		// whatever the date of the plan.
		failedChecks: map[string]string{"check.certificates_not_expiring": expiringContosoCertificate},
		warnings:     []string{"Check block assertion failed: " + expiringContosoCertificate},
	}},
	"data-sources/defender_ti_host_ports/firewall-alerts.tf": {{
		outputs: map[string]string{
			"firewall_rules": `[
			  {"name": "observed-22", "port": 22, "protocol": "tcp", "action": "deny"},
			  {"name": "observed-443", "port": 443, "protocol": "tcp", "action": "allow"},
			  {"name": "observed-8443", "port": 8443, "protocol": "tcp", "action": "deny"}]`,
		},
		check: func(t *testing.T, p *planResult) {
			// The alert file is written at apply; the plan only creates it.
			if got := p.changes["terraform_data.alert_file"]; !reflect.DeepEqual(got, []string{"create"}) {
				t.Errorf("terraform_data.alert_file plans %v, want [create]", got)
			}
		},
	}},
	"data-sources/defender_ti_host_ports/for-each.tf": {{
		outputs: map[string]string{
			"open_ports_by_host": `{
			  "203.0.113.10": [22, 161, 443, 8443], "contoso.com": [22, 53, 80, 443, 3389], "www.contoso.com": [80, 443]}`,
		},
	}},
	"data-sources/defender_ti_host_ports/select.tf": {
		{
			// The sample's generated ports were all last seen before 2024.
			name:    "sample data",
			outputs: map[string]string{"ports_known_to_defender_ti": `250`, "recently_open": `[]`},
		},
		{
			name: "recent ports",
			data: func(t *testing.T) *fakegraph.Dataset {
				return datasetOf(t, map[string]string{fakegraph.SamplePagingHost: `[
				  {"port": 22, "protocol": "tcp", "status": "open", "lastSeenDateTime": "2023-12-31T23:59:59Z"},
				  {"port": 443, "protocol": "tcp", "status": "open", "lastSeenDateTime": "2024-05-01T10:00:00Z"},
				  {"port": 3389, "protocol": "tcp", "status": "open", "lastSeenDateTime": "2025-01-01T00:00:00Z"},
				  {"port": 8443, "protocol": "tcp", "status": "closed", "lastSeenDateTime": "2024-05-01T10:00:00Z"}
				]`})
			},
			outputs: map[string]string{"ports_known_to_defender_ti": `4`, "recently_open": `[443, 3389]`},
		},
	},
	"data-sources/defender_ti_host_ports/policy-check.tf": {
		{
			// The sample contoso.com runs OpenSSH 8.9p1, on the snippet's list:
			// the postcondition stops the plan, while the check block, which
			// only warns, flags RDP on 3389 (445 is filtered, so not flagged).
			// The sample's empty component versions must not break the
			// condition.
			name:     "sample data",
			errors:   []string{"Resource postcondition failed: A service on contoso.com runs a version with known critical vulnerabilities."},
			warnings: []string{"Check block assertion failed: contoso.com exposes 3389 (RDP)."},
		},
		{
			// The same host with OpenSSH upgraded: the postcondition passes (the
			// empty versions and a service without a component are not
			// vulnerable), the plan goes on, and the check still flags 3389.
			name:         "patched host",
			data:         patchedContoso,
			failedChecks: map[string]string{"check.no_forbidden_ports": "contoso.com exposes 3389 (RDP)."},
			warnings:     []string{"Check block assertion failed: contoso.com exposes 3389 (RDP)."},
			check: func(t *testing.T, p *planResult) {
				if got := p.checks["data.defender_ti_host_ports.strict"].status; got != "pass" {
					t.Errorf("the postcondition's status is %q, want pass", got)
				}
			},
		},
	},
	"data-sources/defender_ti_host/data-source.tf": {{
		outputs: map[string]string{
			"kind":      `"ip_address"`,
			"network":   `{"autonomous_system": "AS15169", "organization": "Google LLC", "netblock": "8.8.8.0/24", "country_or_region": "US"}`,
			"last_seen": `"2026-12-05T23:59:00Z"`,
		},
	}},
	"data-sources/defender_ti_host/domain.tf": {{
		outputs: map[string]string{
			"registration": `{"kind": "hostname", "registrar": "MarkMonitor Inc.", "registrant": "Contoso Ltd.", "first_seen": "2016-05-01T12:00:00Z"}`,
		},
	}},
	"data-sources/defender_ti_host_reputation/data-source.tf": {{
		outputs: map[string]string{
			"classification":      `"suspicious"`,
			"score":               `62`,
			"high_severity_rules": `["Phishing kit observed"]`,
		},
	}},
	"data-sources/defender_ti_host_reputation/postcondition.tf": {
		{
			// 8.8.8.8 is neutral.
			outputs: map[string]string{"classification": `"neutral"`},
		},
		{
			name: "a suspicious host",
			args: []string{"-var=host_id=contoso.com"},
			errors: []string{"Resource postcondition failed: Defender TI classifies contoso.com as suspicious (score 62): " +
				"Subdomain on a bulletproof host; Phishing kit observed."},
		},
		{
			name:   "a malicious host",
			args:   []string{"-var=host_id=198.51.100.10"},
			errors: []string{"Resource postcondition failed: Defender TI classifies 198.51.100.10 as malicious (score 95): Command and control."},
		},
		{
			// No reputation: null attributes and a warning; the postcondition,
			// message included, holds.
			name:     "a host without a reputation",
			args:     []string{"-var=host_id=empty.example.org"},
			outputs:  map[string]string{"classification": `null`},
			warnings: []string{entityNotFoundWarning("Host Reputation", "the reputation", "empty.example.org", "hostReputation")},
		},
	},
	"data-sources/defender_ti_host_ssl_certificates/data-source.tf": {{
		outputs: map[string]string{
			"certificates": `[
			  {"subject": "contoso.com", "issuer": "Contoso Issuing CA 02", "expires": "2026-12-20T23:59:59Z", "ports": [443, 8443]},
			  {"subject": "*.contoso.com", "issuer": "Contoso Issuing CA 02", "expires": "2027-09-01T00:00:00Z", "ports": [443]}]`,
		},
	}},
	"data-sources/defender_ti_host_ssl_certificates/expiry-check.tf": {
		{
			// 2026-12-20 is within 30 days of as_of, 2027-09-01 is not.
			name:         "as_of",
			args:         []string{"-var=as_of=" + examplesAsOf},
			failedChecks: map[string]string{"check.certificates_not_expiring": expiringContosoCertificates},
			warnings:     []string{"Check block assertion failed: " + expiringContosoCertificates},
		},
		{
			name: "a shorter warning",
			args: []string{"-var=as_of=" + examplesAsOf, "-var=warning_days=7"},
		},
		{
			// An expired certificate is flagged too.
			name:         "an expired certificate",
			args:         []string{"-var=as_of=" + examplesAsOf, "-var=host_id=8.8.8.8"},
			failedChecks: map[string]string{"check.certificates_not_expiring": expired8888Certificate},
			warnings:     []string{"Check block assertion failed: " + expired8888Certificate},
		},
		{
			// An unknown host: no certificate, so the check passes, and one
			// warning.
			name:     "an unknown host",
			args:     []string{"-var=as_of=" + examplesAsOf, "-var=host_id=unknown.example.com"},
			warnings: []string{listNotFoundWarning("unknown.example.com", "ssl_certificates", "the certificates")},
		},
	},
	"data-sources/defender_ti_host_components/data-source.tf": {{
		outputs: map[string]string{
			"components":    `["Apache HTTP Server 2.4.57", "Microsoft IIS 10.0", "OpenSSH 7.4", "jQuery 1.12.4", "nginx 1.18.0"]`,
			"remote_access": `["OpenSSH"]`,
		},
	}},
	"data-sources/defender_ti_host_components/inventory.tf": {
		{
			// Versions null or "" are left out of the lists; the check does
			// not depend on the date.
			outputs: map[string]string{
				"versions_by_component": `{
				  "Apache HTTP Server": ["2.4.57"], "Asterisk": [], "Microsoft IIS": ["10.0"], "Net-SNMP": [], "OpenSSH": ["7.4"],
				  "jQuery": ["1.12.4"], "nginx": ["1.18.0"], "scaffolding on HTTPServer2": []}`,
				"hosts_by_component": `{
				  "Apache HTTP Server": ["contoso.com"], "Asterisk": ["198.51.100.10"], "Microsoft IIS": ["contoso.com"],
				  "Net-SNMP": ["198.51.100.10"], "OpenSSH": ["contoso.com"], "jQuery": ["contoso.com"],
				  "nginx": ["8.8.8.8", "contoso.com"], "scaffolding on HTTPServer2": ["8.8.8.8"]}`,
			},
			failedChecks: map[string]string{"check.no_retired_components": retiredContosoComponents},
			warnings:     []string{"Check block assertion failed: " + retiredContosoComponents},
		},
		{
			name: "no retired component",
			args: []string{`-var=hosts=["8.8.8.8", "198.51.100.10"]`},
			outputs: map[string]string{
				"versions_by_component": `{"Asterisk": [], "Net-SNMP": [], "nginx": ["1.18.0"], "scaffolding on HTTPServer2": []}`,
			},
		},
	},
	"data-sources/defender_ti_host_whois/data-source.tf": {{
		outputs: map[string]string{
			"registrar":    `"MarkMonitor Inc."`,
			"expires":      `"2027-01-15T05:00:00Z"`,
			"name_servers": `["ns1.contoso.com", "ns2.contoso.com"]`,
		},
	}},
	"data-sources/defender_ti_host_whois/expiry-check.tf": {
		{
			// 2027-01-15 is within 60 days of as_of.
			name:         "as_of",
			args:         []string{"-var=as_of=" + examplesAsOf},
			outputs:      map[string]string{"without_whois": `[]`},
			failedChecks: map[string]string{"check.domains_not_expiring": expiringContosoDomain},
			warnings:     []string{"Check block assertion failed: " + expiringContosoDomain},
		},
		{
			name: "a shorter window",
			args: []string{"-var=as_of=" + examplesAsOf, "-var=renewal_days=30"},
		},
		{
			// 8.8.8.8 has no WHOIS record: a warning, a null expiry, listed
			// apart and not judged.
			name:         "a host without WHOIS",
			args:         []string{"-var=as_of=" + examplesAsOf, `-var=domains=["contoso.com", "8.8.8.8"]`},
			outputs:      map[string]string{"without_whois": `["8.8.8.8"]`},
			failedChecks: map[string]string{"check.domains_not_expiring": expiringContosoDomain},
			warnings: []string{
				entityNotFoundWarning("Host WHOIS Record", "the WHOIS record", "8.8.8.8", "whoisRecord"),
				"Check block assertion failed: " + expiringContosoDomain,
			},
		},
	},
	"data-sources/defender_ti_host_subdomains/data-source.tf": {{
		outputs: map[string]string{
			"subdomains":     `["mail.contoso.com", "vpn.contoso.com", "www.contoso.com"]`,
			"new_subdomains": `["vpn.contoso.com"]`,
		},
	}},
	"data-sources/defender_ti_host_passive_dns/data-source.tf": {{
		outputs: map[string]string{
			"resolutions":         `{"A": ["203.0.113.80"], "AAAA": ["2001:db8::80"], "MX": ["mail.contoso.com"]}`,
			"names_pointing_here": `["shop.fabrikam.com (CNAME)"]`,
		},
	}},
	"provider/provider.tf": {{
		// The snippet configures the provider only; a read through it proves
		// its settings reach Graph. Its tenant and client ids are registered
		// with the emulator, and only the secret comes from the environment,
		// as the snippet's comment says.
		files: map[string]string{"read.tf": `
data "defender_ti_host_ports" "through_this_provider" {
  host_id = "8.8.8.8"
}

output "open_ports" {
  value = data.defender_ti_host_ports.through_this_provider.open_ports
}
`},
		env: func(e *examplesEmulator) []string {
			e.server.AddClientSecret("00000000-0000-0000-0000-000000000000", "11111111-1111-1111-1111-111111111111", "provider-example-secret")
			return []string{
				"ARM_CLIENT_SECRET=provider-example-secret",
				"ARM_GRAPH_ENDPOINT=" + e.server.URL(), "ARM_AUTHORITY_HOST=" + e.server.URL(),
				"ARM_DISABLE_INSTANCE_DISCOVERY=true", "SSL_CERT_FILE=" + e.caFile,
				"ARM_TENANT_ID=", "ARM_CLIENT_ID=",
			}
		},
		outputs: map[string]string{"open_ports": `[443]`},
	}},
	"demo": {
		{
			name: "default hosts",
			outputs: map[string]string{
				"open_ports": `{
				  "198.51.100.10": [161], "8.8.8.8": [443], "contoso.com": [22, 53, 80, 443, 3389], "empty.example.org": []}`,
				"risky_open_ports": `{"contoso.com": [3389]}`,
				"services": `{
				  "198.51.100.10": {"161/udp": []},
				  "8.8.8.8": {"443/tcp": ["scaffolding on HTTPServer2", "nginx 1.18.0"]},
				  "contoso.com": {
				    "22/tcp": ["OpenSSH 8.9p1", "Ubuntu 22.04"], "53/udp": [], "80/tcp": ["Microsoft IIS 10.0"],
				    "443/tcp": ["Microsoft IIS 10.0", "ASP.NET"], "3389/tcp": ["Remote Desktop Protocol", "Windows Server 2019"]},
				  "empty.example.org": {}}`,
			},
		},
		{
			// Hosts of one's own, chosen with TF_VAR_hosts as on a real tenant,
			// whose services lack a component or a version.
			name:     "TF_VAR_hosts",
			extraEnv: []string{`TF_VAR_hosts=["www.contoso.com", "203.0.113.10"]`},
			outputs: map[string]string{
				"open_ports":       `{"www.contoso.com": [80, 443], "203.0.113.10": [22, 161, 443, 8443]}`,
				"risky_open_ports": `{}`,
				"services": `{
				  "www.contoso.com": {"80/tcp": [], "443/tcp": ["nginx", "ASP.NET"]},
				  "203.0.113.10": {"22/tcp": [], "161/udp": [], "443/tcp": [], "8443/tcp": []}}`,
			},
		},
	},
}

// expiringContosoCertificate is certificate-watch.tf's message for the
// sample's contoso.com.
const expiringContosoCertificate = `Certificates expiring within 30 days: {"443/tcp":{"expires":"2024-02-01T23:59:59Z","subject":"contoso.com"}}`

// examplesAsOf is the time the expiry checks are planned at, so that
// their outcome does not depend on the clock: the sample data's today.
const examplesAsOf = "2026-12-06T00:00:00Z"

// The messages of the expiry and inventory checks on the sample data.
const (
	expiringContosoCertificates = "Certificates on contoso.com expiring within 30 days of 2026-12-06T00:00:00Z: " +
		"contoso.com (expires 2026-12-20T23:59:59Z, ports 443, 8443)."
	expired8888Certificate = "Certificates on 8.8.8.8 expiring within 30 days of 2026-12-06T00:00:00Z: " +
		"dns.google (expires 2023-09-11T08:19:34Z, ports 443)."
	expiringContosoDomain    = "Domains expiring within 60 days of 2026-12-06T00:00:00Z: contoso.com (2027-01-15T05:00:00Z)."
	retiredContosoComponents = "Retired components: OpenSSH 7.4 on contoso.com (last seen 2019-06-30T00:00:00Z); " +
		"jQuery 1.12.4 on contoso.com (last seen 2026-12-05T22:10:00Z)."
)

// sampleExposureFindings is policy-check.tf's message on the sample's
// hosts at examplesAsOf: one finding a line, sorted by host, kind and
// message.
const sampleExposureFindings = "198.51.100.10: port 161/udp is open, which the policy denies\n" +
	"198.51.100.10: classified malicious (score 95), worse than the neutral the policy allows\n" +
	"8.8.8.8: the certificate for dns.google (seen on port 443) expired 2023-09-11T08:19:34Z, within 30 days of 2026-12-06T00:00:00Z\n" +
	"contoso.com: the certificate for contoso.com (seen on port 443, 8443) expires 2026-12-20T23:59:59Z, within 30 days of 2026-12-06T00:00:00Z\n" +
	"contoso.com: OpenSSH 7.4 is seen, which the policy denies (versions < 8.0)\n" +
	"contoso.com: jQuery 1.12.4 is seen, which the policy denies (versions < 3.5.0)\n" +
	"contoso.com: the domain registration expires 2027-01-15T05:00:00Z, within 60 days of 2026-12-06T00:00:00Z\n" +
	"contoso.com: port 3389/tcp is open, which the policy denies\n" +
	"contoso.com: classified suspicious (score 62), worse than the neutral the policy allows"

// entityNotFoundWarning is the warning of a data source reading one entity
// under a host (title, what) when Graph holds none of type for the host.
func entityNotFoundWarning(title, what, host, graphType string) string {
	return title + " Not Found In Defender TI: Microsoft Graph has no Defender Threat Intelligence record of " + what +
		` of host "` + host + `" (HTTP 404 Not Found, Graph error code "itemNotFound": The host '` + host + "' has no " + graphType +
		". (request-id: ...)): Defender TI does not know the host, or holds no such record for it. The data source's attributes are " +
		"null instead of failing, so configurations iterating over many hosts keep working; check the host id if you expected a record."
}

// listNotFoundWarning is the warning of a data source listing a collection
// under a host (list, what) that Defender TI does not know.
func listNotFoundWarning(host, list, what string) string {
	return `Host Not Found In Defender TI: Microsoft Graph has no Defender Threat Intelligence record of host "` + host +
		`" (HTTP 404 Not Found, Graph error code "itemNotFound": The host '` + host + "' was not found. (request-id: ...)). " +
		"The data source returns an empty " + list + " list instead of failing, so configurations iterating over many hosts keep working; " +
		"check the host id if you expected " + what + "."
}

// TestExamples plans every example the documentation shows, and the demo,
// with the provider built from this tree against the emulator, under the
// binary in TF_ACC_TERRAFORM_PATH; each must be `fmt` clean too.
func TestExamples(t *testing.T) {
	binary := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if binary == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH names no terraform or tofu binary; `make test` builds and sets one")
	}
	// The subtests run in parallel, after this function returns; some fifty
	// plans under the race detector on two cores take minutes.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Minute)
	t.Cleanup(cancel)
	cliConfig := buildProviderForExamples(ctx, t)
	shared := startExamplesEmulator(t, examplesDataset(t))
	functions, version := providerFunctionsSupport(ctx, t, tfcli.Runner{Binary: binary, Dir: t.TempDir(), CLIConfig: cliConfig})

	examples := exampleFiles(t)
	seen := map[string]bool{}
	for _, example := range examples {
		key := exampleKey(example)
		seen[key] = true
		cases := exampleCases[key]
		if len(cases) == 0 {
			cases = []exampleCase{{}}
		}
		callsFunctions := exampleCallsFunctions(t, example)
		for _, c := range cases {
			name := key
			if c.name != "" {
				name += "/" + c.name
			}
			t.Run(name, func(t *testing.T) {
				if callsFunctions && !functions {
					t.Skipf("%s calls provider functions, which %s cannot parse: they need Terraform 1.8 or OpenTofu 1.7 or later", key, version)
				}
				t.Parallel()
				dir := t.TempDir()
				copyExample(t, example, dir)
				for file, content := range c.files {
					writeFile(t, filepath.Join(dir, file), content)
				}
				emulator := shared
				if c.data != nil {
					emulator = startExamplesEmulator(t, c.data(t))
				}
				env := emulator.server.ProviderEnvironment(emulator.caFile)
				if c.env != nil {
					env = c.env(emulator)
				}
				runner := tfcli.Runner{Binary: binary, Dir: dir, CLIConfig: cliConfig, Env: append(env, c.extraEnv...)}
				if _, err := runner.Run(ctx, "fmt", "-check", "-diff", "-no-color"); err != nil {
					t.Errorf("not fmt clean: %v", err)
				}
				p := planExample(ctx, t, runner, c.args...)
				p.assertDiagnostics(t, "error", c.errors)
				p.assertDiagnostics(t, "warning", c.warnings)
				if len(c.errors) > 0 {
					if !p.failed {
						t.Error("the plan succeeded, want it to fail")
					}
					return
				}
				p.assertPlanned(t)
				p.assertChecks(t, c.failedChecks)
				for name, want := range c.outputs {
					p.assertOutput(t, name, want)
				}
				if c.check != nil {
					c.check(t, p)
				}
			})
		}
	}
	for key := range exampleCases {
		if !seen[key] {
			t.Errorf("exampleCases names %s, which is no example file any more", key)
		}
	}

	// Every data source the provider serves has the example its docs page
	// shows, so the loop above planned it.
	t.Run("every data source has an example", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "versions.tf"), requiredProviders)
		runner := tfcli.Runner{Binary: binary, Dir: dir, CLIConfig: cliConfig}
		result, err := runner.Run(ctx, "providers", "schema", "-json")
		if err != nil {
			t.Fatal(err)
		}
		var schemas struct {
			ProviderSchemas map[string]struct {
				DataSourceSchemas map[string]json.RawMessage `json:"data_source_schemas"`
				Functions         map[string]json.RawMessage `json:"functions"`
			} `json:"provider_schemas"`
		}
		if err := json.Unmarshal([]byte(result.Stdout), &schemas); err != nil {
			t.Fatal(err)
		}
		var names, functionNames []string
		for address, s := range schemas.ProviderSchemas {
			if strings.HasSuffix(address, "/defender-ti/defender") {
				for name := range s.DataSourceSchemas {
					names = append(names, name)
				}
				for name := range s.Functions {
					functionNames = append(functionNames, name)
				}
			}
		}
		if len(names) == 0 {
			t.Fatalf("the provider's schema lists no data source: %s", result.Stdout)
		}
		for _, name := range names {
			key := "data-sources/" + name + "/data-source.tf"
			if !seen[key] {
				t.Errorf("data source %s has no example examples/%s", name, key)
			}
		}
		// Likewise every provider function has the example its docs page
		// shows; binaries without functions list none.
		if functions && len(functionNames) == 0 {
			t.Errorf("the provider's schema under %s lists no function", version)
		}
		for _, name := range functionNames {
			key := "functions/" + name + "/function.tf"
			if !seen[key] {
				t.Errorf("function %s has no example examples/%s", name, key)
			}
		}
	})
}

// providerFunctionsSupport tells whether the binary calls provider
// functions, which arrived in Terraform 1.8 and OpenTofu 1.7; older binaries
// cannot even parse `provider::` in a configuration. version names the
// binary and its version, as `version` prints them.
func providerFunctionsSupport(ctx context.Context, t *testing.T, runner tfcli.Runner) (supported bool, version string) {
	t.Helper()
	result, err := runner.Run(ctx, "version")
	if err != nil {
		t.Fatal(err)
	}
	match := binaryVersion.FindStringSubmatch(result.Stdout)
	if match == nil {
		t.Fatalf("%s version printed no Terraform or OpenTofu version: %q", runner.Binary, result.Stdout)
	}
	minimum := map[string][2]int{"Terraform": {1, 8}, "OpenTofu": {1, 7}}[match[1]]
	major, _ := strconv.Atoi(match[2])
	minor, _ := strconv.Atoi(match[3])
	supported = major > minimum[0] || (major == minimum[0] && minor >= minimum[1])
	return supported, match[1] + " " + match[2] + "." + match[3] + "." + match[4]
}

// binaryVersion matches the first line of `terraform version` and `tofu
// version`, such as "Terraform v1.5.7" or "OpenTofu v1.12.6".
var binaryVersion = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\d+)\.(\d+)\.(\d+)`)

// exampleCallsFunctions tells whether an example, or any file of the demo,
// calls a provider function.
func exampleCallsFunctions(t *testing.T, example string) bool {
	t.Helper()
	files := []string{example}
	if exampleKey(example) == "demo" {
		var err error
		if files, err = filepath.Glob(filepath.Join(example, "*.tf")); err != nil {
			t.Fatal(err)
		}
	}
	for _, file := range files {
		content, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(content), "provider::") {
			return true
		}
	}
	return false
}

// exampleFiles globs every documentation snippet, and the demo's directory.
func exampleFiles(t *testing.T) []string {
	t.Helper()
	var examples []string
	for _, pattern := range []string{"../../examples/*/*/*.tf", "../../examples/provider/*.tf"} {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		examples = append(examples, matches...)
	}
	if len(examples) < 7 {
		t.Fatalf("found only %d example files; the glob is wrong", len(examples))
	}
	return append(examples, "../../examples/demo")
}

func exampleKey(example string) string {
	return filepath.ToSlash(strings.TrimPrefix(example, "../../examples/"))
}

// copyExample puts a snippet, with the required_providers it leaves out, or
// the demo's whole configuration into dir.
func copyExample(t *testing.T, example, dir string) {
	t.Helper()
	if exampleKey(example) == "demo" {
		files, err := filepath.Glob(filepath.Join(example, "*.tf"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no configuration in %s: %v", example, err)
		}
		for _, file := range files {
			content, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, filepath.Base(file)), string(content))
		}
		return
	}
	content, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "example.tf"), string(content))
	writeFile(t, filepath.Join(dir, "versions.tf"), requiredProviders)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// buildProviderForExamples builds the provider and returns a CLI
// configuration serving it through dev_overrides.
func buildProviderForExamples(ctx context.Context, t *testing.T) string {
	t.Helper()
	providerDir := t.TempDir()
	if _, err := tfcli.BuildProvider(ctx, "../..", providerDir); err != nil {
		t.Fatal(err)
	}
	cliConfig := filepath.Join(t.TempDir(), "cli.tfrc")
	if err := tfcli.WriteCLIConfig(cliConfig, providerDir); err != nil {
		t.Fatal(err)
	}
	return cliConfig
}

type examplesEmulator struct {
	server *fakegraph.Server
	caFile string
}

func startExamplesEmulator(t *testing.T, data *fakegraph.Dataset) *examplesEmulator {
	t.Helper()
	server := fakegraphtest.Start(t, fakegraph.Config{Data: data})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	writeFile(t, caFile, string(server.CAPEM()))
	return &examplesEmulator{server: server, caFile: caFile}
}

// examplesDataset is the sample data plus exampleHosts.
func examplesDataset(t *testing.T) *fakegraph.Dataset {
	t.Helper()
	data := fakegraph.SampleData()
	addHosts(t, data, exampleHosts)
	return data
}

// datasetOf serves only the given hosts, each a JSON array of hostPorts.
func datasetOf(t *testing.T, hosts map[string]string) *fakegraph.Dataset {
	t.Helper()
	data := fakegraph.NewDataset()
	addHosts(t, data, hosts)
	return data
}

func addHosts(t *testing.T, data *fakegraph.Dataset, hosts map[string]string) {
	t.Helper()
	for host, ports := range hosts {
		var raw []json.RawMessage
		if err := json.Unmarshal([]byte(ports), &raw); err != nil {
			t.Fatalf("ports of %s: %v", host, err)
		}
		if err := data.AddHost(host, raw); err != nil {
			t.Fatal(err)
		}
	}
}

// patchedContoso is the sample's contoso.com with OpenSSH 9.8p1 instead of
// 8.9p1, and a service without a component on port 53.
func patchedContoso(t *testing.T) *fakegraph.Dataset {
	t.Helper()
	sample := fakegraph.SampleData()
	var ports []json.RawMessage
	patched := 0
	for _, id := range sample.PortIDs("contoso.com") {
		raw, ok := sample.HostPortJSON(id)
		if !ok {
			t.Fatalf("sample port %s not found", id)
		}
		var port map[string]any
		if err := json.Unmarshal(raw, &port); err != nil {
			t.Fatal(err)
		}
		services, _ := port["services"].([]any)
		for _, s := range services {
			service, _ := s.(map[string]any)
			component, _ := service["component"].(map[string]any)
			if component["name"] == "OpenSSH" && component["version"] == "8.9p1" {
				component["version"], component["id"] = "9.8p1", "openssh-9.8p1"
				patched++
			}
		}
		if port["port"] == float64(53) {
			port["services"] = append(services, map[string]any{"isRecent": true})
		}
		b, err := json.Marshal(port)
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, b)
	}
	if patched != 1 {
		t.Fatalf("patched %d OpenSSH 8.9p1 services on the sample contoso.com, want 1", patched)
	}
	data := fakegraph.NewDataset()
	if err := data.AddHost("contoso.com", ports); err != nil {
		t.Fatal(err)
	}
	return data
}

// planResult is what `plan -json` reported and `show -json` found in the
// saved plan.
type planResult struct {
	failed      bool
	diagnostics []diagnostic
	outputs     map[string]json.RawMessage
	// checks maps a checkable object's address to its status and problems.
	checks map[string]checkResult
	// read lists the data sources read during the plan; deferred those left
	// for apply; changes maps each resource change's address to its actions.
	read, deferred []string
	changes        map[string][]string
}

type diagnostic struct {
	Severity, Summary, Detail string
}

func (d diagnostic) String() string { return d.Severity + ": " + d.Summary + ": " + d.Detail }

type checkResult struct {
	status   string
	problems []string
}

// planExample plans in the runner's directory and reads back the plan.
func planExample(ctx context.Context, t *testing.T, runner tfcli.Runner, args ...string) *planResult {
	t.Helper()
	p := &planResult{outputs: map[string]json.RawMessage{}, checks: map[string]checkResult{}, changes: map[string][]string{}}
	result, err := runner.Run(ctx, append([]string{"plan", "-json", "-input=false", "-no-color", "-out=tfplan"}, args...)...)
	p.failed = err != nil
	lines := bufio.NewScanner(strings.NewReader(result.Stdout))
	lines.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for lines.Scan() {
		var message struct {
			Type       string
			Diagnostic diagnostic
		}
		if json.Unmarshal(lines.Bytes(), &message) == nil && message.Type == "diagnostic" {
			// Development overrides are how these tests install the provider.
			if message.Diagnostic.Summary != "Provider development overrides are in effect" {
				p.diagnostics = append(p.diagnostics, message.Diagnostic)
			}
		}
	}
	if p.failed {
		if len(p.diagnostics) == 0 {
			t.Fatalf("plan failed without a diagnostic: %v", err)
		}
		return p
	}
	shown, err := runner.Run(ctx, "show", "-json", "-no-color", "tfplan")
	if err != nil {
		t.Fatal(err)
	}
	var plan struct {
		PlannedValues struct {
			Outputs map[string]struct {
				Value json.RawMessage
			}
		} `json:"planned_values"`
		PriorState struct {
			Values struct {
				RootModule struct {
					Resources []struct{ Address, Mode string }
				} `json:"root_module"`
			}
		} `json:"prior_state"`
		ResourceChanges []struct {
			Address, Mode string
			ActionReason  string `json:"action_reason"`
			Change        struct{ Actions []string }
		} `json:"resource_changes"`
		Checks []struct {
			Address struct {
				ToDisplay string `json:"to_display"`
			}
			Status    string
			Instances []struct {
				Problems []struct{ Message string }
			}
		}
	}
	if err := json.Unmarshal([]byte(shown.Stdout), &plan); err != nil {
		t.Fatalf("reading the plan: %v", err)
	}
	for name, output := range plan.PlannedValues.Outputs {
		p.outputs[name] = output.Value
	}
	for _, r := range plan.PriorState.Values.RootModule.Resources {
		if r.Mode == "data" {
			p.read = append(p.read, r.Address)
		}
	}
	for _, r := range plan.ResourceChanges {
		if r.Mode == "data" {
			// A data source scoped to a check block is read during the plan,
			// for the check, and planned to be read again at apply.
			if r.ActionReason != "read_because_check_nested" {
				p.deferred = append(p.deferred, r.Address)
			}
			continue
		}
		p.changes[r.Address] = r.Change.Actions
	}
	for _, c := range plan.Checks {
		result := checkResult{status: c.Status}
		for _, instance := range c.Instances {
			for _, problem := range instance.Problems {
				result.problems = append(result.problems, problem.Message)
			}
		}
		p.checks[c.Address.ToDisplay] = result
	}
	return p
}

// assertPlanned is what every example must do: plan without an error and
// read its data sources during the plan.
func (p *planResult) assertPlanned(t *testing.T) {
	t.Helper()
	if p.failed {
		t.Fatalf("plan failed: %v", p.diagnostics)
	}
	if len(p.read) == 0 {
		t.Error("the plan read no data source")
	}
	if len(p.deferred) > 0 {
		t.Errorf("data sources left for apply, not read during the plan: %v", p.deferred)
	}
}

// assertOutput compares an output's planned value with want, as JSON.
func (p *planResult) assertOutput(t *testing.T, name, want string) {
	t.Helper()
	raw, ok := p.outputs[name]
	if !ok {
		t.Errorf("output %s is not in the plan (outputs: %v)", name, keysOf(p.outputs))
		return
	}
	var got, wanted any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("output %s: %v", name, err)
	}
	if err := json.Unmarshal([]byte(want), &wanted); err != nil {
		t.Fatalf("expected value of %s: %v", name, err)
	}
	if !reflect.DeepEqual(got, wanted) {
		t.Errorf("output %s = %s\nwant %s", name, raw, compactJSON(want))
	}
}

// assertChecks requires every check, precondition and postcondition in the
// plan to pass, except those in failed, which must fail with their one
// problem.
func (p *planResult) assertChecks(t *testing.T, failed map[string]string) {
	t.Helper()
	for address, problem := range failed {
		got, ok := p.checks[address]
		if !ok {
			t.Errorf("the plan has no check result for %s (has %v)", address, keysOf(p.checks))
			continue
		}
		if got.status != "fail" || !reflect.DeepEqual(got.problems, []string{problem}) {
			t.Errorf("%s: status %q, problems %q; want it to fail with %q", address, got.status, got.problems, problem)
		}
	}
	for address, got := range p.checks {
		if _, expected := failed[address]; !expected && got.status != "pass" {
			t.Errorf("%s: status %q, problems %q; want pass", address, got.status, got.problems)
		}
	}
}

// graphRequestIDs matches the ids and date Graph gives each response, as a
// diagnostic quotes them, which change with every plan.
var graphRequestIDs = regexp.MustCompile(`\(request-id: [^()]*\)`)

// assertDiagnostics compares the diagnostics of one severity, as
// "summary: detail", with want (none when want is empty), in any order: a
// data source's warning and a check block's come in the order the plan's
// concurrent walk reaches them. Graph's request-id, client-request-id and
// date read "(request-id: ...)".
func (p *planResult) assertDiagnostics(t *testing.T, severity string, want []string) {
	t.Helper()
	var got []string
	for _, d := range p.diagnostics {
		if d.Severity == severity {
			got = append(got, graphRequestIDs.ReplaceAllString(d.Summary+": "+d.Detail, "(request-id: ...)"))
		}
	}
	want = slices.Sorted(slices.Values(want))
	slices.Sort(got)
	if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
		t.Errorf("%s diagnostics:\n%q\nwant\n%q", severity, got, want)
	}
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func compactJSON(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
