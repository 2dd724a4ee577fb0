package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// The framework reads the configuration again after Read, so building the
// state from it must leave it as it was.
func TestStateValueLeavesTheConfigurationUntouched(t *testing.T) {
	config := configOnlyHostID(t, "198.51.100.10")
	attributes := map[string]tftypes.Value{}
	if err := config.As(&attributes); err != nil {
		t.Fatal(err)
	}
	before := config.Copy()

	query := hostPortsQuery{sel: selection{all: true}}
	state, err := stateValue(config, query.resultValues(&graph.HostPortList{Items: []graph.HostPort{{ID: "a", Port: 443, Protocol: "tcp", Status: graph.StatusOpen}}}))
	if err != nil {
		t.Fatal(err)
	}
	if !config.Equal(before) {
		t.Fatalf("stateValue changed the configuration:\n%s", config)
	}
	var got map[string]tftypes.Value
	if err := state.As(&got); err != nil {
		t.Fatal(err)
	}
	var ports []tftypes.Value
	if err := got["ports"].As(&ports); err != nil || len(ports) != 1 {
		t.Fatalf("the state's ports are %s (%v), want one port", got["ports"], err)
	}
	if !got["host_id"].Equal(attributes["host_id"]) {
		t.Fatalf("the state's host_id is %s, want the configuration's", got["host_id"])
	}
}

// configOnlyHostID is a configuration of the data source that sets host_id
// alone, as Terraform sends it.
func configOnlyHostID(tb testing.TB, hostID string) tftypes.Value {
	tb.Helper()
	var resp datasource.SchemaResponse
	NewHostPortsDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	stateType, ok := resp.Schema.Type().TerraformType(context.Background()).(tftypes.Object)
	if !ok {
		tb.Fatalf("the data source's type is not an object")
	}
	attributes := map[string]tftypes.Value{}
	for name, attributeType := range stateType.AttributeTypes {
		attributes[name] = tftypes.NewValue(attributeType, nil)
	}
	attributes["host_id"] = tftypes.NewValue(tftypes.String, hostID)
	return tftypes.NewValue(stateType, attributes)
}

// Every name select accepts is an attribute of the hostPort object and the
// snake_case of a Graph hostPort property, and every attribute and property
// can be selected.
func TestSelectableAttributesMatchSchemaAndGraph(t *testing.T) {
	attributes := hostPortTable.attributes()
	selectable := map[string]bool{}
	for _, name := range selectableAttributes {
		selectable[name] = true
		if _, ok := attributes[name]; !ok {
			t.Errorf("select accepts %q, which is not a hostPort attribute", name)
		}
	}
	for name := range attributes {
		if !selectable[name] {
			t.Errorf("the hostPort attribute %q cannot be selected", name)
		}
	}
	for _, property := range graph.HostPortProperties {
		if !selectable[snakeCase(property)] {
			t.Errorf("the Graph property %q has no selectable attribute", property)
		}
	}
	if len(selectableAttributes) != len(graph.HostPortProperties) || len(attributes) != len(graph.HostPortProperties) {
		t.Errorf("%d selectable names, %d attributes, %d Graph properties: they must be the same set",
			len(selectableAttributes), len(attributes), len(graph.HostPortProperties))
	}
}
