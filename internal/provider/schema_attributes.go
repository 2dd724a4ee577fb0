package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The kinds of computed attribute every table's schema is made of.

func timestampAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: description + " An RFC 3339 timestamp in UTC; Graph's text is kept verbatim when it is not a valid timestamp.",
	}
}

func computedString(description string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: description}
}

func computedInt64(description string) schema.Int64Attribute {
	return schema.Int64Attribute{Computed: true, MarkdownDescription: description}
}

// singleNested and listNested declare a computed nested attribute together
// with its type. Without a declared type the framework derives it from the
// attributes, new maps and all, every time it resolves a value's path, which
// it does for every null value of every read: a fifth of the provider's CPU
// in a plan over many hosts.
func singleNested(description string, attributes map[string]schema.Attribute) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Computed:            true,
		MarkdownDescription: description,
		Attributes:          attributes,
		CustomType:          types.ObjectType{AttrTypes: attrTypesOf(attributes)},
	}
}

func listNested(description string, attributes map[string]schema.Attribute) schema.ListNestedAttribute {
	element := types.ObjectType{AttrTypes: attrTypesOf(attributes)}
	return schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: description,
		NestedObject:        schema.NestedAttributeObject{Attributes: attributes, CustomType: element},
		CustomType:          types.ListType{ElemType: element},
	}
}

// mapNested declares a computed map of objects with its type, for the same
// reason as listNested.
func mapNested(description string, attributes map[string]schema.Attribute) schema.MapNestedAttribute {
	element := types.ObjectType{AttrTypes: attrTypesOf(attributes)}
	return schema.MapNestedAttribute{
		Computed:            true,
		MarkdownDescription: description,
		NestedObject:        schema.NestedAttributeObject{Attributes: attributes, CustomType: element},
		CustomType:          types.MapType{ElemType: element},
	}
}

// attrTypesOf derives the object attr types from schema attributes.
func attrTypesOf(attributes map[string]schema.Attribute) map[string]attr.Type {
	attrTypes := make(map[string]attr.Type, len(attributes))
	for name, attribute := range attributes {
		attrTypes[name] = attribute.GetType()
	}
	return attrTypes
}

// terraformType is the Terraform type of an object with the given attr types.
func terraformType(attrTypes map[string]attr.Type) tftypes.Type {
	return types.ObjectType{AttrTypes: attrTypes}.TerraformType(context.Background())
}
