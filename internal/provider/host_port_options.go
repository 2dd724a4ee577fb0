package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// The options every read of hostPorts takes, a list or a single one: which
// attributes to return (`select`) and whether to expand the certificate.

// selectableAttributes are the snake_case names `select` accepts, one per
// hostPort property, in Graph's order.
var selectableAttributes = hostPortTable.selectable()

// hostPortSelectAttribute is `select`; note says what leaving attributes
// out does in this data source.
func hostPortSelectAttribute(note string) schema.SetAttribute {
	return schema.SetAttribute{
		Optional:    true,
		ElementType: types.StringType,
		MarkdownDescription: "The port attributes to return (Graph's `$select`), by their names in this schema: " +
			backtickList(selectableAttributes) + ". " + note + " When unset, every attribute is returned.",
		Validators: []validator.Set{
			setvalidator.SizeAtLeast(1),
			setvalidator.ValueStringsAre(stringvalidator.OneOf(selectableAttributes...)),
		},
	}
}

func expandCertificateAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "When `true`, every field of `most_recent_ssl_certificate` is returned (Graph's " +
			"`$expand=mostRecentSslCertificate`); otherwise only its `id`. Defaults to `false`.",
	}
}

// certificateExpansion is Graph's $expand for expand_most_recent_ssl_certificate.
func certificateExpansion(expand types.Bool) []string {
	if expand.ValueBool() {
		return []string{graph.ExpandMostRecentSslCertificate}
	}
	return nil
}

// validateCertificateSelected refuses an expansion that select would throw
// away, in the configuration of any data source taking both.
func validateCertificateSelected(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var selected types.Set
	var expand types.Bool
	diags.Append(config.GetAttribute(ctx, path.Root("select"), &selected)...)
	diags.Append(config.GetAttribute(ctx, path.Root("expand_most_recent_ssl_certificate"), &expand)...)
	if diags.HasError() || selected.IsNull() || selected.IsUnknown() || !expand.ValueBool() {
		return
	}
	var names []string
	diags.Append(selected.ElementsAs(ctx, &names, false)...)
	if !slices.Contains(names, "most_recent_ssl_certificate") {
		diags.AddAttributeError(path.Root("expand_most_recent_ssl_certificate"), "Certificate Expanded But Not Selected",
			"expand_most_recent_ssl_certificate is true, but select leaves out most_recent_ssl_certificate, so the expanded certificate would be discarded. "+
				"Add \"most_recent_ssl_certificate\" to select, or drop expand_most_recent_ssl_certificate.")
	}
}
