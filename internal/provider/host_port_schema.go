package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The hostPort schema is defined once, here, and its attr types are derived
// from it, so the schema and the values built in host_port_values.go cannot
// drift apart. Attribute names are the snake_case of Graph's property names.

func timestampAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: description + " An RFC 3339 timestamp in UTC; Graph's text is kept verbatim when it is not a valid timestamp.",
	}
}

func computedString(description string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: description}
}

func computedInt64(description string) schema.Int64Attribute {
	return schema.Int64Attribute{Computed: true, MarkdownDescription: description}
}

// singleNested and listNested declare a computed nested attribute together
// with its type. Without a declared type the framework derives it from the
// attributes, new maps and all, every time it resolves a value's path, which
// it does for every null value of every read: a fifth of the provider's CPU
// in a plan over many hosts.
func singleNested(description string, attributes map[string]schema.Attribute) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Computed:            true,
		MarkdownDescription: description,
		Attributes:          attributes,
		CustomType:          types.ObjectType{AttrTypes: attrTypesOf(attributes)},
	}
}

func listNested(description string, attributes map[string]schema.Attribute) schema.ListNestedAttribute {
	element := types.ObjectType{AttrTypes: attrTypesOf(attributes)}
	return schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: description,
		NestedObject:        schema.NestedAttributeObject{Attributes: attributes, CustomType: element},
		CustomType:          types.ListType{ElemType: element},
	}
}

// mapNested declares a computed map of objects with its type, for the same
// reason as listNested.
func mapNested(description string, attributes map[string]schema.Attribute) schema.MapNestedAttribute {
	element := types.ObjectType{AttrTypes: attrTypesOf(attributes)}
	return schema.MapNestedAttribute{
		Computed:            true,
		MarkdownDescription: description,
		NestedObject:        schema.NestedAttributeObject{Attributes: attributes, CustomType: element},
		CustomType:          types.MapType{ElemType: element},
	}
}

func hostPortAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":                   computedString("The identifier Graph gives this observation of the port. It is opaque: use it as it is, never parse it."),
		"port":                 computedInt64("The port number."),
		"protocol":             computedString("The protocol of the port: `tcp`, `udp`, or a newer value Graph adds, passed through as it is."),
		"status":               computedString("The status Defender TI observed: `open`, `filtered`, `closed`, or a newer value Graph adds, passed through as it is."),
		"first_seen_date_time": timestampAttribute("When Defender TI first observed the port."),
		"last_seen_date_time":  timestampAttribute("When Defender TI last observed the port."),
		"last_scan_date_time":  timestampAttribute("When Defender TI last scanned the port."),
		"times_observed":       computedInt64("How many times Defender TI observed the port."),
		"banners":              listNested("The banners the port answered with. Empty when Graph reports none.", bannerAttributes()),
		"services":             listNested("The services detected on the port, each with the software component behind it. Empty when Graph reports none.", serviceAttributes()),
		"host":                 singleNested("The host Graph links this port to. Graph returns only its identifier here.", hostReferenceAttributes()),
		"most_recent_ssl_certificate": singleNested("The most recent TLS certificate seen on the port, or null when there is none. "+
			"Only `id` is filled unless `expand_most_recent_ssl_certificate` is `true`.", certificateAttributes()),
	}
}

func bannerAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"banner":               computedString("The banner text exactly as observed; it may hold line breaks."),
		"first_seen_date_time": timestampAttribute("When Defender TI first saw this banner."),
		"last_seen_date_time":  timestampAttribute("When Defender TI last saw this banner."),
		"scan_protocol":        computedString("The protocol of the scan that produced the banner, such as `http_raw` or `telnet`."),
		"times_observed":       computedInt64("How many times Defender TI saw this banner."),
	}
}

func serviceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"first_seen_date_time": timestampAttribute("When Defender TI first saw the service on this port."),
		"last_seen_date_time":  timestampAttribute("When Defender TI last saw the service on this port."),
		"is_recent":            schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the service was seen in Defender TI's most recent scans."},
		"component":            singleNested("The software component detected.", componentAttributes()),
	}
}

func componentAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":                   computedString("The component's identifier."),
		"name":                 computedString("The component's name, such as `nginx`."),
		"version":              computedString("The component's version as detected; it may be empty."),
		"category":             computedString("The component's category, such as `Server`, `Operating System`, `Framework` or `Remote Access`."),
		"first_seen_date_time": timestampAttribute("When Defender TI first saw the component."),
		"last_seen_date_time":  timestampAttribute("When Defender TI last saw the component."),
	}
}

func hostReferenceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": computedString("The host's identifier: an IP address or a domain name."),
	}
}

func certificateAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":                   computedString("The certificate's identifier."),
		"sha1":                 computedString("The SHA-1 hash of the certificate."),
		"fingerprint":          computedString("The certificate's fingerprint."),
		"serial_number":        computedString("The certificate's serial number."),
		"issue_date_time":      timestampAttribute("When the certificate was issued."),
		"expiration_date_time": timestampAttribute("When the certificate expires."),
		"first_seen_date_time": timestampAttribute("When Defender TI first saw the certificate."),
		"last_seen_date_time":  timestampAttribute("When Defender TI last saw the certificate."),
		"issuer":               singleNested("The entity that issued the certificate.", certificateEntityAttributes()),
		"subject":              singleNested("The entity the certificate was issued to.", certificateEntityAttributes()),
	}
}

func certificateEntityAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"common_name":            computedString("The common name (CN)."),
		"alternate_names":        schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The subject alternative names."},
		"email":                  computedString("The email address."),
		"given_name":             computedString("The given name."),
		"surname":                computedString("The surname."),
		"organization_name":      computedString("The organization (O)."),
		"organization_unit_name": computedString("The organizational unit (OU)."),
		"serial_number":          computedString("The entity's serial number."),
		"address":                singleNested("The entity's postal address.", addressAttributes()),
	}
}

func addressAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"street":            computedString("The street."),
		"city":              computedString("The city."),
		"state":             computedString("The state or province."),
		"postal_code":       computedString("The postal code."),
		"country_or_region": computedString("The country or region."),
	}
}

// attrTypesOf derives the object attr types from schema attributes.
func attrTypesOf(attributes map[string]schema.Attribute) map[string]attr.Type {
	attrTypes := make(map[string]attr.Type, len(attributes))
	for name, attribute := range attributes {
		attrTypes[name] = attribute.GetType()
	}
	return attrTypes
}

// Object types of the nested values, computed once.
var (
	addressAttrTypes           = attrTypesOf(addressAttributes())
	certificateEntityAttrTypes = attrTypesOf(certificateEntityAttributes())
	certificateAttrTypes       = attrTypesOf(certificateAttributes())
	componentAttrTypes         = attrTypesOf(componentAttributes())
	serviceAttrTypes           = attrTypesOf(serviceAttributes())
	bannerAttrTypes            = attrTypesOf(bannerAttributes())
	hostAttrTypes              = attrTypesOf(hostReferenceAttributes())
	hostPortAttrTypes          = attrTypesOf(hostPortAttributes())
)
