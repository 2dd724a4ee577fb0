package provider

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph/fakegraphtest"
	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// benchPorts are the 5,000 ports of one generated host, every field filled
// (certificates expanded), in the shuffled order of a Graph that does not
// sort. They are built once, and only when a benchmark runs.
var benchPorts = sync.OnceValues(func() ([]graph.HostPort, error) {
	data := fakegraph.Generate(1, 5000, 7)
	ids := data.PortIDs(data.Hosts()[0])
	ports := make([]graph.HostPort, len(ids))
	for i, id := range ids {
		raw, _ := data.HostPortJSON(id)
		if err := json.Unmarshal(raw, &ports[i]); err != nil {
			return nil, err
		}
	}
	r := rand.New(rand.NewPCG(7, 7))
	r.Shuffle(len(ports), func(i, j int) { ports[i], ports[j] = ports[j], ports[i] })
	return ports, nil
})

func loadBenchPorts(b *testing.B) []graph.HostPort {
	b.Helper()
	ports, err := benchPorts()
	if err != nil {
		b.Fatal(err)
	}
	return ports
}

// BenchmarkHostPortsRead measures each step of the data source's Read after
// the client returns, on 5,000 ports: filtering, sorting, conversion to
// framework values, open_ports, and writing the state (the framework's own
// conversion to Terraform's types, for scale). Sorting and filtering work
// in place, so they run on a fresh copy each time; "copy" is that cost alone.
func BenchmarkHostPortsRead(b *testing.B) {
	ctx := context.Background()
	source := loadBenchPorts(b)
	work := make([]graph.HostPort, len(source))

	b.Run("copy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			copy(work, source)
		}
	})
	b.Run("sort", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			copy(work, source)
			sortHostPorts(work)
		}
	})
	b.Run("filter", func(b *testing.B) {
		filter := benchFilter(b, ctx)
		b.ReportAllocs()
		for b.Loop() {
			copy(work, source)
			if kept := filter.apply(work); len(kept) == 0 || len(kept) == len(work) {
				b.Fatalf("the filter kept %d of %d ports; it should keep some", len(kept), len(work))
			}
		}
	})
	b.Run("convert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = portsValue(source, selection{all: true})
		}
	})
	b.Run("convert-select", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = portsValue(source, benchSelection)
		}
	})
	b.Run("open-ports", func(b *testing.B) {
		copy(work, source)
		sortHostPorts(work)
		b.ReportAllocs()
		for b.Loop() {
			_ = openPortsValue(work)
		}
	})
	// Writing the state. "state-set" is a framework provider's ordinary way:
	// State.Set from a model of framework values, built outside the timing.
	// "state" is Read's way, from Graph's ports to the state's Terraform
	// value, conversion included.
	dataSourceSchema := hostPortsSchema(b, ctx)
	stateType := dataSourceSchema.Type().TerraformType(ctx)
	for _, bc := range []struct {
		name string
		sel  selection
	}{
		{"state-set", selection{all: true}},
		{"state-set-select", benchSelection},
	} {
		b.Run(bc.name, func(b *testing.B) {
			copy(work, source)
			sortHostPorts(work)
			model := hostPortsDataSourceModel{
				ID:         types.StringValue("h0001.example.com"),
				HostID:     types.StringValue("h0001.example.com"),
				Ports:      frameworkList(b, ctx, portsValue(work, bc.sel)),
				OpenPorts:  frameworkList(b, ctx, openPortsValue(work)),
				TotalCount: types.Int64Null(),
				hostPortsOptionsModel: hostPortsOptionsModel{
					Select: types.SetNull(types.StringType),
					Filter: types.ObjectNull(attrTypesOf(filterAttributes())),
				},
			}
			b.ReportAllocs()
			for b.Loop() {
				state := tfsdk.State{Schema: dataSourceSchema, Raw: tftypes.NewValue(stateType, nil)}
				if diags := state.Set(ctx, &model); diags.HasError() {
					b.Fatal(diags)
				}
			}
		})
	}
	config := configOnlyHostID(b, "h0001.example.com")
	for _, bc := range []struct {
		name string
		sel  selection
	}{
		{"state", selection{all: true}},
		{"state-select", benchSelection},
	} {
		b.Run(bc.name, func(b *testing.B) {
			copy(work, source)
			sortHostPorts(work)
			b.ReportAllocs()
			for b.Loop() {
				query := hostPortsQuery{sel: bc.sel}
				if _, err := stateValue(config, query.resultValues(&graph.HostPortList{Items: work})); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// frameworkList turns a list of Terraform values into the framework's.
func frameworkList(b *testing.B, ctx context.Context, list tftypes.Value) types.List {
	b.Helper()
	var elementType attr.Type = types.Int64Type
	if list.Type().Equal(hostPortTable.list) {
		elementType = types.ObjectType{AttrTypes: hostPortTable.attrs}
	}
	value, err := types.ListType{ElemType: elementType}.ValueFromTerraform(ctx, list)
	if err != nil {
		b.Fatal(err)
	}
	listValue, ok := value.(types.List)
	if !ok {
		b.Fatalf("converting a list gave a %T", value)
	}
	return listValue
}

// benchSelection is a `select` of a few attributes, as a configuration reading
// many hosts would set to keep its state small.
var benchSelection = selection{names: map[string]bool{"port": true, "protocol": true, "status": true}}

// portsValue is the conversion step of Read.
func portsValue(ports []graph.HostPort, sel selection) tftypes.Value {
	values := make([]tftypes.Value, len(ports))
	for i := range ports {
		values[i] = tftypes.NewValue(hostPortTable.object, hostPortTable.attributeValues(&ports[i], sel))
	}
	return tftypes.NewValue(hostPortTable.list, values)
}

// benchFilter sets every condition of `filter`, as a configuration would.
func benchFilter(b *testing.B, ctx context.Context) portFilter {
	b.Helper()
	model := &hostPortsFilterModel{
		Status:           types.SetValueMust(types.StringType, []attr.Value{types.StringValue("open"), types.StringValue("filtered")}),
		Protocol:         types.SetValueMust(types.StringType, []attr.Value{types.StringValue("tcp")}),
		Ports:            types.SetNull(types.Int64Type),
		LastSeenAfter:    types.StringValue(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)),
		MinTimesObserved: types.Int64Value(100),
	}
	filter, diags := newPortFilter(ctx, model)
	if diags.HasError() {
		b.Fatal(diags)
	}
	return filter
}

func hostPortsSchema(b *testing.B, ctx context.Context) schema.Schema {
	b.Helper()
	var resp datasource.SchemaResponse
	NewHostPortsDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		b.Fatal(resp.Diagnostics)
	}
	return resp.Schema
}

// BenchmarkReadDataSource reads one host through the provider's protocol
// server, as Terraform calls it for each for_each instance: from the
// configuration's DynamicValue to the state's, including the Graph client on
// an emulator without added latency. It is the provider's whole cost per host
// in `make bench`: "250-ports" is a host of three pages of 100, every
// attribute or a select of three; "3-ports" is three pages of one port, where
// the cost per read rather than per port shows.
//
// Each case runs through the provider's server ("fast") and through the
// plugin framework's own protocol server ("framework"), the reference the
// fast path must equal, so one run of the benchmark compares the two.
func BenchmarkReadDataSource(b *testing.B) {
	for _, bc := range []struct {
		name            string
		ports, pageSize int
		attributes      []string
	}{
		{"250-ports", 250, 100, nil},
		{"250-ports-select", 250, 100, []string{"port", "protocol", "status"}},
		{"3-ports", 3, 1, nil},
	} {
		for _, path := range readPaths {
			b.Run(bc.name+"/"+path.name, func(b *testing.B) {
				server, config := readDataSourceSetup(b, path.server, bc.ports, bc.pageSize, bc.attributes)
				b.ReportAllocs()
				for b.Loop() {
					resp, err := server.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: "defender_ti_host_ports", Config: config})
					if err != nil || len(resp.Diagnostics) > 0 {
						b.Fatalf("reading: %v %v", err, resp.Diagnostics)
					}
				}
			})
		}
	}
}

// readDataSourceSetup starts an emulator serving one generated host,
// configures a provider server for it and returns the data source
// configuration that reads the host.
func readDataSourceSetup(b *testing.B, newServer func(*defenderProvider) (tfprotov6.ProviderServer, error), ports, pageSize int, selected []string) (tfprotov6.ProviderServer, *tfprotov6.DynamicValue) {
	b.Helper()
	data := fakegraph.Generate(1, ports, 7)
	emulator := fakegraphtest.Start(b, fakegraph.Config{Data: data, PageSize: pageSize})
	server, schemas := configuredServer(b, emulator, newServer, nil)
	attributes := map[string]tftypes.Value{"host_id": tftypes.NewValue(tftypes.String, data.Hosts()[0])}
	if selected != nil {
		names := make([]tftypes.Value, len(selected))
		for i, name := range selected {
			names[i] = tftypes.NewValue(tftypes.String, name)
		}
		attributes["select"] = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, names)
	}
	return server, dynamicValue(b, objectWith(b, schemas.DataSourceSchemas["defender_ti_host_ports"].ValueType(), attributes))
}

// BenchmarkReadFleet reads 200 hosts of three one-port pages in one
// defender_ti_hosts_ports through the provider's protocol server, on an
// emulator without added latency: the provider's whole cost of the fleet
// plan in `make bench`.
func BenchmarkReadFleet(b *testing.B) {
	ctx := context.Background()
	data := fakegraph.Generate(200, 3, 1)
	emulator := fakegraphtest.Start(b, fakegraph.Config{Data: data, PageSize: 1})
	server, schemas := configuredServer(b, emulator, readPaths[0].server, nil)
	hosts := make([]tftypes.Value, 0, 200)
	for _, host := range data.Hosts() {
		hosts = append(hosts, tftypes.NewValue(tftypes.String, host))
	}
	config := dynamicValue(b, objectWith(b, schemas.DataSourceSchemas["defender_ti_hosts_ports"].ValueType(), map[string]tftypes.Value{
		"host_ids": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, hosts),
	}))
	b.ReportAllocs()
	for b.Loop() {
		resp, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "defender_ti_hosts_ports", Config: config})
		if err != nil || len(resp.Diagnostics) > 0 {
			b.Fatalf("reading: %v %v", err, resp.Diagnostics)
		}
	}
}
