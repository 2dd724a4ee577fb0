package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// TestBrokenPagesAreFetchedAgain plans under a real terraform or tofu while
// Graph's answers break off mid-body: page 2 of the paging host is cut by
// an HTTP/2 stream reset, and contoso.com's only page stalls past
// request_timeout. Both reads succeed; the emulator's log shows only the
// broken page fetched twice; and the paging host's page 2 is in state
// exactly once, so the broken attempt's partial ports were dropped.
func TestBrokenPagesAreFetchedAgain(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	paging := fakegraph.SamplePagingHost
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: paging, Nth: 2, Kind: fakegraph.KindResetMidBody})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: "contoso.com", Kind: fakegraph.KindSlowBody, Latency: time.Hour})

	// The port numbers on page 2 (Graph's order, pages of 100): a filter on
	// them keeps the state small and counts page 2's ports exactly.
	var page2 []string
	for _, id := range env.emulator.Data().PortIDs(paging)[100:200] {
		raw, ok := env.emulator.Data().HostPortJSON(id)
		var hostPort struct{ Port int }
		if !ok || json.Unmarshal(raw, &hostPort) != nil {
			t.Fatalf("reading port %s of the paging host from the dataset", id)
		}
		page2 = append(page2, fmt.Sprint(hostPort.Port))
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock(`request_timeout = "3s"`) + `
data "defender_ti_host_ports" "paging" {
  host_id       = "` + paging + `"
  include_count = true
  select        = ["port"]
  filter        = { ports = [` + strings.Join(page2, ", ") + `] }
}
data "defender_ti_host_ports" "slow" {
  host_id = "contoso.com"
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.defender_ti_host_ports.paging", "total_count", "250"),
				resource.TestCheckResourceAttr("data.defender_ti_host_ports.paging", "ports.#", fmt.Sprint(len(page2))),
				resource.TestCheckResourceAttr("data.defender_ti_host_ports.slow", "ports.#", "7"),
				func(*terraform.State) error {
					log := env.emulator.Requests()
					var problems []string
					// The first read of each host met the fault; later
					// commands read them again without one.
					pages := hostRequests(log, paging)
					if len(pages) < 4 || fmt.Sprint(statuses(pages[:4])) != fmt.Sprint([]int{200, 200, 200, 200}) ||
						pages[1].RawQuery != pages[2].RawQuery || pages[0].RawQuery == pages[1].RawQuery ||
						pages[2].RawQuery == pages[3].RawQuery || pages[0].RawQuery == pages[3].RawQuery {
						problems = append(problems, fmt.Sprintf("%s: want page 1, page 2 twice, page 3 first; got %v", paging, queries(pages)))
					}
					slow := hostRequests(log, "contoso.com")
					if len(slow) < 2 || slow[0].Status != http.StatusOK || slow[0].RawQuery != slow[1].RawQuery {
						problems = append(problems, fmt.Sprintf("contoso.com: want its page fetched twice first; got statuses %v", statuses(slow)))
					} else if gap := slow[1].Time.Sub(slow[0].Time); gap < 3*time.Second {
						problems = append(problems, fmt.Sprintf("contoso.com: fetched again after %s, before request_timeout cut the stalled body", gap))
					}
					if len(problems) > 0 {
						return fmt.Errorf("%s", strings.Join(problems, "\n"))
					}
					return nil
				},
			),
		}},
	})
}

// queries lists each request's query string, "" shown as "(page 1)".
func queries(requests []fakegraph.Request) []string {
	out := make([]string, len(requests))
	for i, r := range requests {
		out[i] = r.RawQuery
		if out[i] == "" {
			out[i] = "(page 1)"
		}
	}
	return out
}
