package provider

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

const hostPorts = "data.defender_ti_host_ports.test"

func TestHostPortsReferenceExample(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id                            = "8.8.8.8"
  expand_most_recent_ssl_certificate = true
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPorts, "id", "8.8.8.8"),
				resource.TestCheckResourceAttr(hostPorts, "ports.#", "1"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.id", "OC44LjguOCQkNDQz"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.port", "443"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.protocol", "tcp"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.status", "open"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.first_seen_date_time", "2016-12-06T20:23:38Z"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.last_seen_date_time", "2023-07-18T23:24:01Z"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.last_scan_date_time", "2023-07-18T23:24:29.735Z"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.times_observed", "15590"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.banners.#", "2"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.banners.0.banner",
					"HTTP/1.1 302 Found\r\nLocation: https://dns.google/\r\nX-Content-Type-Options: nosniff\r\nContent-Type: text/html; charset=UTF-8\r\nServer: HTTP server (unknown)\r\nContent-Length: 216\r\n\r\n"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.banners.0.scan_protocol", "http_raw"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.banners.0.times_observed", "2"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.banners.0.first_seen_date_time", "2023-06-29T03:27:27Z"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.banners.1.times_observed", "2975"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.banners.1.first_seen_date_time", "2021-05-17T09:12:44.512Z"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.services.#", "2"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.services.0.is_recent", "true"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.services.0.component.name", "scaffolding on HTTPServer2"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.services.0.component.version", ""),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.services.0.component.category", "Server"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.services.1.is_recent", "false"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.services.1.component.name", "nginx"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.services.1.component.version", "1.18.0"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.services.1.last_seen_date_time", "2022-11-02T14:50:09Z"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.host.id", "85.13.139.18"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.id", "7c4f1a1e2b6d3f8a9e0c5b4d2a1f6e8c3b9d7a05"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.sha1", "7c4f1a1e2b6d3f8a9e0c5b4d2a1f6e8c3b9d7a05"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.serial_number", "0A1B2C3D4E5F60718293A4B5C6D7E8F9"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.expiration_date_time", "2023-09-11T08:19:34Z"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.last_seen_date_time", "2023-07-18T23:24:01.735Z"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.issuer.common_name", "GTS CA 1C3"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.issuer.organization_name", "Google Trust Services LLC"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.issuer.address.country_or_region", "US"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.subject.common_name", "dns.google"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.subject.alternate_names.#", "7"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.subject.alternate_names.6", "8.8.4.4"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.subject.email", "hostmaster@dns.google"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.subject.organization_unit_name", "Public DNS"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.subject.address.postal_code", "94043"),
				resource.TestCheckResourceAttr(hostPorts, "open_ports.#", "1"),
				resource.TestCheckResourceAttr(hostPorts, "open_ports.0", "443"),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// The component has no first-seen time: null, not "".
				statecheck.ExpectKnownValue(hostPorts,
					tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("services").AtSliceIndex(0).AtMapKey("component").AtMapKey("first_seen_date_time"),
					knownvalue.Null()),
				// Graph sends the issuer's alternate names as [].
				statecheck.ExpectKnownValue(hostPorts,
					tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("most_recent_ssl_certificate").AtMapKey("issuer").AtMapKey("alternate_names"),
					knownvalue.ListExact([]knownvalue.Check{})),
				// include_count is off: no count, not zero.
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("total_count"), knownvalue.Null()),
			},
		}},
	})
}

func TestHostPortsCertificateStubWithoutExpand(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPorts, "ports.0.most_recent_ssl_certificate.id", "7c4f1a1e2b6d3f8a9e0c5b4d2a1f6e8c3b9d7a05"),
				func(*terraform.State) error {
					for _, r := range env.graphRequests("/hosts/8.8.8.8/ports") {
						if strings.Contains(r.RawQuery, "expand") {
							return fmt.Errorf("unexpected $expand in %q", r.RawQuery)
						}
					}
					return nil
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// Without $expand the certificate is its id alone: the rest is null.
				statecheck.ExpectKnownValue(hostPorts,
					tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("most_recent_ssl_certificate").AtMapKey("sha1"),
					knownvalue.Null()),
				statecheck.ExpectKnownValue(hostPorts,
					tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("most_recent_ssl_certificate").AtMapKey("subject"),
					knownvalue.Null()),
			},
		}},
	})
}

func TestHostPortsPagingFetchesEachPageOnce(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id = "` + fakegraph.SamplePagingHost + `"
  # Paging is what is tested; a narrow select keeps 250 ports of state cheap.
  select  = ["port"]
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPorts, "ports.#", "250"),
				checkSortedByPort(hostPorts, 250),
				func(*terraform.State) error {
					// Every read walks the same three pages: each distinct page URL
					// must have been fetched as often as the first one, no more.
					perPage := map[string]int{}
					for _, r := range env.graphRequests("/hosts/" + fakegraph.SamplePagingHost + "/ports") {
						perPage[strings.TrimPrefix(strings.TrimPrefix(r.RawQuery, "$select=port,protocol,status"), "&")]++
					}
					if len(perPage) != 3 {
						return fmt.Errorf("want 3 distinct pages, got %d: %v", len(perPage), perPage)
					}
					reads := perPage[""]
					for query, n := range perPage {
						if n != reads {
							return fmt.Errorf("page %q fetched %d times over %d reads", query, n, reads)
						}
					}
					return nil
				},
			),
		}},
	})
}

// checkSortedByPort asserts ports.N.port is non-decreasing.
func checkSortedByPort(name string, count int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attributes := s.RootModule().Resources[name].Primary.Attributes
		previous := -1
		for i := 0; i < count; i++ {
			port, err := strconv.Atoi(attributes[fmt.Sprintf("ports.%d.port", i)])
			if err != nil {
				return err
			}
			if port < previous {
				return fmt.Errorf("ports.%d.port = %d comes after %d", i, port, previous)
			}
			previous = port
		}
		return nil
	}
}

func TestHostPortsSelect(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id = "contoso.com"
  select  = ["port", "banners"]
  filter  = { min_times_observed = 100 }
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPorts, "ports.#", "5"),
				resource.TestCheckResourceAttr(hostPorts, "ports.0.port", "22"),
				// open_ports still works: status was fetched even though not selected.
				resource.TestCheckResourceAttr(hostPorts, "open_ports.#", "5"),
				func(*terraform.State) error {
					want := "$select=port,protocol,status,timesObserved,banners"
					for _, r := range env.graphRequests("/hosts/contoso.com/ports") {
						if !strings.Contains(r.RawQuery, want) {
							return fmt.Errorf("query %q lacks %q", r.RawQuery, want)
						}
					}
					return nil
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// Selected: port 22 has its one banner, port 53 none, an empty list.
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("banners"), knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue(hostPorts,
					tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("banners").AtSliceIndex(0).AtMapKey("scan_protocol"),
					knownvalue.StringExact("ssh")),
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(1).AtMapKey("port"), knownvalue.Int64Exact(53)),
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(1).AtMapKey("banners"), knownvalue.ListExact([]knownvalue.Check{})),
				// Not selected: null, even where Graph was asked for it
				// (status, times_observed) to filter or to list open ports.
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("id"), knownvalue.Null()),
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("status"), knownvalue.Null()),
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("times_observed"), knownvalue.Null()),
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("services"), knownvalue.Null()),
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("host"), knownvalue.Null()),
			},
		}},
	})
}

func TestHostPortsSelectRejectsUnknownNames(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id = "contoso.com"
  select  = ["firstSeenDateTime"]
}`,
			ExpectError: regexp.MustCompile(`(?s)select.*first_seen_date_time`),
		}, {
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id                            = "contoso.com"
  select                             = ["port"]
  expand_most_recent_ssl_certificate = true
}`,
			ExpectError: regexp.MustCompile(`Certificate Expanded But Not Selected`),
		}},
	})
	if n := len(env.graphRequests("")); n != 0 {
		t.Errorf("an invalid configuration sent %d Graph requests, want 0", n)
	}
}

func TestHostPortsCountTopSkip(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "all" {
  host_id = "` + fakegraph.SamplePagingHost + `"
  select  = ["port"]
}
data "defender_ti_host_ports" "test" {
  host_id       = "` + fakegraph.SamplePagingHost + `"
  top           = 5
  skip          = 10
  include_count = true
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPorts, "total_count", "250"),
				resource.TestCheckResourceAttr(hostPorts, "ports.#", "5"),
				// Graph's order is port order for this host, so skip 10 starts at the 11th port.
				resource.TestCheckResourceAttrPair(hostPorts, "ports.0.port", "data.defender_ti_host_ports.all", "ports.10.port"),
				resource.TestCheckResourceAttrPair(hostPorts, "ports.4.port", "data.defender_ti_host_ports.all", "ports.14.port"),
				func(*terraform.State) error {
					for _, r := range env.graphRequests("/hosts/" + fakegraph.SamplePagingHost + "/ports") {
						if strings.Contains(r.RawQuery, "$top=5") && !strings.Contains(r.RawQuery, "$skiptoken") &&
							r.RawQuery != "$top=5&$skip=10&$count=true" {
							return fmt.Errorf("query %q", r.RawQuery)
						}
						if strings.Contains(r.RawQuery, "$top=5") && strings.Contains(r.RawQuery, "$skiptoken") {
							return fmt.Errorf("fetched a second page (%q) although top was reached", r.RawQuery)
						}
					}
					return nil
				},
			),
		}},
	})
}

func TestHostPortsFilters(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	cases := []struct {
		filter    string
		wantPorts []string
		wantOpen  []int64
		extra     []statecheck.StateCheck
	}{
		{`{ status = ["open"] }`, []string{"22", "53", "80", "443", "3389"}, []int64{22, 53, 80, 443, 3389}, nil},
		{`{ status = ["filtered", "closed"] }`, []string{"445", "8080"}, nil, []statecheck.StateCheck{
			// Graph sends null banners and services for 445: they read as empty lists.
			statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("banners"), knownvalue.ListExact([]knownvalue.Check{})),
			statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports").AtSliceIndex(0).AtMapKey("services"), knownvalue.ListExact([]knownvalue.Check{})),
		}},
		{`{ protocol = ["udp"] }`, []string{"53"}, []int64{53}, nil},
		{`{ ports = [22, 3389, 9999] }`, []string{"22", "3389"}, []int64{22, 3389}, nil},
		{`{ last_seen_after = "2023-07-30T00:00:00Z" }`, []string{"22", "80", "443", "3389"}, []int64{22, 80, 443, 3389}, nil},
		{`{ min_times_observed = 3000 }`, []string{"53", "80", "443"}, []int64{53, 80, 443}, nil},
		{`{ status = ["open"], protocol = ["tcp"], min_times_observed = 1000 }`, []string{"80", "443"}, []int64{80, 443}, nil},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		checks := []resource.TestCheckFunc{
			resource.TestCheckResourceAttr(hostPorts, "ports.#", strconv.Itoa(len(c.wantPorts))),
		}
		for i, port := range c.wantPorts {
			checks = append(checks, resource.TestCheckResourceAttr(hostPorts, fmt.Sprintf("ports.%d.port", i), port))
		}
		// open_ports exactly: with no open port it is an empty list, not null.
		open := []knownvalue.Check{}
		for _, port := range c.wantOpen {
			open = append(open, knownvalue.Int64Exact(port))
		}
		stateChecks := append([]statecheck.StateCheck{
			statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("open_ports"), knownvalue.ListExact(open)),
		}, c.extra...)
		steps = append(steps, resource.TestStep{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id = "contoso.com"
  filter  = ` + c.filter + `
}`,
			Check:             resource.ComposeAggregateTestCheckFunc(checks...),
			ConfigStateChecks: stateChecks,
		})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
}

func TestHostPortsForbiddenNamesPermission(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindGraphError, Status: 403, Code: "accessDenied", Times: -1})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`,
			ExpectError: regexp.MustCompile(`(?s)Access Denied By Microsoft Graph.*8\.8\.8\.8.*HTTP 403.*accessDenied.*request-id: [0-9a-f-]{36}.*ThreatIntelligence\.Read\.All.*licence`),
		}},
	})
}

func TestHostPortsServerErrorNamesHostStatusCodeAndRequestID(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindGraphError, Status: 400, Code: "badRequest", Times: -1})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id = "contoso.com"
}`,
			ExpectError: regexp.MustCompile(`(?s)Unable To Read Host Ports.*contoso\.com.*HTTP 400.*badRequest.*request-id: [0-9a-f-]{36}`),
		}},
	})
}

func TestHostPortsUnknownHostIsEmpty(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "test" {
  host_id       = "unknown.example.com"
  include_count = true
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPorts, "total_count", "0"),
				func(*terraform.State) error {
					if len(env.graphRequests("/hosts/unknown.example.com/ports")) == 0 {
						return fmt.Errorf("the emulator was never asked about the host")
					}
					return nil
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// An unknown host has no ports: empty lists, not null.
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("ports"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(hostPorts, tfjsonpath.New("open_ports"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

func TestHostPortsInvalidHostIDFailsAtPlanWithoutRequests(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	var steps []resource.TestStep
	for _, hostID := range []string{"a/b", "..", "contoso.com:443", "https://contoso.com", "[::1]"} {
		steps = append(steps, resource.TestStep{
			Config: env.providerBlock() + fmt.Sprintf(`
data "defender_ti_host_ports" "test" {
  host_id = %q
}`, hostID),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid Host ID.*host_id`),
		})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
	if n := len(env.emulator.Requests()); n != 0 {
		t.Errorf("invalid host ids caused %d requests to the emulator, want none", n)
	}
}

// TestHostPortsManyHostsShareOneTokenPerProviderInstance reads several hosts
// from one provider instance. It uses count: terraform-plugin-testing's state
// shim cannot index for_each instances by string; the end-to-end CLI test
// covers for_each.
func TestHostPortsManyHostsShareOneTokenPerProviderInstance(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
locals {
  hosts = ["8.8.8.8", "contoso.com", "198.51.100.10", "empty.example.org", "` + fakegraph.SamplePagingHost + `"]
}
data "defender_ti_host_ports" "each" {
  count   = length(local.hosts)
  host_id = local.hosts[count.index]
  select  = ["port", "status"]
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.defender_ti_host_ports.each.1", "open_ports.#", "5"),
				resource.TestCheckResourceAttr("data.defender_ti_host_ports.each.4", "ports.#", "250"),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// empty.example.org is known to Defender TI with no ports.
				statecheck.ExpectKnownValue("data.defender_ti_host_ports.each[3]", tfjsonpath.New("ports"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
	// Each terraform command starts one provider instance, and each instance
	// must fetch at most one token however many hosts it reads.
	reads := len(env.graphRequests("/hosts/8.8.8.8/ports"))
	tokens := env.emulator.TokenRequests()
	instances := int(env.instances.Load())
	if reads < 2 || tokens == 0 || tokens > instances {
		t.Errorf("%d token requests for %d provider instances and %d reads of each host; want one token at most per instance", tokens, instances, reads)
	}
}

func TestProviderConfigFromEnvironment(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	t.Setenv("ARM_TENANT_ID", fakegraph.DefaultTenantID)
	t.Setenv("ARM_CLIENT_ID", fakegraph.DefaultClientID)
	t.Setenv("ARM_CLIENT_SECRET", fakegraph.DefaultClientSecret)
	t.Setenv("ARM_GRAPH_ENDPOINT", env.emulator.URL())
	t.Setenv("ARM_AUTHORITY_HOST", env.emulator.URL())
	t.Setenv("ARM_DISABLE_INSTANCE_DISCOVERY", "true")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: `
provider "defender" {
  api_version = "beta"
}
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPorts, "open_ports.0", "443"),
				func(*terraform.State) error {
					requests := env.graphRequests("/hosts/8.8.8.8/ports")
					if len(requests) == 0 || !strings.HasPrefix(requests[0].Path, "/beta/") {
						return fmt.Errorf("want requests under /beta, got %+v", requests)
					}
					return nil
				},
			),
		}},
	})
}

func TestProviderWrongSecretFails(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: strings.Replace(env.providerBlock(), fakegraph.DefaultClientSecret, "wrong-secret", 1) + `
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`,
			ExpectError: regexp.MustCompile(`(?s)Unable To Sign In To Entra ID.*AADSTS7000215`),
		}},
	})
	if n := len(env.graphRequests("/ports")); n != 0 {
		t.Errorf("with a wrong secret %d requests still reached Graph, want none", n)
	}
}

func TestProviderUnknownConfigurationNamesTheAttribute(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: `
resource "terraform_data" "tenant" {
  input = "` + fakegraph.DefaultTenantID + `"
}
provider "defender" {
  tenant_id                  = terraform_data.tenant.output
  client_id                  = "` + fakegraph.DefaultClientID + `"
  client_secret              = "` + fakegraph.DefaultClientSecret + `"
  graph_endpoint             = "` + env.emulator.URL() + `"
  authority_host             = "` + env.emulator.URL() + `"
  disable_instance_discovery = true
}
data "defender_ti_host_ports" "test" {
  host_id = "8.8.8.8"
}`,
			ExpectError: regexp.MustCompile(`(?s)Unknown Provider Configuration Value.*tenant_id`),
		}},
	})
	if n := env.emulator.TokenRequests(); n != 0 {
		t.Errorf("an unknown tenant_id still led to %d token requests", n)
	}
}
