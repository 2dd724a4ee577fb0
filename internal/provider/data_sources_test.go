package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// dataSourceCase is one registered data source in TestEveryDataSource:
// what a full read of a sample host holds, what `select` nulls, what a host
// Defender TI does not know gives, and which emulator collection a 403 is
// put on.
type dataSourceCase struct {
	typeName string
	// full is the data block's body for the full fixture; checks assert
	// its exact values.
	full   string
	checks []statecheck.StateCheck
	// selected reads with `select`, where the data source has it.
	selected       string
	selectedChecks []statecheck.StateCheck
	// notFound reads a host (or id) Defender TI does not know: either the
	// checks of an empty or null read, or the error it fails with.
	notFound       string
	notFoundChecks []statecheck.StateCheck
	notFoundError  string
	// hostile is a body whose id is refused at plan time, before any request.
	hostile string
	// collection is where the 403 goes.
	collection string
	// forbidden is the body read under the 403.
	forbidden string
}

// at is the path of an attribute of the data source: "a", 0, "b" is a[0].b.
func at(root string, steps ...any) tfjsonpath.Path {
	p := tfjsonpath.New(root)
	for _, step := range steps {
		switch s := step.(type) {
		case string:
			p = p.AtMapKey(s)
		case int:
			p = p.AtSliceIndex(s)
		}
	}
	return p
}

func expect(address string, path tfjsonpath.Path, value knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, path, value)
}

func is(s string) knownvalue.Check { return knownvalue.StringExact(s) }
func i64(v int64) knownvalue.Check { return knownvalue.Int64Exact(v) }

func emptyList() knownvalue.Check { return knownvalue.ListExact([]knownvalue.Check{}) }

func dataSourceCases() []dataSourceCase {
	const (
		host       = "data.defender_ti_host.test"
		reputation = "data.defender_ti_host_reputation.test"
		certs      = "data.defender_ti_host_ssl_certificates.test"
		components = "data.defender_ti_host_components.test"
		whois      = "data.defender_ti_host_whois.test"
		subdomains = "data.defender_ti_host_subdomains.test"
		passiveDNS = "data.defender_ti_host_passive_dns.test"
		port       = "data.defender_ti_host_port.test"
		fleet      = "data.defender_ti_hosts_ports.test"
		hosts      = "data.defender_ti_hosts.test"
	)
	const unknownHost = `host_id = "unknown.example.com"`
	const hostileHost = `host_id = "../hostPorts/x"`
	return []dataSourceCase{
		{
			typeName: "defender_ti_host",
			full:     `host_id = "8.8.8.8"`,
			checks: []statecheck.StateCheck{
				expect(host, at("id"), is("8.8.8.8")),
				expect(host, at("kind"), is("ip_address")),
				expect(host, at("first_seen_date_time"), is("2016-12-06T20:23:38Z")),
				expect(host, at("last_seen_date_time"), is("2026-12-05T23:59:00Z")),
				expect(host, at("autonomous_system"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"name": is("GOOGLE"), "number": i64(15169), "organization": is("Google LLC"), "value": is("AS15169"),
				})),
				expect(host, at("country_or_region"), is("US")),
				expect(host, at("hosting_provider"), is("Google LLC")),
				expect(host, at("netblock"), is("8.8.8.0/24")),
				expect(host, at("registrar"), knownvalue.Null()),
				expect(host, at("registrant"), knownvalue.Null()),
			},
			selected: `host_id = "contoso.com"`,
			selectedChecks: []statecheck.StateCheck{
				expect(host, at("kind"), is("hostname")),
				expect(host, at("registrar"), is("MarkMonitor Inc.")),
				expect(host, at("registrant"), is("Contoso Ltd.")),
				expect(host, at("autonomous_system"), knownvalue.Null()),
				expect(host, at("netblock"), knownvalue.Null()),
			},
			notFound:      unknownHost,
			notFoundError: `Host Not Found In Defender TI[\s\S]*unknown\.example\.com`,
			hostile:       hostileHost,
			collection:    fakegraph.CollectionHost,
			forbidden:     `host_id = "contoso.com"`,
		},
		{
			typeName: "defender_ti_host_reputation",
			full:     `host_id = "contoso.com"`,
			checks: []statecheck.StateCheck{
				expect(reputation, at("id"), is("contoso.com")),
				expect(reputation, at("classification"), is("suspicious")),
				expect(reputation, at("score"), i64(62)),
				expect(reputation, at("rules"), knownvalue.ListSizeExact(2)),
				expect(reputation, at("rules", 1), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"name":                is("Phishing kit observed"),
					"description":         is("A phishing kit imitating a sign-in page was served from vpn.contoso.com."),
					"severity":            is("high"),
					"related_details_url": is("https://ti.example.net/articles/phishing-kit-2026-11"),
				})),
			},
			selected: `host_id = "8.8.8.8"`,
			selectedChecks: []statecheck.StateCheck{
				expect(reputation, at("classification"), is("neutral")),
				expect(reputation, at("score"), i64(0)),
				expect(reputation, at("rules"), emptyList()),
			},
			notFound: unknownHost,
			notFoundChecks: []statecheck.StateCheck{
				expect(reputation, at("id"), knownvalue.Null()),
				expect(reputation, at("classification"), knownvalue.Null()),
				expect(reputation, at("rules"), knownvalue.Null()),
			},
			hostile:    hostileHost,
			collection: fakegraph.CollectionReputation,
			forbidden:  `host_id = "contoso.com"`,
		},
		{
			typeName: "defender_ti_host_ssl_certificates",
			full:     `host_id = "contoso.com"` + "\n" + `include_count = true`,
			checks: []statecheck.StateCheck{
				expect(certs, at("id"), is("contoso.com")),
				expect(certs, at("total_count"), i64(2)),
				expect(certs, at("ssl_certificates"), knownvalue.ListSizeExact(2)),
				// Sorted by expiry: the one about to expire first.
				expect(certs, at("ssl_certificates", 0, "ssl_certificate", "expiration_date_time"), is("2026-12-20T23:59:59Z")),
				expect(certs, at("ssl_certificates", 0, "ssl_certificate", "subject", "alternate_names"),
					knownvalue.ListExact([]knownvalue.Check{is("contoso.com"), is("www.contoso.com")})),
				expect(certs, at("ssl_certificates", 0, "ssl_certificate", "issuer", "common_name"), is("Contoso Issuing CA 02")),
				expect(certs, at("ssl_certificates", 0, "ports"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{"port": i64(443), "first_seen_date_time": is("2025-12-22T03:14:15Z"), "last_seen_date_time": is("2026-12-05T22:10:00Z")}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{"port": i64(8443), "first_seen_date_time": is("2026-01-15T09:30:00Z"), "last_seen_date_time": is("2026-12-04T17:45:00Z")}),
				})),
				expect(certs, at("ssl_certificates", 0, "host", "id"), is("contoso.com")),
				expect(certs, at("ssl_certificates", 1, "ssl_certificate", "expiration_date_time"), is("2027-09-01T00:00:00Z")),
			},
			selected: `host_id = "contoso.com"` + "\n" + `select = ["ports"]` + "\n" + `top = 1`,
			selectedChecks: []statecheck.StateCheck{
				expect(certs, at("total_count"), knownvalue.Null()),
				expect(certs, at("ssl_certificates"), knownvalue.ListSizeExact(1)),
				expect(certs, at("ssl_certificates", 0, "ports"), knownvalue.ListSizeExact(2)),
				expect(certs, at("ssl_certificates", 0, "ssl_certificate"), knownvalue.Null()),
				expect(certs, at("ssl_certificates", 0, "first_seen_date_time"), knownvalue.Null()),
			},
			notFound: unknownHost + "\n" + `include_count = true`,
			notFoundChecks: []statecheck.StateCheck{
				expect(certs, at("ssl_certificates"), emptyList()),
				expect(certs, at("total_count"), i64(0)),
			},
			hostile:    hostileHost,
			collection: fakegraph.CollectionSslCertificates,
			forbidden:  `host_id = "contoso.com"`,
		},
		{
			typeName: "defender_ti_host_components",
			full:     `host_id = "contoso.com"`,
			checks: []statecheck.StateCheck{
				expect(components, at("components"), knownvalue.ListSizeExact(5)),
				expect(components, at("components", 0, "name"), is("Apache HTTP Server")),
				expect(components, at("components", 2), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":                   is("Y29udG9zby5jb20kJE9wZW5TU0gkJDcuNA=="),
					"name":                 is("OpenSSH"),
					"version":              is("7.4"),
					"category":             is("Remote Access"),
					"first_seen_date_time": is("2017-03-01T00:00:00Z"),
					"last_seen_date_time":  is("2019-06-30T00:00:00Z"),
				})),
				expect(components, at("components", 4, "name"), is("nginx")),
				expect(components, at("total_count"), knownvalue.Null()),
			},
			selected: `host_id = "contoso.com"` + "\n" + `select = ["name", "version"]` + "\n" + `skip = 3`,
			selectedChecks: []statecheck.StateCheck{
				expect(components, at("components"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": is("Microsoft IIS"), "version": is("10.0"), "category": knownvalue.Null(), "id": knownvalue.Null()}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": is("jQuery"), "version": is("1.12.4"), "category": knownvalue.Null(), "id": knownvalue.Null()}),
				})),
			},
			notFound:       unknownHost,
			notFoundChecks: []statecheck.StateCheck{expect(components, at("components"), emptyList())},
			hostile:        hostileHost,
			collection:     fakegraph.CollectionComponents,
			forbidden:      `host_id = "contoso.com"`,
		},
		{
			typeName: "defender_ti_host_whois",
			full:     `host_id = "contoso.com"`,
			checks: []statecheck.StateCheck{
				expect(whois, at("expiration_date_time"), is("2027-01-15T05:00:00Z")),
				expect(whois, at("registration_date_time"), is("1999-01-15T05:00:00Z")),
				expect(whois, at("whois_server"), is("whois.markmonitor.com")),
				expect(whois, at("abuse", "name"), knownvalue.Null()),
				expect(whois, at("abuse", "email"), is("abusecomplaints@markmonitor.com")),
				expect(whois, at("admin", "address", "city"), is("Redmond")),
				expect(whois, at("nameservers"), knownvalue.ListSizeExact(2)),
			},
			notFound: `host_id = "8.8.8.8"`,
			notFoundChecks: []statecheck.StateCheck{
				expect(whois, at("id"), knownvalue.Null()),
				expect(whois, at("expiration_date_time"), knownvalue.Null()),
				expect(whois, at("nameservers"), knownvalue.Null()),
			},
			hostile:    hostileHost,
			collection: fakegraph.CollectionWhois,
			forbidden:  `host_id = "contoso.com"`,
		},
		{
			typeName: "defender_ti_host_subdomains",
			full:     `host_id = "contoso.com"`,
			checks: []statecheck.StateCheck{
				expect(subdomains, at("subdomains"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{"id": is("mail.contoso.com"), "first_seen_date_time": is("2018-02-14T09:00:00Z")}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{"id": is("vpn.contoso.com"), "first_seen_date_time": is("2026-11-02T17:25:00Z")}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{"id": is("www.contoso.com"), "first_seen_date_time": is("2016-05-01T12:00:00Z")}),
				})),
			},
			notFound:       unknownHost,
			notFoundChecks: []statecheck.StateCheck{expect(subdomains, at("subdomains"), emptyList())},
			hostile:        hostileHost,
			collection:     fakegraph.CollectionSubdomains,
			forbidden:      `host_id = "contoso.com"`,
		},
		{
			typeName: "defender_ti_host_passive_dns",
			full:     `host_id = "contoso.com"`,
			checks: []statecheck.StateCheck{
				expect(passiveDNS, at("passive_dns"), knownvalue.ListSizeExact(3)),
				expect(passiveDNS, at("passive_dns", 0), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":                   is("Y29udG9zby5jb20kJEEkJDIwMy4wLjExMy44MA=="),
					"collected_date_time":  is("2026-12-05T00:00:00Z"),
					"first_seen_date_time": is("2019-03-04T11:22:33Z"),
					"last_seen_date_time":  is("2026-12-05T22:10:00Z"),
					"record_type":          is("A"),
					"artifact":             knownvalue.ObjectExact(map[string]knownvalue.Check{"id": is("203.0.113.80"), "kind": is("ip_address")}),
					"parent_host":          knownvalue.ObjectExact(map[string]knownvalue.Check{"id": is("contoso.com")}),
				})),
			},
			selected: `host_id = "contoso.com"` + "\n" + `reverse = true`,
			selectedChecks: []statecheck.StateCheck{
				expect(passiveDNS, at("passive_dns"), knownvalue.ListSizeExact(1)),
				expect(passiveDNS, at("passive_dns", 0, "record_type"), is("CNAME")),
				expect(passiveDNS, at("passive_dns", 0, "artifact", "kind"), is("hostname")),
				expect(passiveDNS, at("passive_dns", 0, "parent_host", "id"), is("shop.fabrikam.com")),
			},
			notFound:       unknownHost,
			notFoundChecks: []statecheck.StateCheck{expect(passiveDNS, at("passive_dns"), emptyList())},
			hostile:        hostileHost,
			collection:     fakegraph.CollectionPassiveDNS,
			forbidden:      `host_id = "contoso.com"`,
		},
		{
			typeName: "defender_ti_host_ports",
			full:     `host_id = "contoso.com"`,
			checks: []statecheck.StateCheck{
				expect(hostPorts, at("ports"), knownvalue.ListSizeExact(7)),
				expect(hostPorts, at("open_ports"), knownvalue.ListExact([]knownvalue.Check{i64(22), i64(53), i64(80), i64(443), i64(3389)})),
				expect(hostPorts, at("total_count"), knownvalue.Null()),
			},
			selected: `host_id = "contoso.com"` + "\n" + `select = ["port"]`,
			selectedChecks: []statecheck.StateCheck{
				expect(hostPorts, at("ports", 0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"port": i64(22), "protocol": knownvalue.Null(), "status": knownvalue.Null(), "banners": knownvalue.Null(),
				})),
			},
			notFound:       unknownHost,
			notFoundChecks: []statecheck.StateCheck{expect(hostPorts, at("ports"), emptyList()), expect(hostPorts, at("open_ports"), emptyList())},
			hostile:        hostileHost,
			collection:     fakegraph.CollectionPorts,
			forbidden:      `host_id = "contoso.com"`,
		},
		{
			typeName: "defender_ti_host_port",
			full:     `id = "OC44LjguOCQkNDQz"`,
			checks: []statecheck.StateCheck{
				expect(port, at("port"), i64(443)),
				expect(port, at("times_observed"), i64(15590)),
				expect(port, at("host", "id"), is("85.13.139.18")),
				expect(port, at("most_recent_ssl_certificate", "sha1"), knownvalue.Null()),
			},
			selected: `id = "OC44LjguOCQkNDQz"` + "\n" + `select = ["status"]`,
			selectedChecks: []statecheck.StateCheck{
				expect(port, at("status"), is("open")),
				expect(port, at("port"), knownvalue.Null()),
			},
			notFound:      `id = "bm8kJHN1Y2g="`,
			notFoundError: `Host Port Not Found In Defender TI`,
			hostile:       `id = ""`,
			collection:    fakegraph.CollectionPorts,
			forbidden:     `id = "OC44LjguOCQkNDQz"`,
		},
		{
			typeName: "defender_ti_hosts_ports",
			full:     `host_ids = ["8.8.8.8", "contoso.com"]`,
			checks: []statecheck.StateCheck{
				expect(fleet, at("hosts", "8.8.8.8", "open_ports"), knownvalue.ListExact([]knownvalue.Check{i64(443)})),
				expect(fleet, at("hosts", "contoso.com", "ports"), knownvalue.ListSizeExact(7)),
				expect(fleet, at("not_found_host_ids"), emptyList()),
			},
			selected: `host_ids = ["8.8.8.8"]` + "\n" + `select = ["port"]`,
			selectedChecks: []statecheck.StateCheck{
				expect(fleet, at("hosts", "8.8.8.8", "ports", 0, "port"), i64(443)),
				expect(fleet, at("hosts", "8.8.8.8", "ports", 0, "banners"), knownvalue.Null()),
			},
			notFound: `host_ids = ["unknown.example.com"]`,
			notFoundChecks: []statecheck.StateCheck{
				expect(fleet, at("not_found_host_ids"), knownvalue.ListExact([]knownvalue.Check{is("unknown.example.com")})),
				expect(fleet, at("hosts", "unknown.example.com", "ports"), emptyList()),
			},
			hostile:    `host_ids = ["../hostPorts/x"]`,
			collection: fakegraph.CollectionPorts,
			forbidden:  `host_ids = ["contoso.com"]`,
		},
		{
			typeName: "defender_ti_hosts",
			full: `host_ids = ["8.8.8.8", "contoso.com"]` + "\n" +
				`include = ["host", "ports", "reputation", "ssl_certificates", "components", "whois", "subdomains", "passive_dns"]`,
			checks: []statecheck.StateCheck{
				expect(hosts, at("hosts", "8.8.8.8", "host", "kind"), is("ip_address")),
				expect(hosts, at("hosts", "8.8.8.8", "open_ports"), knownvalue.ListExact([]knownvalue.Check{i64(443)})),
				expect(hosts, at("hosts", "8.8.8.8", "reputation", "classification"), is("neutral")),
				expect(hosts, at("hosts", "8.8.8.8", "whois"), knownvalue.Null()),
				expect(hosts, at("hosts", "8.8.8.8", "subdomains"), emptyList()),
				expect(hosts, at("hosts", "contoso.com", "host", "registrar"), is("MarkMonitor Inc.")),
				expect(hosts, at("hosts", "contoso.com", "ports"), knownvalue.ListSizeExact(7)),
				expect(hosts, at("hosts", "contoso.com", "reputation", "score"), i64(62)),
				expect(hosts, at("hosts", "contoso.com", "ssl_certificates", 0, "ssl_certificate", "expiration_date_time"), is("2026-12-20T23:59:59Z")),
				expect(hosts, at("hosts", "contoso.com", "components", 2, "name"), is("OpenSSH")),
				expect(hosts, at("hosts", "contoso.com", "whois", "expiration_date_time"), is("2027-01-15T05:00:00Z")),
				expect(hosts, at("hosts", "contoso.com", "subdomains"), knownvalue.ListSizeExact(3)),
				expect(hosts, at("hosts", "contoso.com", "passive_dns", 0, "record_type"), is("A")),
				expect(hosts, at("not_found_host_ids"), emptyList()),
			},
			selected: `host_ids = ["contoso.com"]` + "\n" + `include = ["ports"]` + "\n" + `select = ["port"]`,
			selectedChecks: []statecheck.StateCheck{
				expect(hosts, at("hosts", "contoso.com", "ports", 0, "port"), i64(22)),
				expect(hosts, at("hosts", "contoso.com", "ports", 0, "banners"), knownvalue.Null()),
				expect(hosts, at("hosts", "contoso.com", "reputation"), knownvalue.Null()),
				expect(hosts, at("hosts", "contoso.com", "components"), knownvalue.Null()),
			},
			notFound: `host_ids = ["unknown.example.com"]` + "\n" + `include = ["reputation", "components"]`,
			notFoundChecks: []statecheck.StateCheck{
				expect(hosts, at("not_found_host_ids"), knownvalue.ListExact([]knownvalue.Check{is("unknown.example.com")})),
				expect(hosts, at("hosts", "unknown.example.com", "reputation"), knownvalue.Null()),
				expect(hosts, at("hosts", "unknown.example.com", "components"), emptyList()),
				expect(hosts, at("hosts", "unknown.example.com", "ports"), knownvalue.Null()),
			},
			hostile:    `host_ids = ["../hostPorts/x"]` + "\n" + `include = ["host"]`,
			collection: fakegraph.CollectionReputation,
			forbidden:  `host_ids = ["contoso.com"]` + "\n" + `include = ["reputation"]`,
		},
	}
}

// TestEveryDataSource runs every registered data source, through both read
// paths, on the emulator: a full read with exact values, `select`, a host
// Defender TI does not know, a hostile id refused before any request, and a
// 403 that names the status, Graph's code and the request-id.
func TestEveryDataSource(t *testing.T) {
	cases := dataSourceCases()
	registered := map[string]bool{}
	for _, create := range (&defenderProvider{}).DataSources(t.Context()) {
		registered[typeNameOf(t, create)] = true
	}
	for _, c := range cases {
		delete(registered, c.typeName)
	}
	for name := range registered {
		t.Errorf("data source %s has no case in TestEveryDataSource", name)
	}
	for _, c := range cases {
		for _, path := range readPaths {
			t.Run(c.typeName+"/"+path.name, func(t *testing.T) {
				// Each case has an emulator and a working directory of its
				// own; Terraform's start-ups overlap.
				t.Parallel()
				env := newEmulatorEnv(t, fakegraph.Config{})
				block := func(body string) string {
					return env.providerBlock() + fmt.Sprintf("data %q \"test\" {\n%s\n}\n", c.typeName, body)
				}
				steps := []resource.TestStep{{Config: block(c.full), ConfigStateChecks: c.checks}}
				if c.selected != "" {
					steps = append(steps, resource.TestStep{Config: block(c.selected), ConfigStateChecks: c.selectedChecks})
				}
				if c.notFoundError != "" {
					steps = append(steps, resource.TestStep{Config: block(c.notFound), ExpectError: regexp.MustCompile(c.notFoundError)})
				} else {
					steps = append(steps, resource.TestStep{Config: block(c.notFound), ConfigStateChecks: c.notFoundChecks})
				}
				var before int
				steps = append(steps,
					resource.TestStep{
						PreConfig:   func() { before = len(env.graphRequests("")) },
						Config:      block(c.hostile),
						PlanOnly:    true,
						ExpectError: regexp.MustCompile(`Invalid Host ID|Invalid Attribute Value Length`),
					},
					resource.TestStep{
						PreConfig: func() {
							if after := len(env.graphRequests("")); after != before {
								t.Errorf("the hostile id sent %d requests to Graph; want none", after-before)
							}
							env.emulator.AddFault(fakegraph.Fault{Route: fakegraph.RouteAny, Collection: c.collection,
								Kind: fakegraph.KindGraphError, Status: 403, Code: "accessDenied", Times: -1})
						},
						Config:      block(c.forbidden),
						ExpectError: regexp.MustCompile(`Access Denied By Microsoft Graph[\s\S]*403[\s\S]*accessDenied[\s\S]*request-id`),
					})
				resource.UnitTest(t, resource.TestCase{
					ProtoV6ProviderFactories: env.factoriesFor(path.server),
					Steps:                    steps,
				})
			})
		}
	}
}

func typeNameOf(t *testing.T, create func() datasource.DataSource) string {
	t.Helper()
	var resp datasource.MetadataResponse
	create().Metadata(t.Context(), datasource.MetadataRequest{ProviderTypeName: "defender"}, &resp)
	return resp.TypeName
}
