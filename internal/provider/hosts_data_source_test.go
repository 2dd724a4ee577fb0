package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// Options of the ports without ports in include would be ignored: the plan
// says so, on the option, before any request; an include known only at
// apply is not judged.
func TestHostsPortsOptionWithoutPorts(t *testing.T) {
	values := map[string]string{
		"top": "5", "skip": "1", "select": `["port"]`, "expand_most_recent_ssl_certificate": "true",
		"include_count": "true", "filter": `{ status = ["open"] }`,
	}
	env := newEmulatorEnv(t, fakegraph.Config{})
	var steps []resource.TestStep
	for _, option := range portsOptions {
		steps = append(steps, resource.TestStep{
			Config: env.providerBlock() + fmt.Sprintf(`
data "defender_ti_hosts" "test" {
  host_ids = ["contoso.com"]
  include  = ["reputation"]
  %s = %s
}`, option, values[option]),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Ports Option Without Ports.*` + option + ` applies to the ports of each host`),
		})
	}
	steps = append(steps, resource.TestStep{
		Config: env.providerBlock() + `
resource "terraform_data" "kind" {
  input = "ports"
}
data "defender_ti_hosts" "test" {
  host_ids = ["contoso.com"]
  include  = [terraform_data.kind.output]
  top      = 2
}`,
		ConfigStateChecks: []statecheck.StateCheck{
			expect("data.defender_ti_hosts.test", at("hosts", "contoso.com", "ports"), knownvalue.ListSizeExact(2)),
		},
	})
	if len(values) != len(portsOptions) {
		t.Fatalf("a value for each of %v is needed", portsOptions)
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
}

// A host that lacks only records a known host may lack, such as the WHOIS
// record of an address, is not an unknown host.
func TestHostsWithoutARecordIsNotUnknown(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_hosts" "test" {
  host_ids = ["8.8.8.8", "unknown.example.com"]
  include  = ["whois"]
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				expect("data.defender_ti_hosts.test", at("not_found_host_ids"), emptyList()),
				expect("data.defender_ti_hosts.test", at("hosts", "8.8.8.8", "whois"), knownvalue.Null()),
			},
		}},
	})
}

// A failure is one error naming each host and kind that failed, with the
// status, Graph's code and the request-id; the kinds that did not fail do
// not hide it.
func TestHostsFailureNamesHostAndKind(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteAny, Collection: fakegraph.CollectionWhois, Host: "contoso.com",
		Kind: fakegraph.KindGraphError, Status: 500, Code: "generalException", Times: -1})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock("max_retries = 0") + `
data "defender_ti_hosts" "test" {
  host_ids = ["8.8.8.8", "contoso.com"]
  include  = ["reputation", "whois"]
}`,
			ExpectError: regexp.MustCompile(`(?s)Unable To Read Hosts.*what Defender TI knows of 1 of 2 hosts.*- host "contoso.com", whois: .*500.*generalException.*request-id`),
		}},
	})
}
