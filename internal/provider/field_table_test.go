package provider

import (
	"context"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// tableCase is one table under test: its value for a Go value whose every
// field holds a value of its own, the leaves of that Go value, and, for an
// entity, the property names the Graph client accepts in $select for it.
type tableCase struct {
	name       string
	table      objectTable
	properties []string // the table's
	graph      []string // the client's; nil for a type that is not an entity
	full       tftypes.Value
	leaves     []string // every field of the Go value, as the table should write it
}

func caseOf[T any](table *table[T], graphProperties []string) tableCase {
	var v T
	f := &filler{}
	f.fill(reflect.ValueOf(&v).Elem())
	return tableCase{name: table.graphType, table: table, properties: table.properties(), graph: graphProperties,
		full: table.value(&v), leaves: f.leaves}
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

// A Go value whose every field holds a value of its own fills every
// attribute, nested ones included, each with the value of its own field: a
// row reading the wrong field, or none, changes the values written.
func TestFullValueFillsEveryAttribute(t *testing.T) {
	for _, tc := range tableCases {
		var written []string
		_ = tftypes.Walk(tc.full, func(path *tftypes.AttributePath, v tftypes.Value) (bool, error) {
			switch {
			case v.IsNull():
				t.Errorf("%s: %s is null", tc.name, path)
			case v.Type().Is(tftypes.String):
				var s string
				_ = v.As(&s)
				written = append(written, s)
			case v.Type().Is(tftypes.Number):
				var n big.Float
				_ = v.As(&n)
				written = append(written, n.String())
			case v.Type().Is(tftypes.Bool):
				written = append(written, "true")
			}
			return true, nil
		})
		slices.Sort(written)
		leaves := slices.Sorted(slices.Values(tc.leaves))
		if !slices.Equal(written, leaves) {
			t.Errorf("%s: wrote %v\nthe Go value holds %v", tc.name, written, leaves)
		}
	}
}

// filler sets every field of a value, recursively, each to a value no other
// field has: pointers to a filled value, slices to one filled element,
// timestamps to a valid time. It records each as the table should write it.
type filler struct {
	n      int
	leaves []string
}

func (f *filler) fill(v reflect.Value) {
	f.n++
	switch {
	case v.Type() == reflect.TypeFor[graph.Timestamp]():
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(f.n) * time.Hour)
		v.Set(reflect.ValueOf(graph.Timestamp{Time: at}))
		f.leaves = append(f.leaves, at.Format(time.RFC3339))
		return
	case v.Type() == reflect.TypeFor[graph.Host]() || v.Type() == reflect.TypeFor[graph.ArtifactReference]():
		// @odata.type is written as the snake_case of its last segment.
		v.FieldByName("ODataType").SetString(fmt.Sprintf("#microsoft.graph.security.kind%d", f.n))
		f.leaves = append(f.leaves, fmt.Sprintf("kind%d", f.n))
		for i := range v.NumField() {
			if v.Type().Field(i).Name != "ODataType" {
				f.fill(v.Field(i))
			}
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		f.fill(v.Index(0))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString(fmt.Sprintf("text%d", f.n))
		f.leaves = append(f.leaves, v.String())
	case reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.n))
		f.leaves = append(f.leaves, fmt.Sprint(f.n))
	case reflect.Bool:
		v.SetBool(true)
		f.leaves = append(f.leaves, "true")
	}
}
