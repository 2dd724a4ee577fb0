package graph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// HostPortProperties are the names $select accepts for a hostPort, in the
// order Graph's metadata lists them.
var HostPortProperties = []string{
	"id", "port", "protocol", "status",
	"firstSeenDateTime", "lastSeenDateTime", "lastScanDateTime", "timesObserved",
	"banners", "services", "host", "mostRecentSslCertificate",
}

// ExpandMostRecentSslCertificate is the one navigation property $expand
// accepts for a hostPort.
const ExpandMostRecentSslCertificate = "mostRecentSslCertificate"

// ListOptions map one to one onto the OData options Graph documents for
// listing a host's ports. Zero values leave an option out of the request.
type ListOptions struct {
	// Top is the number of ports wanted in all; Graph also treats it as a page
	// size, so the client stops paging as soon as it holds Top ports.
	Top int
	// Skip is the number of ports to skip from the start of the collection.
	Skip int
	// Select names hostPort properties to return (see HostPortProperties).
	Select []string
	// ExpandMostRecentSslCertificate returns the full certificate instead of
	// a stub holding only its id.
	ExpandMostRecentSslCertificate bool
	// Count asks for @odata.count, the size of the whole collection.
	Count bool
}

// GetOptions are the OData options Graph documents for reading one hostPort.
type GetOptions struct {
	Select                         []string
	ExpandMostRecentSslCertificate bool
}

// ValidateSelect reports the first name that is not a hostPort property.
// Graph refuses nested paths such as host/id, so they are refused here first.
func ValidateSelect(names []string) error {
	for _, name := range names {
		if !slices.Contains(HostPortProperties, name) {
			return fmt.Errorf("%q is not a hostPort property; valid names are %s", name, strings.Join(HostPortProperties, ", "))
		}
	}
	return nil
}

func (o ListOptions) validate() error {
	if o.Top < 0 {
		return fmt.Errorf("top must not be negative, got %d", o.Top)
	}
	if o.Skip < 0 {
		return fmt.Errorf("skip must not be negative, got %d", o.Skip)
	}
	return ValidateSelect(o.Select)
}

// query renders the options with literal "$" names, as Graph's documentation
// writes them. Values need no escaping: select names are validated and the
// rest are numbers.
func (o ListOptions) query() string {
	var parts []string
	if o.Top > 0 {
		parts = append(parts, "$top="+strconv.Itoa(o.Top))
	}
	if o.Skip > 0 {
		parts = append(parts, "$skip="+strconv.Itoa(o.Skip))
	}
	parts = appendSelectExpand(parts, o.Select, o.ExpandMostRecentSslCertificate)
	if o.Count {
		parts = append(parts, "$count=true")
	}
	return strings.Join(parts, "&")
}

func (o GetOptions) query() string {
	return strings.Join(appendSelectExpand(nil, o.Select, o.ExpandMostRecentSslCertificate), "&")
}

func appendSelectExpand(parts, selectNames []string, expand bool) []string {
	if len(selectNames) > 0 {
		parts = append(parts, "$select="+strings.Join(selectNames, ","))
	}
	if expand {
		parts = append(parts, "$expand="+ExpandMostRecentSslCertificate)
	}
	return parts
}
