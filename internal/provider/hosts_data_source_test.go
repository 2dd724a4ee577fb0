package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// Options of the ports without ports in include would be ignored: the plan
// says so, on the option, before any request.
func TestHostsPortsOptionWithoutPorts(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_hosts" "test" {
  host_ids = ["contoso.com"]
  include  = ["reputation"]
  filter   = { status = ["open"] }
}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Ports Option Without Ports.*filter applies to the ports of each host, but include does not\s+hold "ports"`),
		}},
	})
	if n := len(env.graphRequests("")); n != 0 {
		t.Errorf("%d Graph requests, want none", n)
	}
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
