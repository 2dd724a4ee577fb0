package provider

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// graphDataSource is embedded by every data source of the provider: it
// keeps the Graph client Configure hands over, so each data source holds only
// what is its own.
type graphDataSource struct {
	client *graph.Client
}

func (d *graphDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return // not configured yet: Terraform calls Configure again later
	}
	client, ok := req.ProviderData.(*graph.Client)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Data Source Configure Type",
			fmt.Sprintf("The provider handed the data source a %T where a *graph.Client was expected. This is a bug in the provider; please report it.", req.ProviderData))
		return
	}
	d.client = client
}

// startRead decodes a read's configuration into model and returns the
// client to read with; false means the diagnostics say why not.
func (d *graphDataSource) startRead(ctx context.Context, config tfsdk.Config, model any, diags *diag.Diagnostics) (*graph.Client, bool) {
	diags.Append(config.Get(ctx, model)...)
	if diags.HasError() {
		return nil, false
	}
	return d.configuredClient(diags)
}

// configuredClient returns the Graph client, or reports that the provider
// has none, which happens when its configuration failed.
func (d *graphDataSource) configuredClient(diags *diag.Diagnostics) (*graph.Client, bool) {
	if d.client == nil {
		diags.AddError("Provider Not Configured",
			"The defender provider has no Graph client, so the data source cannot read. Check the provider configuration for earlier errors.")
		return nil, false
	}
	return d.client, true
}

// stateValue is a data source's state: the configuration as it was given,
// with the attributes Read computed set over it. It is built as one Terraform
// value, not through State.Set, whose reflection over thousands of nested
// objects cost several times the rest of a read (see
// docs/guides/performance.md).
func stateValue(config tftypes.Value, computed map[string]tftypes.Value) (tftypes.Value, error) {
	var given map[string]tftypes.Value
	if err := config.As(&given); err != nil {
		return tftypes.Value{}, err
	}
	// As hands out the configuration's own map, which the framework reads
	// again after Read: the state gets a copy.
	attributes := maps.Clone(given)
	maps.Copy(attributes, computed)
	return tftypes.NewValue(config.Type(), attributes), nil
}
