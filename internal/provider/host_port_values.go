package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// selection tells which hostPort attributes the configuration asked for;
// the others are set to null, whatever Graph returned for them.
type selection struct {
	all   bool
	names map[string]bool
}

func (s selection) has(attribute string) bool { return s.all || s.names[attribute] }

var (
	bannerObjectType   = types.ObjectType{AttrTypes: bannerAttrTypes}
	serviceObjectType  = types.ObjectType{AttrTypes: serviceAttrTypes}
	hostPortObjectType = types.ObjectType{AttrTypes: hostPortAttrTypes}
)

// hostPortValue maps one Graph hostPort to its schema object.
func hostPortValue(hp *graph.HostPort, sel selection) types.Object {
	values := map[string]attr.Value{
		"id":                          types.StringNull(),
		"port":                        types.Int64Null(),
		"protocol":                    types.StringNull(),
		"status":                      types.StringNull(),
		"first_seen_date_time":        types.StringNull(),
		"last_seen_date_time":         types.StringNull(),
		"last_scan_date_time":         types.StringNull(),
		"times_observed":              types.Int64Null(),
		"banners":                     types.ListNull(bannerObjectType),
		"services":                    types.ListNull(serviceObjectType),
		"host":                        types.ObjectNull(hostAttrTypes),
		"most_recent_ssl_certificate": types.ObjectNull(certificateAttrTypes),
	}
	if sel.has("id") {
		values["id"] = types.StringValue(hp.ID)
	}
	if sel.has("port") {
		values["port"] = types.Int64Value(int64(hp.Port))
	}
	if sel.has("protocol") {
		values["protocol"] = types.StringValue(hp.Protocol)
	}
	if sel.has("status") {
		values["status"] = types.StringValue(hp.Status)
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
		values["times_observed"] = int32Value(hp.TimesObserved)
	}
	if sel.has("banners") {
		values["banners"] = bannersValue(hp.Banners)
	}
	if sel.has("services") {
		values["services"] = servicesValue(hp.Services)
	}
	if sel.has("host") && hp.Host != nil {
		values["host"] = types.ObjectValueMust(hostAttrTypes, map[string]attr.Value{"id": types.StringValue(hp.Host.ID)})
	}
	if sel.has("most_recent_ssl_certificate") && hp.MostRecentSslCertificate != nil {
		values["most_recent_ssl_certificate"] = certificateValue(hp.MostRecentSslCertificate)
	}
	return types.ObjectValueMust(hostPortAttrTypes, values)
}

// bannersValue maps null and empty alike to an empty list, so HCL can iterate
// over banners without guarding against null.
func bannersValue(banners []graph.HostPortBanner) types.List {
	elements := make([]attr.Value, len(banners))
	for i := range banners {
		banner := &banners[i]
		elements[i] = types.ObjectValueMust(bannerAttrTypes, map[string]attr.Value{
			"banner":               types.StringValue(banner.Banner),
			"first_seen_date_time": timestampValue(banner.FirstSeenDateTime),
			"last_seen_date_time":  timestampValue(banner.LastSeenDateTime),
			"scan_protocol":        types.StringPointerValue(banner.ScanProtocol),
			"times_observed":       int32Value(banner.TimesObserved),
		})
	}
	return types.ListValueMust(bannerObjectType, elements)
}

func servicesValue(services []graph.HostPortComponent) types.List {
	elements := make([]attr.Value, len(services))
	for i := range services {
		service := &services[i]
		component := types.ObjectNull(componentAttrTypes)
		if c := service.Component; c != nil {
			component = types.ObjectValueMust(componentAttrTypes, map[string]attr.Value{
				"id":                   types.StringPointerValue(c.ID),
				"name":                 types.StringPointerValue(c.Name),
				"version":              types.StringPointerValue(c.Version),
				"category":             types.StringPointerValue(c.Category),
				"first_seen_date_time": timestampValue(c.FirstSeenDateTime),
				"last_seen_date_time":  timestampValue(c.LastSeenDateTime),
			})
		}
		elements[i] = types.ObjectValueMust(serviceAttrTypes, map[string]attr.Value{
			"first_seen_date_time": timestampValue(service.FirstSeenDateTime),
			"last_seen_date_time":  timestampValue(service.LastSeenDateTime),
			"is_recent":            types.BoolPointerValue(service.IsRecent),
			"component":            component,
		})
	}
	return types.ListValueMust(serviceObjectType, elements)
}

func certificateValue(c *graph.SslCertificate) types.Object {
	return types.ObjectValueMust(certificateAttrTypes, map[string]attr.Value{
		"id":                   types.StringValue(c.ID),
		"sha1":                 types.StringPointerValue(c.Sha1),
		"fingerprint":          types.StringPointerValue(c.Fingerprint),
		"serial_number":        types.StringPointerValue(c.SerialNumber),
		"issue_date_time":      timestampValue(c.IssueDateTime),
		"expiration_date_time": timestampValue(c.ExpirationDateTime),
		"first_seen_date_time": timestampValue(c.FirstSeenDateTime),
		"last_seen_date_time":  timestampValue(c.LastSeenDateTime),
		"issuer":               certificateEntityValue(c.Issuer),
		"subject":              certificateEntityValue(c.Subject),
	})
}

func certificateEntityValue(e *graph.SslCertificateEntity) types.Object {
	if e == nil {
		return types.ObjectNull(certificateEntityAttrTypes)
	}
	alternateNames := types.ListNull(types.StringType)
	if e.AlternateNames != nil {
		names := make([]attr.Value, len(e.AlternateNames))
		for i, name := range e.AlternateNames {
			names[i] = types.StringValue(name)
		}
		alternateNames = types.ListValueMust(types.StringType, names)
	}
	address := types.ObjectNull(addressAttrTypes)
	if a := e.Address; a != nil {
		address = types.ObjectValueMust(addressAttrTypes, map[string]attr.Value{
			"street":            types.StringPointerValue(a.Street),
			"city":              types.StringPointerValue(a.City),
			"state":             types.StringPointerValue(a.State),
			"postal_code":       types.StringPointerValue(a.PostalCode),
			"country_or_region": types.StringPointerValue(a.CountryOrRegion),
		})
	}
	return types.ObjectValueMust(certificateEntityAttrTypes, map[string]attr.Value{
		"common_name":            types.StringPointerValue(e.CommonName),
		"alternate_names":        alternateNames,
		"email":                  types.StringPointerValue(e.Email),
		"given_name":             types.StringPointerValue(e.GivenName),
		"surname":                types.StringPointerValue(e.Surname),
		"organization_name":      types.StringPointerValue(e.OrganizationName),
		"organization_unit_name": types.StringPointerValue(e.OrganizationUnitName),
		"serial_number":          types.StringPointerValue(e.SerialNumber),
		"address":                address,
	})
}

func timestampValue(ts *graph.Timestamp) types.String {
	if ts == nil {
		return types.StringNull()
	}
	return types.StringValue(ts.String())
}

func int32Value(v *int32) types.Int64 {
	if v == nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(*v))
}
