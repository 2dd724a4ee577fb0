package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// entityTables pairs each table of a Graph entity with the property names
// the Graph client accepts in $select for it: the two must be the same, in
// the same order, or `select` would offer a name Graph refuses.
var entityTables = []struct {
	table      objectTable
	properties []string
	graph      []string
}{
	{hostPortTable, hostPortTable.properties(), graph.HostPortProperties},
	{componentTable, componentTable.properties(), graph.HostComponentProperties},
	{certificateTable, certificateTable.properties(), graph.SslCertificateProperties},
}

func TestEveryGraphPropertyIsMapped(t *testing.T) {
	for _, entity := range entityTables {
		if !slices.Equal(entity.properties, entity.graph) {
			t.Errorf("table properties %v, the client's %v", entity.properties, entity.graph)
		}
	}
}

// A table's declared types are the types of the schema it derives, and the
// values it builds have them, for every nested table too.
func TestTableTypesAreTheSchemaTypes(t *testing.T) {
	for _, entity := range entityTables {
		schemaType := types.ObjectType{AttrTypes: attrTypesOf(entity.table.attributes())}.TerraformType(context.Background())
		if !schemaType.Equal(entity.table.objectType()) {
			t.Errorf("table type %s, schema type %s", entity.table.objectType(), schemaType)
		}
		if !entity.table.listType().Equal(tftypes.List{ElementType: schemaType}) {
			t.Errorf("list type %s", entity.table.listType())
		}
	}
}
