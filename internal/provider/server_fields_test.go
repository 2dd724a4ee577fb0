package provider

import (
	"reflect"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// readServer copies Terraform's read request into the framework's and the
// framework's response back by hand. A field either side gains in a new
// version would be dropped without a word; this test names the fields
// readServer handles, so an upgrade that adds one fails here until
// readServer passes it on (or the test says why it need not).
func TestReadServerHandlesEveryReadField(t *testing.T) {
	for _, tc := range []struct {
		typ     reflect.Type
		handled []string
	}{
		// ProviderMeta: fastDataSources leaves a provider with a meta schema
		// to the framework.
		{reflect.TypeFor[tfprotov6.ReadDataSourceRequest](), []string{"TypeName", "Config", "ProviderMeta", "ClientCapabilities"}},
		{reflect.TypeFor[tfprotov6.ReadDataSourceResponse](), []string{"State", "Diagnostics", "Deferred"}},
		{reflect.TypeFor[datasource.ReadRequest](), []string{"Config", "ProviderMeta", "ClientCapabilities"}},
		{reflect.TypeFor[datasource.ReadResponse](), []string{"State", "Diagnostics", "Deferred"}},
		{reflect.TypeFor[tfprotov6.ReadDataSourceClientCapabilities](), []string{"DeferralAllowed"}},
	} {
		var fields []string
		for i := range tc.typ.NumField() {
			fields = append(fields, tc.typ.Field(i).Name)
		}
		for _, name := range fields {
			if !slices.Contains(tc.handled, name) {
				t.Errorf("%s has a field %s that readServer does not handle", tc.typ, name)
			}
		}
		for _, name := range tc.handled {
			if !slices.Contains(fields, name) {
				t.Errorf("%s no longer has %s; update readServer and this list", tc.typ, name)
			}
		}
	}
}

// The state goes to Terraform encoded with the schema's type: a state of
// any other type is an error, not an answer Terraform would misread.
func TestReadStateIsEncodedWithTheSchemaType(t *testing.T) {
	other := tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"id": tftypes.String}},
		map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, "x")})
	resp := encodeReadResponse(hostReputationType(t), other, nil, nil)
	if resp.State != nil || len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Unable To Encode State" {
		t.Fatalf("state %v, diagnostics %+v; want no state and one Unable To Encode State", resp.State, resp.Diagnostics)
	}
}

func hostReputationType(t *testing.T) tftypes.Type {
	t.Helper()
	ds, ok := fastDataSources(t.Context(), &defenderProvider{})["defender_ti_host_reputation"]
	if !ok {
		t.Fatal("defender_ti_host_reputation is not served by readServer")
	}
	return ds.typ
}
