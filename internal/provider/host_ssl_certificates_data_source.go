package provider

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// NewHostSslCertificatesDataSource returns the defender_ti_host_ssl_certificates data source.
func NewHostSslCertificatesDataSource() datasource.DataSource {
	return hostSslCertificatesSpec.newDataSource()
}

var hostSslCertificatesSpec = &hostListSpec[graph.HostSslCertificate]{
	typeSuffix: "_ti_host_ssl_certificates",
	description: "Lists the TLS certificates Microsoft Defender Threat Intelligence saw on a host " +
		"(`GET /security/threatIntelligence/hosts/{hostId}/sslCertificates` in Microsoft Graph), each with the ports it was seen on " +
		"and the certificate itself: expiry and issue dates, fingerprints, serial number, issuer and subject. " +
		"The certificates come with the list, expanded, where Graph allows it; where it refuses, each distinct certificate is read once by its id. " +
		"Certificates are sorted by expiry, then id.",
	list:            "ssl_certificates",
	listDescription: "The certificates seen on the host, sorted by `ssl_certificate.expiration_date_time`, then `id`. Each object mirrors Graph's `hostSslCertificate`.",
	what:            "the certificates",
	title:           "Host SSL Certificates",
	table:           hostSslCertificateTable,
	read: func(ctx context.Context, c *graph.Client, hostID string, opts graph.QueryOptions) (*graph.List[graph.HostSslCertificate], error) {
		return c.ListHostSslCertificatesWithCertificates(ctx, hostID, opts)
	},
	paging:    true,
	selecting: true,
	needed:    []string{"id", "sslCertificate"},
	order: func(a, b *graph.HostSslCertificate) int {
		if c := expiry(a).Compare(expiry(b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	},
}

// expiry is when the certificate expires; the zero time, first, when
// unknown or unreadable.
func expiry(c *graph.HostSslCertificate) time.Time {
	if c.SslCertificate == nil || c.SslCertificate.ExpirationDateTime == nil {
		return time.Time{}
	}
	return c.SslCertificate.ExpirationDateTime.Time
}
