package provider

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// Ports are turned straight into Terraform values (tftypes), the form the
// state is sent in. Going through the framework's typed values first cost a
// second copy of every value and a rebuild of each object's Terraform type
// per value when converting (see docs/guides/performance.md).

// selection tells which hostPort attributes the configuration asked for;
// the others are set to null, whatever Graph returned for them.
type selection struct {
	all   bool
	names map[string]bool
}

func (s selection) has(attribute string) bool { return s.all || s.names[attribute] }

// hostPortSelection reads a `select` set: the attributes to keep, and the
// Graph properties to ask for, which add those in needed (properties the
// provider itself reads) to the ones selected. A null set selects all and
// asks for everything.
func hostPortSelection(ctx context.Context, selected types.Set, needed []string) (selection, []string, diag.Diagnostics) {
	if selected.IsNull() {
		return selection{all: true}, nil, nil
	}
	var names []string
	diags := selected.ElementsAs(ctx, &names, false)
	sel := selection{names: make(map[string]bool, len(names))}
	for _, name := range names {
		sel.names[name] = true
	}
	var properties []string
	for _, property := range graph.HostPortProperties {
		if sel.names[snakeCase(property)] || slices.Contains(needed, property) {
			properties = append(properties, property)
		}
	}
	return sel, properties, diags
}

// terraformType is the Terraform type of an object with the given attr types.
func terraformType(attrTypes map[string]attr.Type) tftypes.Type {
	return types.ObjectType{AttrTypes: attrTypes}.TerraformType(context.Background())
}

// The Terraform types of the nested values, derived once from the schema.
var (
	addressType           = terraformType(addressAttrTypes)
	certificateEntityType = terraformType(certificateEntityAttrTypes)
	certificateType       = terraformType(certificateAttrTypes)
	componentType         = terraformType(componentAttrTypes)
	serviceType           = terraformType(serviceAttrTypes)
	bannerType            = terraformType(bannerAttrTypes)
	hostReferenceType     = terraformType(hostAttrTypes)
	hostPortType          = terraformType(hostPortAttrTypes)

	bannersType        = tftypes.List{ElementType: bannerType}
	servicesType       = tftypes.List{ElementType: serviceType}
	hostPortsType      = tftypes.List{ElementType: hostPortType}
	alternateNamesType = tftypes.List{ElementType: tftypes.String}
	openPortsType      = tftypes.List{ElementType: tftypes.Number}
)

// hostPortValue maps one Graph hostPort to its schema object.
func hostPortValue(hp *graph.HostPort, sel selection) tftypes.Value {
	return tftypes.NewValue(hostPortType, hostPortAttributeValues(hp, sel))
}

// hostPortAttributeValues maps one Graph hostPort to the values of its
// schema attributes, for an element of a list or the top level of a read.
func hostPortAttributeValues(hp *graph.HostPort, sel selection) map[string]tftypes.Value {
	values := map[string]tftypes.Value{
		"id":                          nullString,
		"port":                        nullNumber,
		"protocol":                    nullString,
		"status":                      nullString,
		"first_seen_date_time":        nullString,
		"last_seen_date_time":         nullString,
		"last_scan_date_time":         nullString,
		"times_observed":              nullNumber,
		"banners":                     tftypes.NewValue(bannersType, nil),
		"services":                    tftypes.NewValue(servicesType, nil),
		"host":                        tftypes.NewValue(hostReferenceType, nil),
		"most_recent_ssl_certificate": tftypes.NewValue(certificateType, nil),
	}
	if sel.has("id") {
		values["id"] = stringValue(hp.ID)
	}
	if sel.has("port") {
		values["port"] = int64Value(int64(hp.Port))
	}
	if sel.has("protocol") {
		values["protocol"] = stringValue(hp.Protocol)
	}
	if sel.has("status") {
		values["status"] = stringValue(hp.Status)
	}
	if sel.has("first_seen_date_time") {
		values["first_seen_date_time"] = timestampValue(hp.FirstSeenDateTime)
	}
	if sel.has("last_seen_date_time") {
		values["last_seen_date_time"] = timestampValue(hp.LastSeenDateTime)
	}
	if sel.has("last_scan_date_time") {
		values["last_scan_date_time"] = timestampValue(hp.LastScanDateTime)
	}
	if sel.has("times_observed") {
		values["times_observed"] = int64PointerValue(hp.TimesObserved)
	}
	if sel.has("banners") {
		values["banners"] = bannersValue(hp.Banners)
	}
	if sel.has("services") {
		values["services"] = servicesValue(hp.Services)
	}
	if sel.has("host") && hp.Host != nil {
		values["host"] = tftypes.NewValue(hostReferenceType, map[string]tftypes.Value{"id": stringValue(hp.Host.ID)})
	}
	if sel.has("most_recent_ssl_certificate") && hp.MostRecentSslCertificate != nil {
		values["most_recent_ssl_certificate"] = certificateValue(hp.MostRecentSslCertificate)
	}
	return values
}

// bannersValue maps null and empty alike to an empty list, so HCL can iterate
// over banners without guarding against null.
func bannersValue(banners []graph.HostPortBanner) tftypes.Value {
	elements := make([]tftypes.Value, len(banners))
	for i := range banners {
		banner := &banners[i]
		elements[i] = tftypes.NewValue(bannerType, map[string]tftypes.Value{
			"banner":               stringValue(banner.Banner),
			"first_seen_date_time": timestampValue(banner.FirstSeenDateTime),
			"last_seen_date_time":  timestampValue(banner.LastSeenDateTime),
			"scan_protocol":        stringPointerValue(banner.ScanProtocol),
			"times_observed":       int64PointerValue(banner.TimesObserved),
		})
	}
	return tftypes.NewValue(bannersType, elements)
}

func servicesValue(services []graph.HostPortComponent) tftypes.Value {
	elements := make([]tftypes.Value, len(services))
	for i := range services {
		service := &services[i]
		component := tftypes.NewValue(componentType, nil)
		if c := service.Component; c != nil {
			component = tftypes.NewValue(componentType, map[string]tftypes.Value{
				"id":                   stringPointerValue(c.ID),
				"name":                 stringPointerValue(c.Name),
				"version":              stringPointerValue(c.Version),
				"category":             stringPointerValue(c.Category),
				"first_seen_date_time": timestampValue(c.FirstSeenDateTime),
				"last_seen_date_time":  timestampValue(c.LastSeenDateTime),
			})
		}
		elements[i] = tftypes.NewValue(serviceType, map[string]tftypes.Value{
			"first_seen_date_time": timestampValue(service.FirstSeenDateTime),
			"last_seen_date_time":  timestampValue(service.LastSeenDateTime),
			"is_recent":            boolPointerValue(service.IsRecent),
			"component":            component,
		})
	}
	return tftypes.NewValue(servicesType, elements)
}

func certificateValue(c *graph.SslCertificate) tftypes.Value {
	return tftypes.NewValue(certificateType, map[string]tftypes.Value{
		"id":                   stringValue(c.ID),
		"sha1":                 stringPointerValue(c.Sha1),
		"fingerprint":          stringPointerValue(c.Fingerprint),
		"serial_number":        stringPointerValue(c.SerialNumber),
		"issue_date_time":      timestampValue(c.IssueDateTime),
		"expiration_date_time": timestampValue(c.ExpirationDateTime),
		"first_seen_date_time": timestampValue(c.FirstSeenDateTime),
		"last_seen_date_time":  timestampValue(c.LastSeenDateTime),
		"issuer":               certificateEntityValue(c.Issuer),
		"subject":              certificateEntityValue(c.Subject),
	})
}

func certificateEntityValue(e *graph.SslCertificateEntity) tftypes.Value {
	if e == nil {
		return tftypes.NewValue(certificateEntityType, nil)
	}
	alternateNames := tftypes.NewValue(alternateNamesType, nil)
	if e.AlternateNames != nil {
		names := make([]tftypes.Value, len(e.AlternateNames))
		for i, name := range e.AlternateNames {
			names[i] = stringValue(name)
		}
		alternateNames = tftypes.NewValue(alternateNamesType, names)
	}
	address := tftypes.NewValue(addressType, nil)
	if a := e.Address; a != nil {
		address = tftypes.NewValue(addressType, map[string]tftypes.Value{
			"street":            stringPointerValue(a.Street),
			"city":              stringPointerValue(a.City),
			"state":             stringPointerValue(a.State),
			"postal_code":       stringPointerValue(a.PostalCode),
			"country_or_region": stringPointerValue(a.CountryOrRegion),
		})
	}
	return tftypes.NewValue(certificateEntityType, map[string]tftypes.Value{
		"common_name":            stringPointerValue(e.CommonName),
		"alternate_names":        alternateNames,
		"email":                  stringPointerValue(e.Email),
		"given_name":             stringPointerValue(e.GivenName),
		"surname":                stringPointerValue(e.Surname),
		"organization_name":      stringPointerValue(e.OrganizationName),
		"organization_unit_name": stringPointerValue(e.OrganizationUnitName),
		"serial_number":          stringPointerValue(e.SerialNumber),
		"address":                address,
	})
}

// openPortsValue lists the distinct open port numbers of sorted ports.
func openPortsValue(sorted []graph.HostPort) tftypes.Value {
	open := make([]tftypes.Value, 0)
	last := int32(-1)
	for i := range sorted {
		if sorted[i].Status == graph.StatusOpen && sorted[i].Port != last {
			open = append(open, int64Value(int64(sorted[i].Port)))
			last = sorted[i].Port
		}
	}
	return tftypes.NewValue(openPortsType, open)
}

// Null values are immutable, so one of each kind serves every attribute.
var (
	nullString = tftypes.NewValue(tftypes.String, nil)
	nullNumber = tftypes.NewValue(tftypes.Number, nil)
	nullBool   = tftypes.NewValue(tftypes.Bool, nil)
)

func stringValue(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func stringPointerValue(s *string) tftypes.Value {
	if s == nil {
		return nullString
	}
	return stringValue(*s)
}

func int64Value(v int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, v) }

func int64PointerValue(v *int64) tftypes.Value {
	if v == nil {
		return nullNumber
	}
	return int64Value(*v)
}

func boolPointerValue(v *bool) tftypes.Value {
	if v == nil {
		return nullBool
	}
	return tftypes.NewValue(tftypes.Bool, *v)
}

func timestampValue(ts *graph.Timestamp) tftypes.Value {
	if ts == nil {
		return nullString
	}
	return stringValue(ts.String())
}
