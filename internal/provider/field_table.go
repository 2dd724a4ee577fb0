package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// A Graph type is described once, as a table of fields: its Graph property,
// the kind of value, the nested table for an object, a description, and how
// to read the value from the Go type. The schema attributes, their attr and
// Terraform types, the values put in state and the names `select` accepts
// are all derived from the table, so they cannot drift apart. Values are
// built straight as tftypes, without reflection: going through the
// framework's typed values cost a second copy of every value (see
// docs/guides/performance.md).

type fieldKind int

const (
	kindString fieldKind = iota
	kindTimestamp
	kindInt64
	kindBool
	kindStringList
	kindObject
	kindObjectList
)

// field is one row of a table of Go type T.
type field[T any] struct {
	property string // Graph's name; the attribute is its snake_case
	// derived marks an attribute the provider derives from property, named
	// attribute; `select` cannot leave it out.
	derived     bool
	attribute   string
	kind        fieldKind
	nested      objectTable // the table of an object or of a list's objects
	description string
	value       func(*T) tftypes.Value
}

// objectTable is what a table offers to the tables nesting it, whatever its
// Go type.
type objectTable interface {
	attributes() map[string]schema.Attribute
	attrTypes() map[string]attr.Type
	objectType() tftypes.Object
	listType() tftypes.List
}

// table describes Graph type T; newTable derives its types once.
type table[T any] struct {
	graphType string
	fields    []field[T]
	names     []string // the attribute of each field, in the table's order
	attrs     map[string]attr.Type
	object    tftypes.Object
	list      tftypes.List
	null      tftypes.Value
}

func newTable[T any](graphType string, fields ...field[T]) *table[T] {
	t := &table[T]{graphType: graphType, fields: fields, names: make([]string, len(fields))}
	for i, f := range fields {
		t.names[i] = snakeCase(f.property)
		if f.derived {
			t.names[i] = f.attribute
		}
	}
	t.attrs = attrTypesOf(t.attributes())
	t.object = tftypes.Object{AttributeTypes: make(map[string]tftypes.Type, len(t.attrs))}
	for name, attrType := range t.attrs {
		t.object.AttributeTypes[name] = attrType.TerraformType(context.Background())
	}
	t.list = tftypes.List{ElementType: t.object}
	t.null = tftypes.NewValue(t.object, nil)
	return t
}

func (t *table[T]) attrTypes() map[string]attr.Type { return t.attrs }
func (t *table[T]) objectType() tftypes.Object      { return t.object }
func (t *table[T]) listType() tftypes.List          { return t.list }

// properties are the Graph property names `select` accepts, in the
// table's order.
func (t *table[T]) properties() []string {
	properties := make([]string, 0, len(t.fields))
	for _, f := range t.fields {
		if !f.derived {
			properties = append(properties, f.property)
		}
	}
	return properties
}

// selectable are the attribute names `select` accepts, in the table's order.
func (t *table[T]) selectable() []string {
	names := make([]string, 0, len(t.fields))
	for i, f := range t.fields {
		if !f.derived {
			names = append(names, t.names[i])
		}
	}
	return names
}

// attributes are the table's schema attributes, all computed.
func (t *table[T]) attributes() map[string]schema.Attribute {
	attributes := make(map[string]schema.Attribute, len(t.fields))
	for i, f := range t.fields {
		attributes[t.names[i]] = f.schemaAttribute()
	}
	return attributes
}

func (f field[T]) schemaAttribute() schema.Attribute {
	switch f.kind {
	case kindTimestamp:
		return timestampAttribute(f.description)
	case kindInt64:
		return computedInt64(f.description)
	case kindBool:
		return schema.BoolAttribute{Computed: true, MarkdownDescription: f.description}
	case kindStringList:
		return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: f.description}
	case kindObject:
		return singleNested(f.description, f.nested.attributes())
	case kindObjectList:
		return listNested(f.description, f.nested.attributes())
	default:
		return computedString(f.description)
	}
}

// value is v as an object, every attribute filled; a nil v is null.
func (t *table[T]) value(v *T) tftypes.Value {
	if v == nil {
		return t.null
	}
	return tftypes.NewValue(t.object, t.attributeValues(v, selection{all: true}))
}

// attributeValues are the values of v's attributes, those sel leaves out
// null, for an object or for the top level of a data source.
func (t *table[T]) attributeValues(v *T, sel selection) map[string]tftypes.Value {
	values := make(map[string]tftypes.Value, len(t.fields))
	for i, f := range t.fields {
		if f.derived || sel.has(t.names[i]) {
			values[t.names[i]] = f.value(v)
		} else {
			values[t.names[i]] = tftypes.NewValue(t.object.AttributeTypes[t.names[i]], nil)
		}
	}
	return values
}

// listValue is items as a list; nil and empty alike are an empty list, so
// HCL can iterate without guarding against null.
func (t *table[T]) listValue(items []T, sel selection) tftypes.Value {
	elements := make([]tftypes.Value, len(items))
	for i := range items {
		elements[i] = tftypes.NewValue(t.object, t.attributeValues(&items[i], sel))
	}
	return tftypes.NewValue(t.list, elements)
}

// Rows of a table, one constructor per kind of value.

func textField[T any](property, description string, get func(*T) string) field[T] {
	return field[T]{property: property, kind: kindString, description: description,
		value: func(v *T) tftypes.Value { return stringValue(get(v)) }}
}

func stringField[T any](property, description string, get func(*T) *string) field[T] {
	return field[T]{property: property, kind: kindString, description: description,
		value: func(v *T) tftypes.Value { return stringPointerValue(get(v)) }}
}

func timestampField[T any](property, description string, get func(*T) *graph.Timestamp) field[T] {
	return field[T]{property: property, kind: kindTimestamp, description: description,
		value: func(v *T) tftypes.Value { return timestampValue(get(v)) }}
}

func int64Field[T any](property, description string, get func(*T) *int64) field[T] {
	return field[T]{property: property, kind: kindInt64, description: description,
		value: func(v *T) tftypes.Value { return int64PointerValue(get(v)) }}
}

func boolField[T any](property, description string, get func(*T) *bool) field[T] {
	return field[T]{property: property, kind: kindBool, description: description,
		value: func(v *T) tftypes.Value { return boolPointerValue(get(v)) }}
}

// stringListField is null when Graph sent none.
func stringListField[T any](property, description string, get func(*T) []string) field[T] {
	return field[T]{property: property, kind: kindStringList, description: description,
		value: func(v *T) tftypes.Value { return stringListValue(get(v)) }}
}

func objectField[T, U any](property, description string, nested *table[U], get func(*T) *U) field[T] {
	return field[T]{property: property, kind: kindObject, nested: nested, description: description,
		value: func(v *T) tftypes.Value { return nested.value(get(v)) }}
}

// objectListField is an empty list when Graph sent none.
func objectListField[T, U any](property, description string, nested *table[U], get func(*T) []U) field[T] {
	return field[T]{property: property, kind: kindObjectList, nested: nested, description: description,
		value: func(v *T) tftypes.Value { return nested.listValue(get(v), selection{all: true}) }}
}

// derivedField is an attribute whose value the provider derives, such as a
// host's kind from its @odata.type; property is what it is derived from.
func derivedField[T any](attribute, property, description string, get func(*T) string) field[T] {
	f := textField(property, description, get)
	f.derived, f.attribute = true, attribute
	return f
}
