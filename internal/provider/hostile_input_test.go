package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

const hostPortsTypeName = "defender_ti_host_ports"

// protocolServer is the provider behind the same protocol 6 server Terraform
// talks to, for tests that need many validation round trips: starting a
// terraform process per bad value would cost a second each.
type protocolServer struct {
	server  tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

func newProtocolServer(t *testing.T) *protocolServer {
	t.Helper()
	server, err := NewProtocol6Server(&defenderProvider{version: "test"})()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range schemas.Diagnostics {
		t.Fatalf("GetProviderSchema: %s: %s", d.Summary, d.Detail)
	}
	return &protocolServer{server: server, schemas: schemas}
}

// objectWith returns a value of typ holding set and null everywhere else, as
// Terraform sends a configuration that leaves optional attributes out.
func objectWith(t testing.TB, typ tftypes.Type, set map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	object, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("%s is not an object type", typ)
	}
	values := make(map[string]tftypes.Value, len(object.AttributeTypes))
	for name, attrType := range object.AttributeTypes {
		values[name] = tftypes.NewValue(attrType, nil)
	}
	for name, value := range set {
		if _, ok := object.AttributeTypes[name]; !ok {
			t.Fatalf("the schema has no attribute %q", name)
		}
		values[name] = value
	}
	return tftypes.NewValue(object, values)
}

func dynamicValue(t testing.TB, value tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(value.Type(), value)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func (p *protocolServer) dataSourceType() tftypes.Type {
	return p.schemas.DataSourceSchemas[hostPortsTypeName].ValueType()
}

// validateDataSource runs ValidateDataResourceConfig on a configuration
// holding set (other attributes null) and returns its diagnostics.
func (p *protocolServer) validateDataSource(t *testing.T, set map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	resp, err := p.server.ValidateDataResourceConfig(context.Background(), &tfprotov6.ValidateDataResourceConfigRequest{
		TypeName: hostPortsTypeName,
		Config:   dynamicValue(t, objectWith(t, p.dataSourceType(), set)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

func (p *protocolServer) validateProvider(t *testing.T, set map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	resp, err := p.server.ValidateProviderConfig(context.Background(), &tfprotov6.ValidateProviderConfigRequest{
		Config: dynamicValue(t, objectWith(t, p.schemas.Provider.ValueType(), set)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// filterValue builds the `filter` attribute's object.
func (p *protocolServer) filterValue(t *testing.T, set map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	object, ok := p.dataSourceType().(tftypes.Object)
	if !ok {
		t.Fatalf("the data source type %s is not an object", p.dataSourceType())
	}
	return objectWith(t, object.AttributeTypes["filter"], set)
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
func num(n int64) tftypes.Value  { return tftypes.NewValue(tftypes.Number, n) }

func stringSetValue(values ...string) tftypes.Value {
	elems := make([]tftypes.Value, len(values))
	for i, v := range values {
		elems[i] = str(v)
	}
	return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
}

func numberSetValue(values ...int64) tftypes.Value {
	elems := make([]tftypes.Value, len(values))
	for i, v := range values {
		elems[i] = num(v)
	}
	return tftypes.NewValue(tftypes.Set{ElementType: tftypes.Number}, elems)
}

func attrPath(names ...string) *tftypes.AttributePath {
	p := tftypes.NewAttributePath()
	for _, name := range names {
		p = p.WithAttributeName(name)
	}
	return p
}

// wantDiagnostic is the one error a bad value must produce.
type wantDiagnostic struct {
	path    *tftypes.AttributePath
	summary string
	detail  string // a fragment of the detail
}

// checkOneError requires exactly one diagnostic, an error, on want.path with
// want.summary and a detail containing want.detail.
func checkOneError(t *testing.T, diags []*tfprotov6.Diagnostic, want wantDiagnostic) {
	t.Helper()
	if len(diags) != 1 {
		var got []string
		for _, d := range diags {
			got = append(got, fmt.Sprintf("%s at %v: %s", d.Summary, d.Attribute, d.Detail))
		}
		t.Fatalf("want exactly one diagnostic %q, got %d: %q", want.summary, len(diags), got)
	}
	d := diags[0]
	if d.Severity != tfprotov6.DiagnosticSeverityError {
		t.Errorf("severity %s, want error", d.Severity)
	}
	if d.Summary != want.summary {
		t.Errorf("summary %q, want %q", d.Summary, want.summary)
	}
	if !strings.Contains(d.Detail, want.detail) {
		t.Errorf("detail %q lacks %q", d.Detail, want.detail)
	}
	if d.Attribute == nil || !d.Attribute.Equal(want.path) {
		t.Errorf("attribute path %v, want %v", d.Attribute, want.path)
	}
}

// hostileHostIDs are host_id values that must be refused at plan time, each
// with a fragment of the sentence that tells the user what is wrong.
var hostileHostIDs = []struct {
	name, hostID, detail string
}{
	{"empty", "", "must not be empty"},
	{"a space", " ", "leading or trailing white space"},
	{"leading tab", "\t8.8.8.8", "leading or trailing white space"},
	{"trailing newline", "8.8.8.8\n", "leading or trailing white space"},
	{"inner space", "contoso com", "white space or a control character"},
	{"NUL", "8.8.8.8\x00", "white space or a control character"},
	{"inner newline", "contoso.com\r\nHost: evil.example", "white space or a control character"},
	{"DEL", "contoso\x7f.com", "white space or a control character"},
	{"ESC sequence", "\x1b[31mcontoso.com", "white space or a control character"},
	{"dot dot", "..", "empty label"},
	{"single dot", ".", "empty label"},
	{"leading dot", ".contoso.com", "empty label"},
	{"double dot inside", "contoso..com", "empty label"},
	{"trailing dot", "contoso.com.", "ends with a dot"},
	{"slash", "a/b", `contains "/"`},
	{"path traversal", "contoso.com/../../me", "empty label"},
	{"extra path segment", "contoso.com/ports", `contains "/"`},
	{"question mark", "?x", `contains "?"`},
	{"query injection", "contoso.com?$top=1", `contains "?"`},
	{"hash", "#", `contains "#"`},
	{"percent-encoded dots", "%2e%2e", `contains "%"`},
	{"percent-encoded slash", "a%2Fb", `contains "%"`},
	{"backslash", `contoso\com`, `contains "\\"`},
	{"at sign", "user@contoso.com", `contains "@"`},
	{"underscore", "my_host.example", `contains "_"`},
	{"wildcard", "*.contoso.com", `contains "*"`},
	{"IPv4 CIDR", "10.0.0.0/8", `contains "/"`},
	{"IPv6 CIDR", "2001:db8::/32", "neither an IP address nor a host name"},
	{"URL", "https://contoso.com/", "neither an IP address nor a host name"},
	{"host and port", "contoso.com:443", "neither an IP address nor a host name"},
	{"IPv4 and port", "8.8.8.8:53", "neither an IP address nor a host name"},
	{"IPv6 in brackets", "[2001:db8::1]", "bracketed"},
	{"IPv6 in brackets with port", "[2001:db8::1]:443", "bracketed"},
	{"IPv6 zone", "fe80::1%eth0", "IPv6 zone"},
	{"IPv6 with two ::", "1::2::3", "neither an IP address nor a host name"},
	{"leading hyphen", "-contoso.com", "starts or ends with a hyphen"},
	{"trailing hyphen in label", "contoso-.com", "starts or ends with a hyphen"},
	{"label of 64", strings.Repeat("a", 64) + ".example", "a label of 64 characters; the limit is 63"},
	{"name of 255", strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("b", 63), "255 characters long; the limit is 253"},
	{"three octets", "1.2.3", "neither a valid IPv4 address nor a host name"},
	{"octet over 255", "256.1.1.1", "neither a valid IPv4 address nor a host name"},
	{"leading zeros", "010.001.001.001", "neither a valid IPv4 address nor a host name"},
	{"five octets", "8.8.8.8.8", "neither a valid IPv4 address nor a host name"},
	{"bare number", "134744072", "neither a valid IPv4 address nor a host name"},
	{"unicode name", "bücher.example", "punycode (xn--) form"},
	{"unicode script", "例え.jp", "punycode (xn--) form"},
	{"fullwidth dot", "contoso．com", "punycode (xn--) form"},
	{"right-to-left override", "moc.osotnoc\u202e", "punycode (xn--) form"},
	{"soft hyphen", "conto\u00adso.com", "punycode (xn--) form"},
	{"invalid UTF-8", "contoso\xff.com", "non-ASCII"},
}

// TestHostIDRejectsHostileValues runs every hostile host_id through the
// framework's real validation path, as Terraform's validate and plan do.
func TestHostIDRejectsHostileValues(t *testing.T) {
	p := newProtocolServer(t)
	if len(hostileHostIDs) < 30 {
		t.Fatalf("only %d hostile host ids; the issue asks for at least 30", len(hostileHostIDs))
	}
	for _, c := range hostileHostIDs {
		t.Run(c.name, func(t *testing.T) {
			checkOneError(t, p.validateDataSource(t, map[string]tftypes.Value{"host_id": str(c.hostID)}), wantDiagnostic{
				path:    attrPath("host_id"),
				summary: "Invalid Host ID",
				detail:  c.detail,
			})
			if diags := p.validateDataSource(t, map[string]tftypes.Value{"host_id": str(c.hostID)}); len(diags) == 1 &&
				!strings.HasPrefix(diags[0].Detail, "The value of host_id is not valid: ") {
				t.Errorf("detail %q does not name host_id first", diags[0].Detail)
			}
		})
	}
}

// TestHostIDAcceptsUnusualValidValues guards the other side: the validator
// must not refuse real hosts just because they look unusual.
func TestHostIDAcceptsUnusualValidValues(t *testing.T) {
	p := newProtocolServer(t)
	for _, hostID := range []string{
		"8.8.8.8", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::1", "::ffff:192.0.2.128", "2001:DB8:0:0:0:0:0:1",
		"contoso.com", "CONTOSO.COM", "xn--bcher-kva.example", "localhost", "a", "1a.example", "3com.com",
		strings.Repeat("a", 63) + ".example", strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("b", 61),
	} {
		if diags := p.validateDataSource(t, map[string]tftypes.Value{"host_id": str(hostID)}); len(diags) != 0 {
			t.Errorf("host_id %q: unexpected diagnostics: %s: %s", hostID, diags[0].Summary, diags[0].Detail)
		}
	}
}

// TestHostPortsRejectsBadOptions covers every other data source attribute
// with a constraint; each diagnostic must point at the attribute (or set
// element) at fault.
func TestHostPortsRejectsBadOptions(t *testing.T) {
	p := newProtocolServer(t)
	host := map[string]tftypes.Value{"host_id": str("contoso.com")}
	with := func(extra map[string]tftypes.Value) map[string]tftypes.Value {
		set := map[string]tftypes.Value{}
		for k, v := range host {
			set[k] = v
		}
		for k, v := range extra {
			set[k] = v
		}
		return set
	}
	element := func(p *tftypes.AttributePath, value tftypes.Value) *tftypes.AttributePath {
		return p.WithElementKeyValue(value)
	}
	filter := func(set map[string]tftypes.Value) map[string]tftypes.Value {
		return with(map[string]tftypes.Value{"filter": p.filterValue(t, set)})
	}
	cases := []struct {
		name   string
		config map[string]tftypes.Value
		want   wantDiagnostic
	}{
		{"select camelCase", with(map[string]tftypes.Value{"select": stringSetValue("firstSeenDateTime")}),
			wantDiagnostic{element(attrPath("select"), str("firstSeenDateTime")), "Invalid Attribute Value Match", `"first_seen_date_time"`}},
		{"select nested path", with(map[string]tftypes.Value{"select": stringSetValue("port", "host/id")}),
			wantDiagnostic{element(attrPath("select"), str("host/id")), "Invalid Attribute Value Match", `got: "host/id"`}},
		{"select upper case", with(map[string]tftypes.Value{"select": stringSetValue("PORT")}),
			wantDiagnostic{element(attrPath("select"), str("PORT")), "Invalid Attribute Value Match", `got: "PORT"`}},
		{"select OData injection", with(map[string]tftypes.Value{"select": stringSetValue("port&$filter=x")}),
			wantDiagnostic{element(attrPath("select"), str("port&$filter=x")), "Invalid Attribute Value Match", `got: "port&$filter=x"`}},
		{"select empty", with(map[string]tftypes.Value{"select": stringSetValue()}),
			wantDiagnostic{attrPath("select"), "Invalid Attribute Value", "set must contain at least 1 elements"}},
		{"top zero", with(map[string]tftypes.Value{"top": num(0)}),
			wantDiagnostic{attrPath("top"), "Invalid Attribute Value", "value must be at least 1, got: 0"}},
		{"top negative", with(map[string]tftypes.Value{"top": num(-5)}),
			wantDiagnostic{attrPath("top"), "Invalid Attribute Value", "value must be at least 1, got: -5"}},
		{"skip negative", with(map[string]tftypes.Value{"skip": num(-1)}),
			wantDiagnostic{attrPath("skip"), "Invalid Attribute Value", "value must be at least 0, got: -1"}},
		{"last_seen_after date only", filter(map[string]tftypes.Value{"last_seen_after": str("2024-01-31")}),
			wantDiagnostic{attrPath("filter", "last_seen_after"), "Invalid Timestamp", `"2024-01-31" is not an RFC 3339 timestamp`}},
		{"last_seen_after month 17", filter(map[string]tftypes.Value{"last_seen_after": str("2023-17-01T00:00:00Z")}),
			wantDiagnostic{attrPath("filter", "last_seen_after"), "Invalid Timestamp", "is not an RFC 3339 timestamp"}},
		{"last_seen_after no zone", filter(map[string]tftypes.Value{"last_seen_after": str("2023-04-10T18:05:00")}),
			wantDiagnostic{attrPath("filter", "last_seen_after"), "Invalid Timestamp", "is not an RFC 3339 timestamp"}},
		{"last_seen_after words", filter(map[string]tftypes.Value{"last_seen_after": str("yesterday")}),
			wantDiagnostic{attrPath("filter", "last_seen_after"), "Invalid Timestamp", `"yesterday" is not an RFC 3339 timestamp`}},
		{"status unknown", filter(map[string]tftypes.Value{"status": stringSetValue("open", "up")}),
			wantDiagnostic{element(attrPath("filter", "status"), str("up")), "Invalid Attribute Value Match", `got: "up"`}},
		{"status wrong case", filter(map[string]tftypes.Value{"status": stringSetValue("Open")}),
			wantDiagnostic{element(attrPath("filter", "status"), str("Open")), "Invalid Attribute Value Match", `got: "Open"`}},
		{"protocol unknown", filter(map[string]tftypes.Value{"protocol": stringSetValue("icmp")}),
			wantDiagnostic{element(attrPath("filter", "protocol"), str("icmp")), "Invalid Attribute Value Match", `got: "icmp"`}},
		{"port over 65535", filter(map[string]tftypes.Value{"ports": numberSetValue(443, 65536)}),
			wantDiagnostic{element(attrPath("filter", "ports"), num(65536)), "Invalid Attribute Value", "value must be between 0 and 65535, got: 65536"}},
		{"port negative", filter(map[string]tftypes.Value{"ports": numberSetValue(-1)}),
			wantDiagnostic{element(attrPath("filter", "ports"), num(-1)), "Invalid Attribute Value", "value must be between 0 and 65535, got: -1"}},
		{"min_times_observed negative", filter(map[string]tftypes.Value{"min_times_observed": num(-1)}),
			wantDiagnostic{attrPath("filter", "min_times_observed"), "Invalid Attribute Value", "value must be at least 0, got: -1"}},
		{"expand without selecting the certificate", with(map[string]tftypes.Value{
			"select": stringSetValue("port"), "expand_most_recent_ssl_certificate": tftypes.NewValue(tftypes.Bool, true)}),
			wantDiagnostic{attrPath("expand_most_recent_ssl_certificate"), "Certificate Expanded But Not Selected", "select leaves out most_recent_ssl_certificate"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkOneError(t, p.validateDataSource(t, c.config), c.want)
		})
	}
}

// TestProviderRejectsBadSettings does the same for the provider block.
func TestProviderRejectsBadSettings(t *testing.T) {
	p := newProtocolServer(t)
	cases := []struct {
		name, attribute string
		value           tftypes.Value
		summary, detail string
	}{
		{"max_retries negative", "max_retries", num(-1), "Invalid Attribute Value", "value must be between 0 and 20, got: -1"},
		{"max_retries too many", "max_retries", num(21), "Invalid Attribute Value", "value must be between 0 and 20, got: 21"},
		{"request_timeout zero", "request_timeout", str("0s"), "Invalid Duration", `"0s" is not a positive duration`},
		{"request_timeout negative", "request_timeout", str("-5s"), "Invalid Duration", `"-5s" is not a positive duration`},
		{"request_timeout no unit", "request_timeout", str("30"), "Invalid Duration", `"30" is not a positive duration`},
		{"throttle_timeout zero", "throttle_timeout", str("0s"), "Invalid Duration", `"0s" is not a positive duration`},
		{"throttle_timeout no unit", "throttle_timeout", str("5"), "Invalid Duration", `"5" is not a positive duration`},
		{"api_version unknown", "api_version", str("v2.0"), "Invalid Attribute Value Match", `got: "v2.0"`},
		{"graph_endpoint plain http", "graph_endpoint", str("http://graph.example.com"), "Invalid Endpoint", "only https is allowed except on a loopback address"},
		{"graph_endpoint without scheme", "graph_endpoint", str("graph.microsoft.com"), "Invalid Endpoint", "must be an absolute https URL"},
		{"graph_endpoint with credentials", "graph_endpoint", str("https://user:pass@graph.example.com"), "Invalid Endpoint", "must not carry credentials"},
		{"graph_endpoint with query", "graph_endpoint", str("https://graph.example.com/?x=1"), "Invalid Endpoint", "must not carry credentials, a query or a fragment"},
		{"authority_host ftp", "authority_host", str("ftp://login.example.com"), "Invalid Endpoint", "must be an absolute https URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diags := p.validateProvider(t, map[string]tftypes.Value{c.attribute: c.value})
			checkOneError(t, diags, wantDiagnostic{attrPath(c.attribute), c.summary, c.detail})
		})
	}
}

// TestHostileInputFailsPlanWithoutRequests sends a few of the bad values
// through a real terraform or tofu plan: the diagnostic reaches the user and
// nothing reaches the emulator, not even a token request.
func TestHostileInputFailsPlanWithoutRequests(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	cases := []struct{ attributes, want string }{
		{`host_id = ""`, `(?s)Invalid Host ID.*host_id.*must not be empty`},
		{`host_id = "bücher.example"`, `(?s)Invalid Host ID.*host_id.*punycode`},
		{`host_id = "contoso.com."`, `(?s)Invalid Host ID.*host_id.*trailing dot`},
		{`host_id = "fe80::1%eth0"`, `(?s)Invalid Host ID.*host_id.*IPv6 zone`},
		{`host_id = "8.8.8.8\r\nX-Injected: 1"`, `(?s)Invalid Host ID.*host_id.*control character`},
		{"host_id = \"contoso.com\"\n  top = 0", `(?s)Invalid Attribute Value.*top.*at least 1`},
		{"host_id = \"contoso.com\"\n  filter = { status = [\"up\"] }", `(?s)Invalid Attribute Value Match.*filter.status.*"up"`},
		{"host_id = \"contoso.com\"\n  filter = { last_seen_after = \"2024-01-31\" }", `(?s)Invalid Timestamp.*filter.last_seen_after`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      env.providerBlock() + "\ndata \"defender_ti_host_ports\" \"test\" {\n  " + c.attributes + "\n}\n",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: env.factories(), Steps: steps})
	if requests := env.emulator.Requests(); len(requests) != 0 {
		t.Errorf("invalid configurations caused %d requests to the emulator, want none: %+v", len(requests), requests)
	}
}

// TestUnusualHostIDsReachGraphEscapedExactly reads valid ids that look odd
// (IPv6 with colons, an IPv4-mapped IPv6 address, punycode) and checks the
// exact path the emulator received. None is in the dataset, so each is a 404
// turned into an empty list with a warning.
func TestUnusualHostIDsReachGraphEscapedExactly(t *testing.T) {
	env := newEmulatorEnv(t, fakegraph.Config{})
	hosts := []struct{ hostID, path string }{
		{"2001:db8::1", "/v1.0/security/threatIntelligence/hosts/2001:db8::1/ports"},
		{"::ffff:192.0.2.128", "/v1.0/security/threatIntelligence/hosts/::ffff:192.0.2.128/ports"},
		{"xn--bcher-kva.example", "/v1.0/security/threatIntelligence/hosts/xn--bcher-kva.example/ports"},
	}
	var list []string
	checks := []resource.TestCheckFunc{}
	var stateChecks []statecheck.StateCheck
	for i, h := range hosts {
		list = append(list, fmt.Sprintf("%q", h.hostID))
		checks = append(checks, resource.TestCheckResourceAttr(fmt.Sprintf("data.defender_ti_host_ports.each.%d", i), "id", h.hostID))
		// A 404 is an empty listing: empty lists, not null.
		address := fmt.Sprintf("data.defender_ti_host_ports.each[%d]", i)
		stateChecks = append(stateChecks,
			statecheck.ExpectKnownValue(address, tfjsonpath.New("ports"), knownvalue.ListExact([]knownvalue.Check{})),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("open_ports"), knownvalue.ListExact([]knownvalue.Check{})))
	}
	checks = append(checks, func(*terraform.State) error {
		seen := map[string]int{}
		for _, r := range env.emulator.Requests() {
			if r.Origin != fakegraph.OriginGraph {
				continue
			}
			seen[r.Path]++
			if r.Status != 404 {
				return fmt.Errorf("%s answered %d, want 404", r.Path, r.Status)
			}
		}
		for _, h := range hosts {
			if seen[h.path] == 0 {
				return fmt.Errorf("host %q: no request for path %s; the emulator saw %v", h.hostID, h.path, seen)
			}
		}
		if len(seen) != len(hosts) {
			return fmt.Errorf("want exactly %d distinct paths, got %v", len(hosts), seen)
		}
		return nil
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.providerBlock() + `
locals {
  hosts = [` + strings.Join(list, ", ") + `]
}
data "defender_ti_host_ports" "each" {
  count   = length(local.hosts)
  host_id = local.hosts[count.index]
}`,
			Check:             resource.ComposeAggregateTestCheckFunc(checks...),
			ConfigStateChecks: stateChecks,
		}},
	})
}
