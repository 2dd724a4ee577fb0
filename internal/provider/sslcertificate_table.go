package provider

import "github.com/defender-ti/terraform-provider-defender/internal/graph"

// A certificate as seen on a host. The certificate itself is certificateTable
// (hostport_table.go), shared with a port's most recent certificate.

var hostSslCertificateTable = newTable("hostSslCertificate",
	textField("id", "The identifier Graph gives this sighting of the certificate on the host.", func(c *graph.HostSslCertificate) string { return c.ID }),
	timestampField("firstSeenDateTime", "When Defender TI first saw the certificate on the host.",
		func(c *graph.HostSslCertificate) *graph.Timestamp { return c.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last saw the certificate on the host.",
		func(c *graph.HostSslCertificate) *graph.Timestamp { return c.LastSeenDateTime }),
	objectListField("ports", "The ports the certificate was seen on. Empty when Graph reports none.", hostSslCertificatePortTable,
		func(c *graph.HostSslCertificate) []graph.HostSslCertificatePort { return c.Ports }),
	objectField("sslCertificate", "The certificate, every field filled.", certificateTable,
		func(c *graph.HostSslCertificate) *graph.SslCertificate { return c.SslCertificate }),
	objectField("host", "The host Graph links the certificate to. Graph returns only its identifier here.", hostReferenceTable,
		func(c *graph.HostSslCertificate) *graph.HostReference { return c.Host }),
)

var hostSslCertificatePortTable = newTable("hostSslCertificatePort",
	int64Field("port", "The port number.", func(p *graph.HostSslCertificatePort) *int64 { return p.Port }),
	timestampField("firstSeenDateTime", "When Defender TI first saw the certificate on this port.",
		func(p *graph.HostSslCertificatePort) *graph.Timestamp { return p.FirstSeenDateTime }),
	timestampField("lastSeenDateTime", "When Defender TI last saw the certificate on this port.",
		func(p *graph.HostSslCertificatePort) *graph.Timestamp { return p.LastSeenDateTime }),
)
