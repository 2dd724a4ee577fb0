package provider

import "github.com/defender-ti/terraform-provider-defender/internal/graph"

// The host entity: the base type's properties, then the hostname subtype's,
// then the ipAddress subtype's. A host has those of its own kind; the
// others are null.

var hostTable = newTable("host",
	textField("id", "The host's identifier: the IP address or the domain name.", func(h *graph.Host) string { return h.ID }),
	derivedField("kind", "@odata.type", "What the host is: `hostname` or `ip_address` (from Graph's `@odata.type`), "+
		"or a newer kind Graph adds, passed through as it is.", hostKind),
	timestampField("firstSeenDateTime", "When Defender TI first observed the host.", func(h *graph.Host) *graph.Timestamp { return h.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last observed the host.", func(h *graph.Host) *graph.Timestamp { return h.LastSeenDateTime }),
	stringField("registrar", "For a host name, the registrar of its domain; null for an IP address.", func(h *graph.Host) *string { return h.Registrar }),
	stringField("registrant", "For a host name, the registrant of its domain; null for an IP address.", func(h *graph.Host) *string { return h.Registrant }),
	objectField("autonomousSystem", "For an IP address, the autonomous system announcing it; null for a host name.", autonomousSystemTable,
		func(h *graph.Host) *graph.AutonomousSystem { return h.AutonomousSystem }),
	stringField("countryOrRegion", "For an IP address, the country or region it is located in; null for a host name.",
		func(h *graph.Host) *string { return h.CountryOrRegion }),
	stringField("hostingProvider", "For an IP address, the hosting provider it belongs to; null for a host name.",
		func(h *graph.Host) *string { return h.HostingProvider }),
	stringField("netblock", "For an IP address, the netblock it belongs to, such as `8.8.8.0/24`; null for a host name.",
		func(h *graph.Host) *string { return h.Netblock }),
)

var autonomousSystemTable = newTable("autonomousSystem",
	stringField("name", "The name of the autonomous system.", func(a *graph.AutonomousSystem) *string { return a.Name }),
	int64Field("number", "The autonomous system number.", func(a *graph.AutonomousSystem) *int64 { return a.Number }),
	stringField("organization", "The organization the autonomous system is registered to.", func(a *graph.AutonomousSystem) *string { return a.Organization }),
	stringField("value", "The autonomous system as Graph writes it, such as `AS15169`.", func(a *graph.AutonomousSystem) *string { return a.Value }),
)

// hostKind is the snake_case of the host's subtype: Graph's type names are
// camelCase, attribute values here follow the schema's naming.
func hostKind(h *graph.Host) string {
	return snakeCase(h.Kind())
}
