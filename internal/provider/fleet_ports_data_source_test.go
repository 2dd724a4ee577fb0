package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

const fleet = "data.defender_ti_hosts_ports.fleet"

// A fleet with a host Defender TI does not know, a host of three pages and a
// filter: each host as defender_ti_host_ports would read it, the unknown one
// empty and named once.
func TestHostsPortsFleet(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_hosts_ports" "fleet" {
  host_ids      = ["contoso.com", "8.8.8.8", "scan.example.net", "unknown.example.com"]
  include_count = true
  filter = {
    status = ["open"]
  }
}

data "defender_ti_host_ports" "one" {
  host_id       = "contoso.com"
  include_count = true
  filter = {
    status = ["open"]
  }
}

output "same_as_one_host" {
  value = data.defender_ti_hosts_ports.fleet.hosts["contoso.com"].ports == data.defender_ti_host_ports.one.ports
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(fleet, "hosts.%", "4"),
				resource.TestCheckResourceAttr(fleet, "hosts.contoso.com.open_ports.#", "5"),
				resource.TestCheckResourceAttr(fleet, "hosts.contoso.com.open_ports.4", "3389"),
				resource.TestCheckResourceAttr(fleet, "hosts.contoso.com.total_count", "7"),
				resource.TestCheckResourceAttr(fleet, "hosts.8.8.8.8.ports.#", "1"),
				resource.TestCheckResourceAttr(fleet, "hosts.8.8.8.8.ports.0.banners.#", "2"),
				resource.TestCheckResourceAttr(fleet, "hosts.scan.example.net.total_count", "250"),
				resource.TestCheckResourceAttr(fleet, "hosts.unknown.example.com.total_count", "0"),
				resource.TestCheckResourceAttr(fleet, "not_found_host_ids.#", "1"),
				resource.TestCheckResourceAttr(fleet, "not_found_host_ids.0", "unknown.example.com"),
				resource.TestCheckOutput("same_as_one_host", "true"),
				func(*terraform.State) error {
					pages := env.graphRequests("/hosts/" + fakegraph.SamplePagingHost + "/ports")
					if len(pages) != 3 {
						return fmt.Errorf("want the paged host's three pages fetched once each, got %d requests", len(pages))
					}
					return nil
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// The unknown host is there with no ports: an empty list, not null.
				statecheck.ExpectKnownValue(fleet, tfjsonpath.New("hosts").AtMapKey("unknown.example.com").AtMapKey("ports"),
					knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

// Any other failure fails the read, naming each failed host with its
// status, Graph code and request-id.
func TestHostsPortsFailedHostsAreNamed(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: "8.8.8.8", Kind: fakegraph.KindGraphError, Status: 400, Code: "badRequest", Times: -1})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_hosts_ports" "fleet" {
  host_ids = ["contoso.com", "8.8.8.8"]
}`,
			ExpectError: regexp.MustCompile(`(?s)Unable To Read Host Ports.*1 of 2 hosts.*host "8\.8\.8\.8": HTTP 400.*"badRequest".*request-id:\s+[0-9a-f-]{36}`),
		}},
	})
}

// A bad element of host_ids fails the plan before any request, quoting it.
func TestHostsPortsInvalidHostID(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_hosts_ports" "fleet" {
  host_ids = ["contoso.com", "not a host/../me"]
}`,
			ExpectError: regexp.MustCompile(`(?s)Invalid Host ID.*host_ids.*"not a host/\.\./me"`),
		}},
	})
	if requests := env.graphRequests("/hosts/"); len(requests) != 0 {
		t.Errorf("an invalid host id sent %d requests to Graph", len(requests))
	}
}

// The provider keeps max_concurrent_requests in flight, and never more.
func TestHostsPortsConcurrency(t *testing.T) {
	data := fakegraph.Generate(24, 2, 3)
	env := newEmulatorEnv(t, fakegraph.Config{Data: data, PageSize: 1, Latency: 50 * time.Millisecond})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock("max_concurrent_requests = 4") + `
data "defender_ti_hosts_ports" "fleet" {
  host_ids = ` + hclStrings(data.Hosts()) + `
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(fleet, "hosts.%", "24"),
				func(*terraform.State) error {
					if got := env.emulator.Stats().MaxInFlight; got != 4 {
						return fmt.Errorf("the emulator saw at most %d Graph requests in flight, want exactly max_concurrent_requests = 4", got)
					}
					return nil
				},
			),
		}},
	})
}

// Once Graph throttles, no request starts until its Retry-After has passed;
// then every host is read.
func TestHostsPortsSharedThrottling(t *testing.T) {
	data := fakegraph.Generate(12, 1, 5)
	env := newEmulatorEnv(t, fakegraph.Config{Data: data, Latency: 20 * time.Millisecond})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Host: data.Hosts()[0], Kind: fakegraph.KindThrottle, RetryAfter: "0.5"})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock("max_concurrent_requests = 3") + `
data "defender_ti_hosts_ports" "fleet" {
  host_ids = ` + hclStrings(data.Hosts()) + `
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(fleet, "hosts.%", "12"),
				func(*terraform.State) error {
					// The window opens when the 429 is answered; a request
					// sent before the client read that answer may arrive a
					// little later, the more so on a busy machine.
					var throttledAt time.Time
					requests := env.graphRequests("/hosts/")
					for _, r := range requests {
						if r.Status == 429 {
							throttledAt = r.Answered
						}
					}
					if throttledAt.IsZero() {
						return fmt.Errorf("the emulator never throttled: the test proves nothing")
					}
					windowOpen, windowEnd := throttledAt.Add(50*time.Millisecond), throttledAt.Add(450*time.Millisecond)
					after := 0
					for _, r := range requests {
						if r.Time.After(windowOpen) && r.Time.Before(windowEnd) {
							return fmt.Errorf("a request for %s started %s after the 429 was answered, inside its 0.5 s Retry-After", r.Path, r.Time.Sub(throttledAt))
						}
						if r.Time.After(windowEnd) {
							after++
						}
					}
					if after == 0 {
						return fmt.Errorf("no request started after the Retry-After window: the hosts were all read before the 429, and the test proves nothing")
					}
					return nil
				},
			),
		}},
	})
}

// Terraform stops the provider on Ctrl-C: a fleet read in progress ends
// within a second.
func TestHostsPortsStopEndsTheRead(t *testing.T) {
	data := fakegraph.Generate(40, 1, 9)
	emulator := fakegraphtest.Start(t, fakegraph.Config{Data: data, Latency: 2 * time.Second})
	expectStopEndsTheRead(t, emulator, data.Hosts(), func(r fakegraph.Request) bool { return r.Origin == "graph" })
}

// A fleet read waiting out Graph's Retry-After of 30 seconds ends within a
// second of Ctrl-C too.
func TestHostsPortsStopEndsAThrottlingWait(t *testing.T) {
	data := fakegraph.Generate(40, 1, 9)
	emulator := fakegraphtest.Start(t, fakegraph.Config{Data: data})
	emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindThrottle, RetryAfter: "30", Times: -1})
	expectStopEndsTheRead(t, emulator, data.Hosts(), func(r fakegraph.Request) bool { return r.Status == http.StatusTooManyRequests })
}

// expectStopEndsTheRead reads hostIDs in one fleet read, stops the provider
// once the emulator has logged a request for which started holds, and
// expects the read to end within a second with one Read Cancelled error.
func expectStopEndsTheRead(t *testing.T, emulator *fakegraph.Server, hostIDs []string, started func(fakegraph.Request) bool) {
	t.Helper()
	server, schemas := configuredServer(t, emulator, readPaths[0].server, nil)
	ctx := context.Background()
	config := objectWith(t, schemas.DataSourceSchemas["defender_ti_hosts_ports"].ValueType(), map[string]tftypes.Value{"host_ids": stringSetValue(hostIDs...)})
	done := make(chan *tfprotov6.ReadDataSourceResponse, 1)
	go func() {
		resp, _ := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "defender_ti_hosts_ports", Config: dynamicValue(t, config)})
		done <- resp
	}()
	fakegraphtest.WaitFor(t, "the read to start", func() bool { return slices.ContainsFunc(emulator.Requests(), started) })
	stopped := time.Now()
	if _, err := server.StopProvider(ctx, &tfprotov6.StopProviderRequest{}); err != nil {
		t.Fatal(err)
	}
	select {
	case resp := <-done:
		if elapsed := time.Since(stopped); elapsed > time.Second {
			t.Errorf("the read ended %s after StopProvider, want within a second", elapsed)
		}
		if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Read Cancelled" {
			t.Errorf("want one Read Cancelled error, got %s", describeDiagnostics(resp.Diagnostics))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read did not end after StopProvider")
	}
}

// hclStrings writes a list of strings as HCL.
func hclStrings(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
