package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
)

// readPaths are the two servers a read can go through: the provider's own
// server, which serves data source reads itself, and the plugin framework's,
// the reference it must equal.
var readPaths = []struct {
	name   string
	server func(*defenderProvider) (tfprotov6.ProviderServer, error)
}{
	{"fast", func(p *defenderProvider) (tfprotov6.ProviderServer, error) { return NewProtocol6Server(p)() }},
	{"framework", func(p *defenderProvider) (tfprotov6.ProviderServer, error) {
		return providerserver.NewProtocol6WithError(p)()
	}},
}

// readCase is one read, run through both paths on an emulator of its own.
type readCase struct {
	name     string
	typeName string
	// provider overrides attributes of the provider configuration that
	// reaches the emulator.
	provider map[string]tftypes.Value
	config   map[string]tftypes.Value
	fault    *fakegraph.Fault
	// want checks the fast path's answer, so that a case proves what it is
	// named for and not only that both paths agree.
	want func(t *testing.T, state tftypes.Value, resp *tfprotov6.ReadDataSourceResponse)
}

// TestReadPathsAgree runs each data source's reads through the provider's
// server and the framework's, and requires the same state, the same
// diagnostics (severity, summary, detail, attribute path) and the same
// deferral.
func TestReadPathsAgree(t *testing.T) {
	for _, rc := range readPathCases() {
		t.Run(rc.name, func(t *testing.T) {
			var answers []readAnswer
			for _, path := range readPaths {
				answers = append(answers, readThrough(t, path.server, rc))
			}
			fast, framework := answers[0], answers[1]
			if !fast.state.Equal(framework.state) {
				diffs, _ := fast.state.Diff(framework.state)
				t.Errorf("the states differ in %d places; first: %v", len(diffs), firstDiff(diffs))
			}
			compareDiagnostics(t, fast.resp.Diagnostics, framework.resp.Diagnostics)
			if (fast.resp.Deferred == nil) != (framework.resp.Deferred == nil) ||
				(fast.resp.Deferred != nil && fast.resp.Deferred.Reason != framework.resp.Deferred.Reason) {
				t.Errorf("deferred: fast %+v, framework %+v", fast.resp.Deferred, framework.resp.Deferred)
			}
			rc.want(t, fast.state, fast.resp)
		})
	}
}

func readPathCases() []readCase {
	forbidden := fakegraph.Fault{Route: fakegraph.RouteList, Kind: fakegraph.KindGraphError, Status: 403, Code: "accessDenied", Times: -1}
	return []readCase{
		{
			name: "reference example", typeName: hostPortsTypeName,
			config: map[string]tftypes.Value{"host_id": str("8.8.8.8")},
			want:   wantPorts(1),
		},
		{
			name: "select", typeName: hostPortsTypeName,
			config: map[string]tftypes.Value{"host_id": str(fakegraph.SamplePagingHost), "select": stringSetValue("port", "protocol", "status")},
			want:   wantPorts(250),
		},
		{
			name: "filter", typeName: hostPortsTypeName,
			config: map[string]tftypes.Value{"host_id": str("contoso.com"), "filter": filterObject(map[string]tftypes.Value{
				"status": stringSetValue("open"), "ports": numberSetValue(80, 443, 3389),
			})},
			want: wantPorts(3),
		},
		{
			name: "expand_most_recent_ssl_certificate", typeName: hostPortsTypeName,
			config: map[string]tftypes.Value{"host_id": str("8.8.8.8"), "expand_most_recent_ssl_certificate": tftypes.NewValue(tftypes.Bool, true)},
			want: wantValueAt(tftypes.NewAttributePath().WithAttributeName("ports").WithElementKeyInt(0).
				WithAttributeName("most_recent_ssl_certificate").WithAttributeName("issuer").WithAttributeName("common_name"), str("GTS CA 1C3")),
		},
		{
			name: "include_count", typeName: hostPortsTypeName,
			config: map[string]tftypes.Value{"host_id": str(fakegraph.SamplePagingHost), "include_count": tftypes.NewValue(tftypes.Bool, true), "top": num(5)},
			want:   both(wantPorts(5), wantValueAt(tftypes.NewAttributePath().WithAttributeName("total_count"), num(250))),
		},
		{
			name: "404", typeName: hostPortsTypeName,
			config: map[string]tftypes.Value{"host_id": str("unknown.example.com")},
			want:   wantReadDiagnostic(tfprotov6.DiagnosticSeverityWarning, "Host Not Found In Defender TI"),
		},
		{
			name: "403", typeName: hostPortsTypeName,
			config: map[string]tftypes.Value{"host_id": str("8.8.8.8")},
			fault:  &forbidden,
			want:   wantReadDiagnostic(tfprotov6.DiagnosticSeverityError, "Access Denied By Microsoft Graph"),
		},
		{
			name: "hostPort", typeName: hostPortTypeName,
			config: map[string]tftypes.Value{"id": str("Y29udG9zby5jb20kJDQ0Mw=="), "expand_most_recent_ssl_certificate": tftypes.NewValue(tftypes.Bool, true)},
			want: both(wantAttribute("port", num(443)), wantValueAt(tftypes.NewAttributePath().
				WithAttributeName("most_recent_ssl_certificate").WithAttributeName("subject").WithAttributeName("common_name"), str("contoso.com"))),
		},
		{
			name: "hostPort select", typeName: hostPortTypeName,
			config: map[string]tftypes.Value{"id": str("Y29udG9zby5jb20kJDQ0Mw=="), "select": stringSetValue("status")},
			want:   wantAttribute("status", str("open")),
		},
		{
			name: "hostPort 404 on its id", typeName: hostPortTypeName,
			config: map[string]tftypes.Value{"id": str("bm8tc3VjaC1wb3J0")},
			want: func(t *testing.T, _ tftypes.Value, resp *tfprotov6.ReadDataSourceResponse) {
				if len(resp.Diagnostics) != 1 || !resp.Diagnostics[0].Attribute.Equal(tftypes.NewAttributePath().WithAttributeName("id")) {
					t.Errorf("want one diagnostic on id, got %s", describeDiagnostics(resp.Diagnostics))
				}
			},
		},
		{
			name: "hostPort 403", typeName: hostPortTypeName,
			config: map[string]tftypes.Value{"id": str("Y29udG9zby5jb20kJDQ0Mw==")},
			fault:  &fakegraph.Fault{Route: fakegraph.RouteGet, Kind: fakegraph.KindGraphError, Status: 403, Code: "accessDenied", Times: -1},
			want:   wantReadDiagnostic(tfprotov6.DiagnosticSeverityError, "Access Denied By Microsoft Graph"),
		},
		{
			name: "hostPort with an unknown provider configuration defers", typeName: hostPortTypeName,
			provider: map[string]tftypes.Value{"client_id": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)},
			config:   map[string]tftypes.Value{"id": str("Y29udG9zby5jb20kJDQ0Mw==")},
			want:     wantDeferred,
		},
		{
			name: "fleet with an unknown host", typeName: "defender_ti_hosts_ports",
			config: map[string]tftypes.Value{
				"host_ids": stringSetValue("8.8.8.8", "contoso.com", "unknown.example.com"), "select": stringSetValue("port", "status"),
				"include_count": tftypes.NewValue(tftypes.Bool, true),
			},
			want: wantReadDiagnostic(tfprotov6.DiagnosticSeverityWarning, "Hosts Not Found In Defender TI"),
		},
		{
			name: "fleet with a host denied", typeName: "defender_ti_hosts_ports",
			config: map[string]tftypes.Value{"host_ids": stringSetValue("8.8.8.8", "contoso.com")},
			fault:  &fakegraph.Fault{Route: fakegraph.RouteList, Host: "contoso.com", Kind: fakegraph.KindGraphError, Status: 403, Code: "accessDenied", Times: -1},
			want:   wantReadDiagnostic(tfprotov6.DiagnosticSeverityError, "Access Denied By Microsoft Graph"),
		},
		{
			name: "fleet with an unknown provider configuration defers", typeName: "defender_ti_hosts_ports",
			provider: map[string]tftypes.Value{"client_secret": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)},
			config:   map[string]tftypes.Value{"host_ids": stringSetValue("8.8.8.8")},
			want:     wantDeferred,
		},
		{
			name: "unknown provider configuration defers", typeName: hostPortsTypeName,
			provider: map[string]tftypes.Value{"tenant_id": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)},
			config:   map[string]tftypes.Value{"host_id": str("8.8.8.8")},
			want:     wantDeferred,
		},
	}
}

const hostPortTypeName = "defender_ti_host_port"

func wantDeferred(t *testing.T, state tftypes.Value, resp *tfprotov6.ReadDataSourceResponse) {
	t.Helper()
	if resp.Deferred == nil || resp.Deferred.Reason != tfprotov6.DeferredReasonProviderConfigUnknown || state.IsKnown() {
		t.Errorf("want an unknown state deferred for the unknown provider configuration, got deferred %+v, state %v", resp.Deferred, state)
	}
}

// wantValueAt checks one value of the state, anywhere in it.
func wantValueAt(path *tftypes.AttributePath, want tftypes.Value) func(*testing.T, tftypes.Value, *tfprotov6.ReadDataSourceResponse) {
	return func(t *testing.T, state tftypes.Value, resp *tfprotov6.ReadDataSourceResponse) {
		t.Helper()
		got, _, err := tftypes.WalkAttributePath(state, path)
		if err != nil {
			t.Fatalf("%s: %v (diagnostics: %s)", path, err, describeDiagnostics(resp.Diagnostics))
		}
		if value, ok := got.(tftypes.Value); !ok || !value.Equal(want) {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
}

// both runs two checks.
func both(first, second func(*testing.T, tftypes.Value, *tfprotov6.ReadDataSourceResponse)) func(*testing.T, tftypes.Value, *tfprotov6.ReadDataSourceResponse) {
	return func(t *testing.T, state tftypes.Value, resp *tfprotov6.ReadDataSourceResponse) {
		t.Helper()
		first(t, state, resp)
		second(t, state, resp)
	}
}

func wantAttribute(name string, want tftypes.Value) func(*testing.T, tftypes.Value, *tfprotov6.ReadDataSourceResponse) {
	return func(t *testing.T, state tftypes.Value, resp *tfprotov6.ReadDataSourceResponse) {
		t.Helper()
		var attributes map[string]tftypes.Value
		if err := state.As(&attributes); err != nil {
			t.Fatal(err)
		}
		if len(resp.Diagnostics) > 0 || !attributes[name].Equal(want) {
			t.Errorf("want %s = %v and no diagnostics, got %v and %s", name, want, attributes[name], describeDiagnostics(resp.Diagnostics))
		}
	}
}

// filterObject builds a value of the host ports data source's filter type.
func filterObject(set map[string]tftypes.Value) tftypes.Value {
	filterType, ok := types.ObjectType{AttrTypes: attrTypesOf(filterAttributes())}.TerraformType(context.Background()).(tftypes.Object)
	if !ok {
		panic("the filter attribute's type is not an object")
	}
	values := make(map[string]tftypes.Value, len(filterType.AttributeTypes))
	for name, attributeType := range filterType.AttributeTypes {
		values[name] = tftypes.NewValue(attributeType, nil)
		if v, ok := set[name]; ok {
			values[name] = v
		}
	}
	return tftypes.NewValue(filterType, values)
}

func wantPorts(n int) func(*testing.T, tftypes.Value, *tfprotov6.ReadDataSourceResponse) {
	return func(t *testing.T, state tftypes.Value, resp *tfprotov6.ReadDataSourceResponse) {
		t.Helper()
		if len(resp.Diagnostics) > 0 {
			t.Fatalf("want no diagnostics, got %s: %s", resp.Diagnostics[0].Summary, resp.Diagnostics[0].Detail)
		}
		var attributes map[string]tftypes.Value
		var ports []tftypes.Value
		if err := state.As(&attributes); err != nil {
			t.Fatal(err)
		}
		if err := attributes["ports"].As(&ports); err != nil {
			t.Fatal(err)
		}
		if len(ports) != n {
			t.Errorf("want %d ports, got %d", n, len(ports))
		}
	}
}

func wantReadDiagnostic(severity tfprotov6.DiagnosticSeverity, summary string) func(*testing.T, tftypes.Value, *tfprotov6.ReadDataSourceResponse) {
	return func(t *testing.T, _ tftypes.Value, resp *tfprotov6.ReadDataSourceResponse) {
		t.Helper()
		if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Severity != severity || resp.Diagnostics[0].Summary != summary {
			t.Errorf("want one %v %q, got %s", severity, summary, describeDiagnostics(resp.Diagnostics))
		}
	}
}

type readAnswer struct {
	resp  *tfprotov6.ReadDataSourceResponse
	state tftypes.Value
}

// readThrough configures a provider server on a new emulator and reads rc
// through it, as Terraform would: provider schema, configuration, read.
func readThrough(t *testing.T, newServer func(*defenderProvider) (tfprotov6.ProviderServer, error), rc readCase) readAnswer {
	t.Helper()
	ctx := context.Background()
	emulator := fakegraphtest.Start(t, fakegraph.Config{})
	if rc.fault != nil {
		emulator.AddFault(*rc.fault)
	}
	server, schemas := configuredServer(t, emulator, newServer, rc.provider)
	dataSourceType := schemas.DataSourceSchemas[rc.typeName].ValueType()
	resp, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{
		TypeName:           rc.typeName,
		Config:             dynamicValue(t, objectWith(t, dataSourceType, rc.config)),
		ClientCapabilities: &tfprotov6.ReadDataSourceClientCapabilities{DeferralAllowed: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	answer := readAnswer{resp: resp}
	if resp.State != nil {
		if answer.state, err = resp.State.Unmarshal(dataSourceType); err != nil {
			t.Fatal(err)
		}
	}
	return answer
}

// perRequestText matches what differs between any two requests to Graph:
// request ids and the date in Graph's error envelope.
var perRequestText = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|date: [0-9T:-]+`)

func compareDiagnostics(t *testing.T, fast, framework []*tfprotov6.Diagnostic) {
	t.Helper()
	if len(fast) != len(framework) {
		t.Fatalf("fast path: %s; framework: %s", describeDiagnostics(fast), describeDiagnostics(framework))
	}
	for i := range fast {
		a, b := fast[i], framework[i]
		if a.Severity != b.Severity || a.Summary != b.Summary ||
			perRequestText.ReplaceAllString(a.Detail, "…") != perRequestText.ReplaceAllString(b.Detail, "…") {
			t.Errorf("diagnostic %d: fast %v %q: %s; framework %v %q: %s", i, a.Severity, a.Summary, a.Detail, b.Severity, b.Summary, b.Detail)
		}
		if (a.Attribute == nil) != (b.Attribute == nil) || (a.Attribute != nil && !a.Attribute.Equal(b.Attribute)) {
			t.Errorf("diagnostic %d: attribute path fast %v, framework %v", i, a.Attribute, b.Attribute)
		}
	}
}

func describeDiagnostics(diags []*tfprotov6.Diagnostic) string {
	if len(diags) == 0 {
		return "no diagnostics"
	}
	text := ""
	for _, d := range diags {
		text += d.Severity.String() + " " + d.Summary + ": " + d.Detail + "; "
	}
	return text
}

func firstDiff(diffs []tftypes.ValueDiff) any {
	if len(diffs) == 0 {
		return nil
	}
	return diffs[0]
}

// TestFastPathServesEveryDataSource keeps the fast path in use: each data
// source's schema must be one the framework's generic steps cannot change,
// or its reads silently fall back to the slower path.
func TestFastPathServesEveryDataSource(t *testing.T) {
	p := &defenderProvider{version: "test"}
	served := fastDataSources(context.Background(), p)
	if want := len(p.DataSources(context.Background())); len(served) != want || want == 0 {
		t.Errorf("the fast path serves %d of the provider's %d data sources", len(served), want)
	}
}

// TestFastPathRefusesSchemasItCannotServe proves the guard: a block, or a
// type that may carry semantic equality, sends a data source to the
// framework's path.
func TestFastPathRefusesSchemasItCannotServe(t *testing.T) {
	plain := schema.Schema{Attributes: map[string]schema.Attribute{"name": schema.StringAttribute{Optional: true}}}
	if !needsNoGenericSteps(plain) {
		t.Fatal("a schema of one string attribute was refused")
	}
	withBlock := schema.Schema{Blocks: map[string]schema.Block{"rule": schema.ListNestedBlock{}}}
	if needsNoGenericSteps(withBlock) {
		t.Error("a schema with a block was accepted")
	}
	dynamic := schema.Schema{Attributes: map[string]schema.Attribute{"any": schema.DynamicAttribute{Optional: true}}}
	if needsNoGenericSteps(dynamic) {
		t.Error("a schema with a dynamic attribute was accepted")
	}
	custom := schema.Schema{Attributes: map[string]schema.Attribute{"when": schema.StringAttribute{Optional: true, CustomType: customStringType{}}}}
	if needsNoGenericSteps(custom) {
		t.Error("a schema with a custom string type was accepted")
	}
}

// customStringType stands for a type such as a timestamp with semantic
// equality.
type customStringType struct{ basetypes.StringType }

// A provider with a provider_meta schema keeps every read on the
// framework's path, which decodes provider_meta for Read.
func TestFastPathLeavesProviderMetaToTheFramework(t *testing.T) {
	if served := fastDataSources(context.Background(), providerWithMeta{&defenderProvider{version: "test"}}); len(served) != 0 {
		t.Errorf("the fast path serves %d data sources of a provider with a meta schema", len(served))
	}
}

type providerWithMeta struct{ *defenderProvider }

func (providerWithMeta) MetaSchema(context.Context, provider.MetaSchemaRequest, *provider.MetaSchemaResponse) {
}
