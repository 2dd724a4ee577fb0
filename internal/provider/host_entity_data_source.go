package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// A data source reading one entity under a host: host_id in, the entity's
// attributes out at the top level of the data source.

// notFoundPolicy is what a data source does when Graph answers 404.
type notFoundPolicy int

const (
	// notFoundIsNull: the entity's attributes are null, with one warning. For
	// what a host Defender TI knows may still lack (a WHOIS record, a
	// reputation), so configurations over many hosts keep working.
	notFoundIsNull notFoundPolicy = iota
	// notFoundIsError: an error on host_id. For the host itself, which the
	// configuration asked for by name.
	notFoundIsError
)

// hostEntitySpec is all that is particular to one such data source.
type hostEntitySpec[T any] struct {
	typeSuffix  string // after the provider's name: "_ti_host_reputation"
	description string
	what        string // in a sentence: "the reputation"
	title       string // in diagnostics' summaries: "Host Reputation"
	table       *table[T]
	read        func(context.Context, *graph.Client, string, graph.QueryOptions) (*T, error)
	notFound    notFoundPolicy
}

func (s *hostEntitySpec[T]) newDataSource() datasource.DataSource {
	return &hostEntityDataSource[T]{spec: s}
}

type hostEntityDataSource[T any] struct {
	graphDataSource
	spec *hostEntitySpec[T]
}

func (d *hostEntityDataSource[T]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + d.spec.typeSuffix
}

func (d *hostEntityDataSource[T]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := d.spec.table.attributes()
	attributes["host_id"] = hostIDAttribute()
	resp.Schema = schema.Schema{MarkdownDescription: d.spec.description, Attributes: attributes}
}

func (d *hostEntityDataSource[T]) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	s := d.spec
	var hostID types.String
	diags := &resp.Diagnostics
	diags.Append(req.Config.GetAttribute(ctx, path.Root("host_id"), &hostID)...)
	if diags.HasError() {
		return
	}
	client, ok := d.configuredClient(diags)
	if !ok {
		return
	}
	id := hostID.ValueString()
	entity, err := s.read(ctx, client, id, graph.QueryOptions{})
	switch {
	case graph.IsNotFound(err) && s.notFound == notFoundIsError:
		diags.AddAttributeError(path.Root("host_id"), "Host Not Found In Defender TI",
			fmt.Sprintf("Microsoft Graph has no Defender Threat Intelligence record of host %q (%s). Check the host id.", id, err))
		return
	case graph.IsNotFound(err):
		diags.AddWarning(s.title+" Not Found In Defender TI", fmt.Sprintf("Microsoft Graph has no Defender Threat Intelligence record of %s of host %q (%s): "+
			"Defender TI does not know the host, or holds no such record for it. The data source's attributes are null instead of failing, "+
			"so configurations iterating over many hosts keep working; check the host id if you expected a record.", s.what, id, err))
		entity = nil
	case err != nil:
		readTarget{title: s.title, what: fmt.Sprintf("%s of host %q", s.what, id)}.addReadError(ctx, diags, err)
		return
	}
	var computed map[string]tftypes.Value
	if entity == nil {
		computed = map[string]tftypes.Value{}
		for name, typ := range s.table.object.AttributeTypes {
			computed[name] = tftypes.NewValue(typ, nil)
		}
	} else {
		computed = s.table.attributeValues(entity, selection{all: true})
	}
	raw, err := stateValue(req.Config.Raw, computed)
	if err != nil {
		diags.AddError("Unable To Build State", fmt.Sprintf("Converting %s of host %q to state failed: %s. This is a bug in the provider.", s.what, id, err))
		return
	}
	resp.State.Raw = raw
}
