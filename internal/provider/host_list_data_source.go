package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// A data source listing a collection under a host: host_id in, the list out,
// sorted so plans stay stable whatever order Graph pages arrive in, with
// the OData options Graph documents for that collection. A host Defender TI
// does not know is an empty list and one warning, as for ports.

// hostListSpec is all that is particular to one such data source.
type hostListSpec[T any] struct {
	typeSuffix  string // after the provider's name: "_ti_host_components"
	description string
	// list names the list attribute, the snake_case of Graph's navigation
	// property, and what it holds, in a sentence ("the components").
	list, listDescription, what string
	title                       string // in diagnostics' summaries: "Host Components"
	table                       *table[T]
	read                        func(context.Context, *graph.Client, string, graph.QueryOptions) (*graph.List[T], error)
	// reverse, when set, adds `reverse`, which reads it instead of read.
	reverse func(context.Context, *graph.Client, string, graph.QueryOptions) (*graph.List[T], error)
	// paging offers top and skip; selecting offers select and include_count.
	paging, selecting bool
	// needed are the Graph properties read whatever `select` says: those
	// the sort reads.
	needed []string
	order  func(a, b *T) int
}

func (s *hostListSpec[T]) newDataSource() datasource.DataSource {
	return &hostListDataSource[T]{spec: s}
}

type hostListDataSource[T any] struct {
	graphDataSource
	spec *hostListSpec[T]
}

func (d *hostListDataSource[T]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + d.spec.typeSuffix
}

func (d *hostListDataSource[T]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	s := d.spec
	attributes := map[string]schema.Attribute{
		"host_id": hostIDAttribute(),
		"id":      schema.StringAttribute{Computed: true, MarkdownDescription: "The host id, the same as `host_id`."},
		s.list:    listNested(s.listDescription+" Empty when Defender TI does not know the host.", s.table.attributes()),
	}
	if s.paging {
		attributes["top"] = schema.Int64Attribute{
			Optional:            true,
			MarkdownDescription: "The most items to return (Graph's `$top`). Paging stops as soon as this many are in hand.",
			Validators:          []validator.Int64{int64validator.AtLeast(1)},
		}
		attributes["skip"] = schema.Int64Attribute{
			Optional:            true,
			MarkdownDescription: "How many items to skip from the start of Graph's list (Graph's `$skip`).",
			Validators:          []validator.Int64{int64validator.AtLeast(0)},
		}
	}
	if s.selecting {
		selectable := s.table.selectable()
		attributes["select"] = schema.SetAttribute{
			Optional:    true,
			ElementType: types.StringType,
			MarkdownDescription: "The attributes to return (Graph's `$select`), by their names in this schema: " + backtickList(selectable) +
				". Attributes left out are null, which keeps state small. When unset, every attribute is returned.",
			Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(selectable...))},
		}
		attributes["include_count"] = schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "When `true`, `total_count` is filled from Graph's `@odata.count`. Defaults to `false`.",
		}
		attributes["total_count"] = schema.Int64Attribute{
			Computed: true,
			MarkdownDescription: "How many items Graph holds for the host, before `top` and `skip`, when `include_count` is `true`; " +
				"null otherwise.",
		}
	}
	if s.reverse != nil {
		attributes["reverse"] = schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "When `true`, reads reverse passive DNS (`/passiveDnsReverse`): the names seen resolving to the host. " +
				"Defaults to `false`: the answers seen for the host's name (`/passiveDns`).",
		}
	}
	resp.Schema = schema.Schema{MarkdownDescription: s.description, Attributes: attributes}
}

func (d *hostListDataSource[T]) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	s := d.spec
	var hostID types.String
	var top, skip types.Int64
	var selected types.Set
	var includeCount, reverse types.Bool
	diags := &resp.Diagnostics
	diags.Append(req.Config.GetAttribute(ctx, path.Root("host_id"), &hostID)...)
	if s.paging {
		diags.Append(req.Config.GetAttribute(ctx, path.Root("top"), &top)...)
		diags.Append(req.Config.GetAttribute(ctx, path.Root("skip"), &skip)...)
	}
	if s.selecting {
		diags.Append(req.Config.GetAttribute(ctx, path.Root("select"), &selected)...)
		diags.Append(req.Config.GetAttribute(ctx, path.Root("include_count"), &includeCount)...)
	}
	if s.reverse != nil {
		diags.Append(req.Config.GetAttribute(ctx, path.Root("reverse"), &reverse)...)
	}
	if diags.HasError() {
		return
	}
	client, ok := d.configuredClient(diags)
	if !ok {
		return
	}
	sel, properties, selectDiags := selectionOf(ctx, s.table.properties(), types.Set(selected), s.needed)
	diags.Append(selectDiags...)
	if diags.HasError() {
		return
	}
	options := graph.QueryOptions{Top: int(top.ValueInt64()), Skip: int(skip.ValueInt64()), Select: properties, Count: includeCount.ValueBool()}
	read := s.read
	if reverse.ValueBool() {
		read = s.reverse
	}

	id := hostID.ValueString()
	list, err := read(ctx, client, id, options)
	switch {
	case graph.IsNotFound(err):
		diags.AddWarning("Host Not Found In Defender TI", notFoundDetailOf(id, err, "an empty "+s.list+" list", s.what))
		list = &graph.List[T]{}
		if options.Count {
			list.Count = new(int64)
		}
	case err != nil:
		readTarget{title: s.title, what: fmt.Sprintf("%s of host %q", s.what, id)}.addReadError(ctx, diags, err)
		return
	}
	computed := map[string]tftypes.Value{"id": stringValue(id), s.list: s.table.listValue(s.sorted(list.Items), sel)}
	if s.selecting {
		computed["total_count"] = int64PointerValue(list.Count)
	}
	raw, err := stateValue(req.Config.Raw, computed)
	if err != nil {
		diags.AddError("Unable To Build State", fmt.Sprintf("Converting %s of host %q to state failed: %s. This is a bug in the provider.", s.what, id, err))
		return
	}
	resp.State.Raw = raw
}

// sorted is a sorted copy of items, in the data source's order.
func (s *hostListSpec[T]) sorted(items []T) []T {
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b T) int { return s.order(&a, &b) })
	return items
}

// compareOptional orders nulls first, then values in their natural order.
func compareOptional[V cmp.Ordered](a, b *V) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}
