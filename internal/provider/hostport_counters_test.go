package provider

import (
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// Graph documents timesObserved as Int32, yet busy ports are seen more often
// than that: such counters read back exactly, on the port and on its
// banners, and min_times_observed compares them without overflow.
func TestHostPortsTimesObservedBeyondInt32(t *testing.T) {
	data := fakegraph.NewDataset()
	err := data.AddHost("busy.example", []json.RawMessage{
		json.RawMessage(`{"id":"busy-80","port":80,"protocol":"tcp","status":"open","timesObserved":2999999999}`),
		json.RawMessage(`{"id":"busy-443","port":443,"protocol":"tcp","status":"open","timesObserved":3000000000,` +
			`"banners":[{"banner":"HTTP/1.1 200 OK","scanProtocol":"http_raw","timesObserved":9007199254740993}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	env := newEmulatorEnv(t, fakegraph.Config{Data: data})
	port := func(index int) tfjsonpath.Path {
		return tfjsonpath.New("ports").AtSliceIndex(index)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id = "busy.example"
}

data "defender_ti_host_ports" "busiest" {
  host_id = "busy.example"
  filter = {
    min_times_observed = 3000000000
  }
}

data "defender_ti_host_port" "test" {
  id = "busy-443"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(hostPorts, port(0).AtMapKey("times_observed"), knownvalue.Int64Exact(2999999999)),
				statecheck.ExpectKnownValue(hostPorts, port(1).AtMapKey("times_observed"), knownvalue.Int64Exact(3000000000)),
				statecheck.ExpectKnownValue(hostPorts, port(1).AtMapKey("banners").AtSliceIndex(0).AtMapKey("times_observed"),
					knownvalue.Int64Exact(9007199254740993)),
				statecheck.ExpectKnownValue("data.defender_ti_host_ports.busiest", tfjsonpath.New("ports"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"port":           knownvalue.Int64Exact(443),
						"times_observed": knownvalue.Int64Exact(3000000000),
					}),
				})),
				statecheck.ExpectKnownValue("data.defender_ti_host_port.test", tfjsonpath.New("times_observed"), knownvalue.Int64Exact(3000000000)),
				statecheck.ExpectKnownValue("data.defender_ti_host_port.test", tfjsonpath.New("banners").AtSliceIndex(0).AtMapKey("times_observed"),
					knownvalue.Int64Exact(9007199254740993)),
			},
		}},
	})
}
