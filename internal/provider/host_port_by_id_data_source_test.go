package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

const hostPort = "data.defender_ti_host_port.test"

// A port listed by defender_ti_host_ports, read again by its id with the
// certificate expanded: every field is the reference example's.
func TestHostPortFromAListWithItsCertificate(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_ports" "dns" {
  host_id = "8.8.8.8"
  select  = ["id"]
}

data "defender_ti_host_port" "test" {
  id                                 = data.defender_ti_host_ports.dns.ports[0].id
  expand_most_recent_ssl_certificate = true
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPort, "id", "OC44LjguOCQkNDQz"),
				resource.TestCheckResourceAttr(hostPort, "port", "443"),
				resource.TestCheckResourceAttr(hostPort, "protocol", "tcp"),
				resource.TestCheckResourceAttr(hostPort, "status", "open"),
				resource.TestCheckResourceAttr(hostPort, "first_seen_date_time", "2016-12-06T20:23:38Z"),
				resource.TestCheckResourceAttr(hostPort, "last_scan_date_time", "2023-07-18T23:24:29.735Z"),
				resource.TestCheckResourceAttr(hostPort, "times_observed", "15590"),
				resource.TestCheckResourceAttr(hostPort, "banners.#", "2"),
				resource.TestCheckResourceAttr(hostPort, "banners.1.times_observed", "2975"),
				resource.TestCheckResourceAttr(hostPort, "services.#", "2"),
				resource.TestCheckResourceAttr(hostPort, "services.1.component.name", "nginx"),
				resource.TestCheckResourceAttr(hostPort, "services.1.component.version", "1.18.0"),
				resource.TestCheckResourceAttr(hostPort, "host.id", "85.13.139.18"),
				resource.TestCheckResourceAttr(hostPort, "most_recent_ssl_certificate.issuer.common_name", "GTS CA 1C3"),
				resource.TestCheckResourceAttr(hostPort, "most_recent_ssl_certificate.subject.alternate_names.#", "7"),
				resource.TestCheckResourceAttr(hostPort, "most_recent_ssl_certificate.subject.address.postal_code", "94043"),
				func(*terraform.State) error {
					gets := env.graphRequests("/hostPorts/")
					if len(gets) != 1 || gets[0].Path != "/v1.0/security/threatIntelligence/hostPorts/OC44LjguOCQkNDQz" ||
						!strings.Contains(gets[0].RawQuery, "$expand=mostRecentSslCertificate") {
						return fmt.Errorf("want one GET of the hostPort with the certificate expanded, got %+v", gets)
					}
					return nil
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(hostPort, tfjsonpath.New("select"), knownvalue.Null()),
			},
		}},
	})
}

// Ids are opaque: one holding "+", "/" and "=" reaches Graph as one escaped
// path segment and comes back unchanged.
func TestHostPortOpaqueID(t *testing.T) {
	const id = "b2Rk+/ZXhhbXBsZS5uZXQkJDg0NDM=="
	data := fakegraph.SampleData()
	port, err := json.Marshal(map[string]any{"id": id, "port": 8443, "protocol": "tcp", "status": "open", "host": map[string]string{"id": "odd.example.net"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := data.AddHost("odd.example.net", []json.RawMessage{port}); err != nil {
		t.Fatal(err)
	}
	env := newEmulatorEnv(t, fakegraph.Config{Data: data})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + fmt.Sprintf(`
data "defender_ti_host_port" "test" {
  id = %q
}`, id),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPort, "id", id),
				resource.TestCheckResourceAttr(hostPort, "port", "8443"),
				resource.TestCheckResourceAttr(hostPort, "host.id", "odd.example.net"),
				func(*terraform.State) error {
					gets := env.graphRequests("/hostPorts/")
					want := "/v1.0/security/threatIntelligence/hostPorts/b2Rk+%2FZXhhbXBsZS5uZXQkJDg0NDM=="
					if len(gets) == 0 || gets[0].Path != want {
						return fmt.Errorf("want the id as one escaped segment, %s, got %+v", want, gets)
					}
					return nil
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// The port has no banners in Graph: an empty list, not null.
				statecheck.ExpectKnownValue(hostPort, tfjsonpath.New("banners"), knownvalue.ListExact([]knownvalue.Check{})),
			},
		}},
	})
}

func TestHostPortSelect(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_port" "test" {
  id     = "Y29udG9zby5jb20kJDQ0Mw=="
  select = ["port", "status"]
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(hostPort, "id", "Y29udG9zby5jb20kJDQ0Mw=="),
				resource.TestCheckResourceAttr(hostPort, "port", "443"),
				resource.TestCheckResourceAttr(hostPort, "status", "open"),
				func(*terraform.State) error {
					gets := env.graphRequests("/hostPorts/")
					if len(gets) != 1 || gets[0].RawQuery != "$select=port,status" {
						return fmt.Errorf("want one GET selecting port and status, got %+v", gets)
					}
					return nil
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				// Not selected: null.
				statecheck.ExpectKnownValue(hostPort, tfjsonpath.New("protocol"), knownvalue.Null()),
				statecheck.ExpectKnownValue(hostPort, tfjsonpath.New("times_observed"), knownvalue.Null()),
				statecheck.ExpectKnownValue(hostPort, tfjsonpath.New("banners"), knownvalue.Null()),
				statecheck.ExpectKnownValue(hostPort, tfjsonpath.New("most_recent_ssl_certificate"), knownvalue.Null()),
			},
		}},
	})
}

// A missing id fails the read, on the id, with status, Graph code and
// request-id: the configuration asked for that one port.
func TestHostPortNotFoundIsAnError(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_port" "test" {
  id = "bm8tc3VjaC1wb3J0"
}`,
			ExpectError: regexp.MustCompile(`(?s)Host Port Not Found In Defender TI.*"bm8tc3VjaC1wb3J0".*HTTP\s+404\s+Not\s+Found,\s+Graph\s+error\s+code\s+"itemNotFound".*request-id:\s+[0-9a-f-]{36}`),
		}},
	})
}

func TestHostPortAccessDenied(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteGet, Kind: fakegraph.KindGraphError, Status: 403, Code: "accessDenied", Times: -1})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
data "defender_ti_host_port" "test" {
  id = "OC44LjguOCQkNDQz"
}`,
			ExpectError: regexp.MustCompile(`(?s)Access Denied By Microsoft Graph.*hostPort\s+"OC44LjguOCQkNDQz".*HTTP\s+403.*accessDenied.*request-id:\s+[0-9a-f-]{36}.*ThreatIntelligence\.Read\.All`),
		}},
	})
}

// Plan-time checks: an empty id, an unknown select name, and an expansion
// that select would discard, each on its attribute, before any request.
func TestHostPortValidation(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	for _, tc := range []struct{ name, body, want string }{
		{"empty id", `id = ""`, `(?s)Invalid Attribute Value Length.*id`},
		{"unknown select name", `id = "x"
  select = ["port", "host_id"]`, `(?s)Invalid Attribute Value Match.*select.*"host_id"`},
		{"expansion not selected", `id = "x"
  select                             = ["port"]
  expand_most_recent_ssl_certificate = true`, `(?s)Certificate Expanded But Not Selected`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				Steps: []resource.TestStep{{
					Config:      env.providerBlock() + "data \"defender_ti_host_port\" \"test\" {\n  " + tc.body + "\n}",
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	if gets := env.graphRequests("/hostPorts/"); len(gets) != 0 {
		t.Errorf("invalid configurations sent %d requests to Graph", len(gets))
	}
}
