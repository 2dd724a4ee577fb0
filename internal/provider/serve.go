//go:build !frameworkread

package provider

import "github.com/hashicorp/terraform-plugin-go/tfprotov6"

// NewServer returns the factory of the provider's protocol 6 server, which
// serves data source reads itself (see server.go).
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	return NewProtocol6Server(&defenderProvider{version: version})
}
