package provider

import (
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Live tests: they read a real tenant and run only when TF_ACC is set and
// ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET name an app registration
// with ThreatIntelligence.Read.All (make testacc).

func liveFactories(t *testing.T) map[string]func() (tfprotov6.ProviderServer, error) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("live test: set TF_ACC=1 and ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET to read a real tenant (make testacc)")
	}
	for _, name := range []string{"ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET"} {
		if os.Getenv(name) == "" {
			t.Skipf("live test: %s is not set; it needs an app registration with ThreatIntelligence.Read.All", name)
		}
	}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"defender": NewServer("acc"),
	}
}

func TestAccHostPortsReferenceHost(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: liveFactories(t),
		Steps: []resource.TestStep{{
			Config: `
provider "defender" {}
data "defender_ti_host_ports" "test" {
  host_id                            = "8.8.8.8"
  expand_most_recent_ssl_certificate = true
  include_count                      = true
}
output "every_port_listed" {
  value = length(data.defender_ti_host_ports.test.ports) == data.defender_ti_host_ports.test.total_count
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPorts, "id", "8.8.8.8"),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// How many ports there are is Graph's to say; that the count
				// is there, and that ports lists that many with no top, skip
				// or filter, is the provider's.
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("total_count"), knownvalue.NotNull()),
				statecheck.ExpectKnownOutputValue("every_port_listed", knownvalue.Bool(false)),
			},
		}},
	})
}

func TestAccHostPortsSelectAndFilter(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: liveFactories(t),
		Steps: []resource.TestStep{{
			Config: `
provider "defender" {}
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
  select  = ["port", "status"]
  filter  = { status = ["open"] }
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("open_ports"), knownvalue.NotNull()),
				// banners was not selected: null, not an empty list.
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("banners"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}
