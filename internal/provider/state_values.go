package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// Ports are turned straight into Terraform values (tftypes), the form the
// state is sent in. Going through the framework's typed values first cost a
// second copy of every value and a rebuild of each object's Terraform type
// per value when converting (see docs/guides/performance.md).

// selection tells which hostPort attributes the configuration asked for;
// the others are set to null, whatever Graph returned for them.
type selection struct {
	all   bool
	names map[string]bool
}

func (s selection) has(attribute string) bool { return s.all || s.names[attribute] }

// selectionOf reads a `select` set of a table's attributes: the attributes
// to keep, and the Graph properties to ask for, which add those in needed
// (properties the provider itself reads) to the ones selected. A null set
// selects all and asks for everything.
func selectionOf(ctx context.Context, properties []string, selected types.Set, needed []string) (selection, []string, diag.Diagnostics) {
	if selected.IsNull() {
		return selection{all: true}, nil, nil
	}
	var names []string
	diags := selected.ElementsAs(ctx, &names, false)
	sel := selection{names: make(map[string]bool, len(names))}
	for _, name := range names {
		sel.names[name] = true
	}
	var asked []string
	for _, property := range properties {
		if sel.names[snakeCase(property)] || slices.Contains(needed, property) {
			asked = append(asked, property)
		}
	}
	return sel, asked, diags
}

var openPortsType = tftypes.List{ElementType: tftypes.Number}

// openPortsValue lists the distinct open port numbers of sorted ports.
func openPortsValue(sorted []graph.HostPort) tftypes.Value {
	open := make([]tftypes.Value, 0)
	last := int32(-1)
	for i := range sorted {
		if sorted[i].Status == graph.StatusOpen && sorted[i].Port != last {
			open = append(open, int64Value(int64(sorted[i].Port)))
			last = sorted[i].Port
		}
	}
	return tftypes.NewValue(openPortsType, open)
}

// Null values are immutable, so one of each kind serves every attribute.
var (
	nullString = tftypes.NewValue(tftypes.String, nil)
	nullNumber = tftypes.NewValue(tftypes.Number, nil)
	nullBool   = tftypes.NewValue(tftypes.Bool, nil)
)

func stringValue(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func stringPointerValue(s *string) tftypes.Value {
	if s == nil {
		return nullString
	}
	return stringValue(*s)
}

func int64Value(v int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, v) }

func int64PointerValue(v *int64) tftypes.Value {
	if v == nil {
		return nullNumber
	}
	return int64Value(*v)
}

func boolPointerValue(v *bool) tftypes.Value {
	if v == nil {
		return nullBool
	}
	return tftypes.NewValue(tftypes.Bool, *v)
}

func timestampValue(ts *graph.Timestamp) tftypes.Value {
	if ts == nil {
		return nullString
	}
	return stringValue(ts.String())
}

// stringListValue is null for nil, the way Graph's null arrives.
func stringListValue(items []string) tftypes.Value {
	if items == nil {
		return tftypes.NewValue(stringListType, nil)
	}
	elements := make([]tftypes.Value, len(items))
	for i, item := range items {
		elements[i] = stringValue(item)
	}
	return tftypes.NewValue(stringListType, elements)
}

var stringListType = tftypes.List{ElementType: tftypes.String}
