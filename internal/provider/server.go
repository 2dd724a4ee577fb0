package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The provider is served by the plugin framework's protocol 6 server for
// everything (schemas, validation, provider configuration, deferral) except
// reading data sources, which readServer answers itself.
//
// After a data source's Read, the framework runs two generic steps over every
// value of the state: semantic equality (converting the state back to typed
// values and comparing it with copies of itself) and a search for null
// collection blocks, once on the configuration and once on the state. Neither
// can change anything for a schema without blocks whose types are the
// framework's base types, which is what every data source here has, and for
// a host with thousands of ports they cost most of the provider's CPU
// (docs/guides/performance.md). readServer decodes the configuration with the
// data source's schema type, calls the same Configure and Read the framework
// would, and encodes the state Read built. A data source whose schema could
// need those steps is left to the framework.

// configuredProvider is a provider that tells what its Configure handed to
// data sources and whether it deferred, which the framework keeps to itself.
type configuredProvider interface {
	provider.Provider
	configured() (client any, deferred *provider.Deferred)
}

// NewProtocol6Server returns the provider's protocol 6 server factory.
func NewProtocol6Server(p configuredProvider) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		framework, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		return &readServer{ProviderServer: framework, provider: p, inFlight: map[*int]context.CancelFunc{}}, nil
	}
}

type readServer struct {
	tfprotov6.ProviderServer
	provider configuredProvider

	dataSourcesOnce sync.Once
	dataSources     map[string]*fastDataSource

	mu sync.Mutex
	// inFlight cancels the reads in progress when Terraform stops the provider.
	inFlight map[*int]context.CancelFunc
}

// fastDataSource is what readServer needs of a data source it serves.
type fastDataSource struct {
	create func() datasource.DataSource
	schema schema.Schema
	typ    tftypes.Type
}

func (s *readServer) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	s.mu.Lock()
	for key, cancel := range s.inFlight {
		cancel()
		delete(s.inFlight, key)
	}
	s.mu.Unlock()
	return s.ProviderServer.StopProvider(ctx, req)
}

func (s *readServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	s.dataSourcesOnce.Do(func() { s.dataSources = fastDataSources(ctx, s.provider) })
	ds, ok := s.dataSources[req.TypeName]
	if !ok {
		return s.ProviderServer.ReadDataSource(ctx, req)
	}
	ctx, done := s.register(ctx)
	defer done()

	client, deferred := s.provider.configured()
	if deferred != nil {
		// As the framework does: every read is deferred, unknown as a whole.
		return encodeReadResponse(ds.typ, tftypes.NewValue(ds.typ, tftypes.UnknownValue), nil,
			&tfprotov6.Deferred{Reason: tfprotov6.DeferredReason(deferred.Reason)}), nil
	}

	var config tftypes.Value
	if req.Config != nil {
		value, err := req.Config.Unmarshal(ds.typ)
		if err != nil {
			var diags diag.Diagnostics
			diags.AddError("Unable To Decode Configuration",
				fmt.Sprintf("The configuration Terraform sent for %s could not be decoded with the data source's schema: %s. This is a bug in the provider or in Terraform; please report it.", req.TypeName, err))
			return encodeReadResponse(ds.typ, tftypes.Value{}, diags, nil), nil
		}
		config = value
	}

	dataSource := ds.create()
	if configurable, ok := dataSource.(datasource.DataSourceWithConfigure); ok {
		var configured datasource.ConfigureResponse
		configurable.Configure(ctx, datasource.ConfigureRequest{ProviderData: client}, &configured)
		if configured.Diagnostics.HasError() {
			return encodeReadResponse(ds.typ, tftypes.Value{}, configured.Diagnostics, nil), nil
		}
	}
	readReq := datasource.ReadRequest{
		Config:             tfsdk.Config{Raw: config, Schema: ds.schema},
		ClientCapabilities: datasource.ReadClientCapabilities{DeferralAllowed: req.ClientCapabilities != nil && req.ClientCapabilities.DeferralAllowed},
	}
	readResp := datasource.ReadResponse{State: tfsdk.State{Raw: config, Schema: ds.schema}}
	dataSource.Read(ctx, readReq, &readResp)

	var deferredRead *tfprotov6.Deferred
	if readResp.Deferred != nil {
		deferredRead = &tfprotov6.Deferred{Reason: tfprotov6.DeferredReason(readResp.Deferred.Reason)}
	}
	return encodeReadResponse(ds.typ, readResp.State.Raw, readResp.Diagnostics, deferredRead), nil
}

// register makes ctx end when Terraform stops the provider, as the
// framework's own requests do.
func (s *readServer) register(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	key := new(int)
	s.mu.Lock()
	s.inFlight[key] = cancel
	s.mu.Unlock()
	return ctx, func() {
		s.mu.Lock()
		delete(s.inFlight, key)
		s.mu.Unlock()
		cancel()
	}
}

// fastDataSources lists the provider's data sources whose reads readServer
// may serve, by type name.
func fastDataSources(ctx context.Context, p provider.Provider) map[string]*fastDataSource {
	served := map[string]*fastDataSource{}
	if _, ok := p.(provider.ProviderWithMetaSchema); ok {
		// Reads would need the provider_meta the framework decodes.
		return served
	}
	var meta provider.MetadataResponse
	p.Metadata(ctx, provider.MetadataRequest{}, &meta)
	for _, create := range p.DataSources(ctx) {
		dataSource := create()
		var metadata datasource.MetadataResponse
		dataSource.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: meta.TypeName}, &metadata)
		var schemaResp datasource.SchemaResponse
		dataSource.Schema(ctx, datasource.SchemaRequest{}, &schemaResp)
		if schemaResp.Diagnostics.HasError() || !needsNoGenericSteps(schemaResp.Schema) {
			continue
		}
		served[metadata.TypeName] = &fastDataSource{
			create: create,
			schema: schemaResp.Schema,
			typ:    schemaResp.Schema.Type().TerraformType(ctx),
		}
	}
	return served
}

// encodeReadResponse is the protocol's answer: the state encoded with the
// data source's schema type, as the framework encodes it, so a state Read
// built with another type fails here rather than reaching Terraform; and
// the diagnostics as the framework converts them.
func encodeReadResponse(schemaType tftypes.Type, state tftypes.Value, diags diag.Diagnostics, deferred *tfprotov6.Deferred) *tfprotov6.ReadDataSourceResponse {
	resp := &tfprotov6.ReadDataSourceResponse{Diagnostics: protocolDiagnostics(diags), Deferred: deferred}
	if state.Type() == nil {
		return resp
	}
	encoded, err := tfprotov6.NewDynamicValue(schemaType, state)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, &tfprotov6.Diagnostic{
			Severity: tfprotov6.DiagnosticSeverityError,
			Summary:  "Unable To Encode State",
			Detail:   fmt.Sprintf("The state could not be encoded for Terraform: %s. This is a bug in the provider; please report it.", err),
		})
		return resp
	}
	resp.State = &encoded
	return resp
}
