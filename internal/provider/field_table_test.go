package provider

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// tableCase is one table under test: its value for a Go value with every
// field set, and, for an entity, the property names the Graph client
// accepts in $select for it.
type tableCase struct {
	name       string
	table      objectTable
	properties []string // the table's
	graph      []string // the client's; nil for a type that is not an entity
	full       tftypes.Value
}

func caseOf[T any](table *table[T], graphProperties []string) tableCase {
	var v T
	fill(reflect.ValueOf(&v).Elem())
	return tableCase{name: table.graphType, table: table, properties: table.properties(), graph: graphProperties, full: table.value(&v)}
}

var tableCases = []tableCase{
	caseOf(hostPortTable, graph.HostPortProperties),
	caseOf(bannerTable, nil),
	caseOf(serviceTable, nil),
	caseOf(componentTable, graph.HostComponentProperties),
	caseOf(hostReferenceTable, nil),
	caseOf(certificateTable, graph.SslCertificateProperties),
	caseOf(certificateEntityTable, nil),
	caseOf(addressTable, nil),
	caseOf(hostTable, graph.HostProperties),
	caseOf(autonomousSystemTable, nil),
	caseOf(reputationTable, graph.HostReputationProperties),
	caseOf(reputationRuleTable, nil),
	caseOf(hostSslCertificateTable, graph.HostSslCertificateProperties),
	caseOf(hostSslCertificatePortTable, nil),
	caseOf(whoisTable, graph.WhoisRecordProperties),
	caseOf(whoisContactTable, nil),
	caseOf(whoisNameserverTable, nil),
	caseOf(subdomainTable, graph.SubdomainProperties),
	caseOf(passiveDNSRecordTable, graph.PassiveDNSRecordProperties),
	caseOf(artifactTable, nil),
}

// Every property the client can $select is a row of the entity's table, in
// the same order, and no row names a property the client would refuse.
func TestEveryGraphPropertyIsMapped(t *testing.T) {
	for _, tc := range tableCases {
		if tc.graph != nil && !slices.Equal(tc.properties, tc.graph) {
			t.Errorf("%s: table properties %v, the client's %v", tc.name, tc.properties, tc.graph)
		}
	}
}

// A table's declared types are the types of the schema it derives, and the
// value it builds has them.
func TestTableTypesAreTheSchemaTypes(t *testing.T) {
	for _, tc := range tableCases {
		schemaType := types.ObjectType{AttrTypes: attrTypesOf(tc.table.attributes())}.TerraformType(context.Background())
		if !schemaType.Equal(tc.table.objectType()) {
			t.Errorf("%s: table type %s, schema type %s", tc.name, tc.table.objectType(), schemaType)
		}
		if !tc.table.listType().Equal(tftypes.List{ElementType: schemaType}) {
			t.Errorf("%s: list type %s", tc.name, tc.table.listType())
		}
		if !tc.full.Type().Equal(schemaType) {
			t.Errorf("%s: value type %s", tc.name, tc.full.Type())
		}
	}
}

// A Go value with every field set fills every attribute, nested ones
// included: no row reads the wrong field or forgets one.
func TestFullValueFillsEveryAttribute(t *testing.T) {
	for _, tc := range tableCases {
		_ = tftypes.Walk(tc.full, func(path *tftypes.AttributePath, v tftypes.Value) (bool, error) {
			if v.IsNull() {
				t.Errorf("%s: %s is null", tc.name, path)
			}
			return true, nil
		})
	}
}

// fill sets every field of v, recursively: pointers to a filled value,
// slices to one filled element, timestamps to a valid time.
func fill(v reflect.Value) {
	if v.Type() == reflect.TypeFor[graph.Timestamp]() {
		v.Set(reflect.ValueOf(graph.Timestamp{Time: time.Date(2026, 12, 6, 1, 2, 3, 0, time.UTC)}))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("#microsoft.graph.security.x")
	case reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Bool:
		v.SetBool(true)
	}
}
