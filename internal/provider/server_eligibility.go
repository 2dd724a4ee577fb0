package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// needsNoGenericSteps reports whether the framework's steps after Read can
// change nothing for s, so readServer may skip them: it has no blocks, which
// the framework turns from null to empty, and every attribute's type is one
// of the framework's base types, none of whose values has semantic equality.
func needsNoGenericSteps(s schema.Schema) bool {
	if len(s.Blocks) > 0 {
		return false
	}
	for _, attribute := range s.Attributes {
		if !isBaseType(attribute.GetType()) {
			return false
		}
	}
	return true
}

func isBaseType(t attr.Type) bool {
	switch t := t.(type) {
	case basetypes.StringType, basetypes.BoolType, basetypes.Int64Type, basetypes.Int32Type,
		basetypes.Float64Type, basetypes.Float32Type, basetypes.NumberType:
		return true
	case basetypes.ListType:
		return isBaseType(t.ElemType)
	case basetypes.SetType:
		return isBaseType(t.ElemType)
	case basetypes.MapType:
		return isBaseType(t.ElemType)
	case basetypes.ObjectType:
		for _, attributeType := range t.AttrTypes {
			if !isBaseType(attributeType) {
				return false
			}
		}
		return true
	default:
		// Dynamic values and custom types may carry semantic equality.
		return false
	}
}
