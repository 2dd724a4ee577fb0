//go:build frameworkread

package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer, in a build with the frameworkread tag, serves every request,
// data source reads included, through the plugin framework's own server: the
// reference `make bench` measures the provider's read path against.
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	return providerserver.NewProtocol6WithError(&defenderProvider{version: version})
}
