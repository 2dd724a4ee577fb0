package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// Provider functions arrived in Terraform 1.8 (OpenTofu 1.7): under older
// binaries these tests skip, and everything else runs.
var functionsSupported = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

func TestCompareVersionsFunction(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   functionsSupported,
		ProtoV6ProviderFactories: (&emulatorEnv{}).offlineFactories(),
		Steps: []resource.TestStep{{
			Config: `
output "results" {
  value = [
    provider::defender::compare_versions("1.18.0", "1.18.0"),
    provider::defender::compare_versions("8.9p1", "8.9"),
    provider::defender::compare_versions("2.4.9", "2.4.57"),
    provider::defender::compare_versions("10", "10.0"),
    provider::defender::compare_versions("3.0.0-rc1", "3.0.0"),
  ]
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("results", knownvalue.ListExact([]knownvalue.Check{
					i64(0), i64(1), i64(-1), i64(0), i64(-1),
				})),
			},
		}},
	})
}

// The findings of a fleet read against a policy, end to end: the emulator's
// sample hosts read by defender_ti_hosts, the policy in one object, the
// time passed in.
func TestExposureFindingsFunction(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   functionsSupported,
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_hosts" "fleet" {
  host_ids = ["8.8.8.8", "contoso.com", "198.51.100.10"]
  include  = ["ports", "reputation", "ssl_certificates", "components", "whois"]
}

locals {
  findings = provider::defender::exposure_findings(data.defender_ti_hosts.fleet.hosts, {
    as_of                = "2026-12-06T00:00:00Z"
    denied_ports         = [3389, "53/udp"]
    min_certificate_days = 30
    min_domain_days      = 60
    max_reputation       = "neutral"
    denied_components    = [{ name = "OpenSSH", versions = "< 8.0" }]
  })
}

output "messages" {
  value = local.findings[*].message
}

output "kinds" {
  value = distinct(local.findings[*].kind)
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("messages", knownvalue.ListExact([]knownvalue.Check{
					is("198.51.100.10: classified malicious (score 95), worse than the neutral the policy allows"),
					is("8.8.8.8: the certificate for dns.google (seen on port 443) expired 2023-09-11T08:19:34Z, within 30 days of 2026-12-06T00:00:00Z"),
					is("contoso.com: the certificate for contoso.com (seen on port 443, 8443) expires 2026-12-20T23:59:59Z, within 30 days of 2026-12-06T00:00:00Z"),
					is("contoso.com: OpenSSH 7.4 is seen, which the policy denies (versions < 8.0)"),
					is("contoso.com: the domain registration expires 2027-01-15T05:00:00Z, within 60 days of 2026-12-06T00:00:00Z"),
					is("contoso.com: port 3389/tcp is open, which the policy denies"),
					is("contoso.com: port 53/udp is open, which the policy denies"),
					is("contoso.com: classified suspicious (score 62), worse than the neutral the policy allows"),
				})),
			},
		}},
	})
}

// A policy with a key the function does not know, or a value of the wrong
// type, fails the plan with an error naming the key.
func TestExposureFindingsRefusesABadPolicy(t *testing.T) {
	for _, tc := range []struct{ policy, message string }{
		{`{ denied_port = [22] }`, `Invalid policy key "denied_port": not a policy key`},
		{`{ min_certificate_days = "thirty", as_of = "2026-12-06T00:00:00Z" }`, `Invalid policy key "min_certificate_days": want a number of days from 0 to 36500, got the string "thirty"`},
		{`{ denied_components = [{ name = "OpenSSH", versions = "~> 8" }] }`, `Invalid policy key "denied_components\[0\]\.versions"`},
	} {
		resource.UnitTest(t, resource.TestCase{
			TerraformVersionChecks:   functionsSupported,
			ProtoV6ProviderFactories: (&emulatorEnv{}).offlineFactories(),
			Steps: []resource.TestStep{{
				Config: `output "f" { value = provider::defender::exposure_findings({}, ` + tc.policy + `) }`,
				// Terraform wraps the message: any space may be a line break.
				ExpectError: regexp.MustCompile(strings.ReplaceAll(tc.message, " ", `\s+`)),
			}},
		})
	}
}
