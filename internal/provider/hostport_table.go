package provider

import (
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// The hostPort entity and the types it holds, one table each. The
// certificate, component and address tables are shared with the other
// entities that hold them.

var hostPortTable = newTable("hostPort",
	textField("id", "The identifier Graph gives this observation of the port. It is opaque: use it as it is, never parse it.",
		func(p *graph.HostPort) string { return p.ID }),
	field[graph.HostPort]{property: "port", kind: kindInt64, description: "The port number.",
		value: func(p *graph.HostPort) tftypes.Value { return int64Value(int64(p.Port)) }},
	textField("protocol", "The protocol of the port: `tcp`, `udp`, or a newer value Graph adds, passed through as it is.",
		func(p *graph.HostPort) string { return p.Protocol }),
	textField("status", "The status Defender TI observed: `open`, `filtered`, `closed`, or a newer value Graph adds, passed through as it is.",
		func(p *graph.HostPort) string { return p.Status }),
	timestampField("firstSeenDateTime", "When Defender TI first observed the port.",
		func(p *graph.HostPort) *graph.Timestamp { return p.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last observed the port.",
		func(p *graph.HostPort) *graph.Timestamp { return p.LastSeenDateTime }),
	timestampField("lastScanDateTime", "When Defender TI last scanned the port.",
		func(p *graph.HostPort) *graph.Timestamp { return p.LastScanDateTime }),
	int64Field("timesObserved", "How many times Defender TI observed the port.",
		func(p *graph.HostPort) *int64 { return p.TimesObserved }),
	objectListField("banners", "The banners the port answered with. Empty when Graph reports none.", bannerTable,
		func(p *graph.HostPort) []graph.HostPortBanner { return p.Banners }),
	objectListField("services", "The services detected on the port, each with the software component behind it. Empty when Graph reports none.", serviceTable,
		func(p *graph.HostPort) []graph.HostPortComponent { return p.Services }),
	objectField("host", "The host Graph links this port to. Graph returns only its identifier here.", hostReferenceTable,
		func(p *graph.HostPort) *graph.HostReference { return p.Host }),
	objectField("mostRecentSslCertificate", "The most recent TLS certificate seen on the port, or null when there is none. "+
		"Only `id` is filled unless `expand_most_recent_ssl_certificate` is `true`.", certificateTable,
		func(p *graph.HostPort) *graph.SslCertificate { return p.MostRecentSslCertificate }),
)

var bannerTable = newTable("hostPortBanner",
	textField("banner", "The banner text exactly as observed; it may hold line breaks.",
		func(b *graph.HostPortBanner) string { return b.Banner }),
	timestampField("firstSeenDateTime", "When Defender TI first saw this banner.",
		func(b *graph.HostPortBanner) *graph.Timestamp { return b.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last saw this banner.",
		func(b *graph.HostPortBanner) *graph.Timestamp { return b.LastSeenDateTime }),
	stringField("scanProtocol", "The protocol of the scan that produced the banner, such as `http_raw` or `telnet`.",
		func(b *graph.HostPortBanner) *string { return b.ScanProtocol }),
	int64Field("timesObserved", "How many times Defender TI saw this banner.",
		func(b *graph.HostPortBanner) *int64 { return b.TimesObserved }),
)

var serviceTable = newTable("hostPortComponent",
	timestampField("firstSeenDateTime", "When Defender TI first saw the service on this port.",
		func(s *graph.HostPortComponent) *graph.Timestamp { return s.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last saw the service on this port.",
		func(s *graph.HostPortComponent) *graph.Timestamp { return s.LastSeenDateTime }),
	boolField("isRecent", "Whether the service was seen in Defender TI's most recent scans.",
		func(s *graph.HostPortComponent) *bool { return s.IsRecent }),
	objectField("component", "The software component detected.", componentTable,
		func(s *graph.HostPortComponent) *graph.HostComponent { return s.Component }),
)

var componentTable = newTable("hostComponent",
	stringField("id", "The component's identifier.", func(c *graph.HostComponent) *string { return c.ID }),
	stringField("name", "The component's name, such as `nginx`.", func(c *graph.HostComponent) *string { return c.Name }),
	stringField("version", "The component's version as detected; it may be empty.", func(c *graph.HostComponent) *string { return c.Version }),
	stringField("category", "The component's category, such as `Server`, `Operating System`, `Framework` or `Remote Access`.",
		func(c *graph.HostComponent) *string { return c.Category }),
	timestampField("firstSeenDateTime", "When Defender TI first saw the component.",
		func(c *graph.HostComponent) *graph.Timestamp { return c.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last saw the component.",
		func(c *graph.HostComponent) *graph.Timestamp { return c.LastSeenDateTime }),
)

var hostReferenceTable = newTable("host",
	textField("id", "The host's identifier: an IP address or a domain name.", func(h *graph.HostReference) string { return h.ID }),
)

var certificateTable = newTable("sslCertificate",
	textField("id", "The certificate's identifier.", func(c *graph.SslCertificate) string { return c.ID }),
	stringField("sha1", "The SHA-1 hash of the certificate.", func(c *graph.SslCertificate) *string { return c.Sha1 }),
	stringField("fingerprint", "The certificate's fingerprint.", func(c *graph.SslCertificate) *string { return c.Fingerprint }),
	stringField("serialNumber", "The certificate's serial number.", func(c *graph.SslCertificate) *string { return c.SerialNumber }),
	timestampField("issueDateTime", "When the certificate was issued.", func(c *graph.SslCertificate) *graph.Timestamp { return c.IssueDateTime }),
	timestampField("expirationDateTime", "When the certificate expires.", func(c *graph.SslCertificate) *graph.Timestamp { return c.ExpirationDateTime }),
	timestampField("firstSeenDateTime", "When Defender TI first saw the certificate.", func(c *graph.SslCertificate) *graph.Timestamp { return c.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last saw the certificate.", func(c *graph.SslCertificate) *graph.Timestamp { return c.LastSeenDateTime }),
	objectField("issuer", "The entity that issued the certificate.", certificateEntityTable,
		func(c *graph.SslCertificate) *graph.SslCertificateEntity { return c.Issuer }),
	objectField("subject", "The entity the certificate was issued to.", certificateEntityTable,
		func(c *graph.SslCertificate) *graph.SslCertificateEntity { return c.Subject }),
)

var certificateEntityTable = newTable("sslCertificateEntity",
	stringField("commonName", "The common name (CN).", func(e *graph.SslCertificateEntity) *string { return e.CommonName }),
	stringListField("alternateNames", "The subject alternative names.", func(e *graph.SslCertificateEntity) []string { return e.AlternateNames }),
	stringField("email", "The email address.", func(e *graph.SslCertificateEntity) *string { return e.Email }),
	stringField("givenName", "The given name.", func(e *graph.SslCertificateEntity) *string { return e.GivenName }),
	stringField("surname", "The surname.", func(e *graph.SslCertificateEntity) *string { return e.Surname }),
	stringField("organizationName", "The organization (O).", func(e *graph.SslCertificateEntity) *string { return e.OrganizationName }),
	stringField("organizationUnitName", "The organizational unit (OU).", func(e *graph.SslCertificateEntity) *string { return e.OrganizationUnitName }),
	stringField("serialNumber", "The entity's serial number.", func(e *graph.SslCertificateEntity) *string { return e.SerialNumber }),
	objectField("address", "The entity's postal address.", addressTable,
		func(e *graph.SslCertificateEntity) *graph.PhysicalAddress { return e.Address }),
)

var addressTable = newTable("physicalAddress",
	stringField("street", "The street.", func(a *graph.PhysicalAddress) *string { return a.Street }),
	stringField("city", "The city.", func(a *graph.PhysicalAddress) *string { return a.City }),
	stringField("state", "The state or province.", func(a *graph.PhysicalAddress) *string { return a.State }),
	stringField("postalCode", "The postal code.", func(a *graph.PhysicalAddress) *string { return a.PostalCode }),
	stringField("countryOrRegion", "The country or region.", func(a *graph.PhysicalAddress) *string { return a.CountryOrRegion }),
)
