package graph

import (
	"context"
)

// The hostPort entity: its Go types, its property names, its URLs, and its
// calls written on the shared paging, decoding and request code.

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

var hostPortEntity = entityType{
	name:       "hostPort",
	properties: HostPortProperties,
	expandable: []string{ExpandMostRecentSslCertificate},
}

// HostPorts is a host's ports; HostPortByID is one of them by its opaque id.
var (
	HostPorts    = HostCollection[HostPort]{Segment: "ports", entity: hostPortEntity}
	HostPortByID = EntityByID[HostPort]{Collection: "hostPorts", entity: hostPortEntity}
)

// HostPortList is the result of ListHostPorts.
type HostPortList = List[HostPort]

// ListHostPorts lists what Defender TI observed on the ports of hostID; see
// HostCollection.List.
func (c *Client) ListHostPorts(ctx context.Context, hostID string, opts QueryOptions) (*HostPortList, error) {
	return HostPorts.List(ctx, c, hostID, opts)
}

// GetHostPort reads one hostPort by its opaque id. opts may hold Select and
// Expand only.
func (c *Client) GetHostPort(ctx context.Context, hostPortID string, opts QueryOptions) (*HostPort, error) {
	return HostPortByID.Get(ctx, c, hostPortID, opts)
}

// CountHostPorts asks Graph how many ports it holds for hostID, without
// listing them.
func (c *Client) CountHostPorts(ctx context.Context, hostID string) (int64, error) {
	return HostPorts.Count(ctx, c, hostID)
}

// Enumerations of hostPort are evolvable in Graph: values newer than this
// client arrive as raw strings and are kept verbatim, never dropped.
const (
	ProtocolTCP = "tcp"
	ProtocolUDP = "udp"

	StatusOpen     = "open"
	StatusFiltered = "filtered"
	StatusClosed   = "closed"

	UnknownFutureValue = "unknownFutureValue"
)

// HostPort mirrors microsoft.graph.security.hostPort. Pointer fields are
// nullable or may be left out by $select; the caller knows which properties it
// selected and can tell the two apart.
//
// Graph documents timesObserved as Int32, yet counters on busy hosts have
// passed 2^31; they are read as int64 so one such port does not fail the
// whole read. Port stays int32: a port number is at most 65535, and one
// beyond int32 is a broken answer the decoder names.
type HostPort struct {
	ID                       string              `json:"id"`
	Port                     int32               `json:"port"`
	Protocol                 string              `json:"protocol"`
	Status                   string              `json:"status"`
	FirstSeenDateTime        *Timestamp          `json:"firstSeenDateTime"`
	LastSeenDateTime         *Timestamp          `json:"lastSeenDateTime"`
	LastScanDateTime         *Timestamp          `json:"lastScanDateTime"`
	TimesObserved            *int64              `json:"timesObserved"`
	Banners                  []HostPortBanner    `json:"banners"`
	Services                 []HostPortComponent `json:"services"`
	Host                     *HostReference      `json:"host"`
	MostRecentSslCertificate *SslCertificate     `json:"mostRecentSslCertificate"`
}

// HostPortBanner mirrors microsoft.graph.security.hostPortBanner. Its
// timesObserved is read as int64 for the reason HostPort's is.
type HostPortBanner struct {
	Banner            string     `json:"banner"`
	FirstSeenDateTime *Timestamp `json:"firstSeenDateTime"`
	LastSeenDateTime  *Timestamp `json:"lastSeenDateTime"`
	ScanProtocol      *string    `json:"scanProtocol"`
	TimesObserved     *int64     `json:"timesObserved"`
}

// HostPortComponent mirrors microsoft.graph.security.hostPortComponent.
type HostPortComponent struct {
	FirstSeenDateTime *Timestamp     `json:"firstSeenDateTime"`
	LastSeenDateTime  *Timestamp     `json:"lastSeenDateTime"`
	IsRecent          *bool          `json:"isRecent"`
	Component         *HostComponent `json:"component"`
}

// HostComponent mirrors microsoft.graph.security.hostComponent. The metadata
// calls its timestamps non-null, yet published samples omit them, so every
// field is optional here.
type HostComponent struct {
	ID                *string    `json:"id"`
	Name              *string    `json:"name"`
	Version           *string    `json:"version"`
	Category          *string    `json:"category"`
	FirstSeenDateTime *Timestamp `json:"firstSeenDateTime"`
	LastSeenDateTime  *Timestamp `json:"lastSeenDateTime"`
}

// HostReference is the stub Graph returns for the host navigation property
// of a hostPort: only its id, and no @odata.type to tell the subtype.
type HostReference struct {
	ID string `json:"id"`
}

// SslCertificate mirrors microsoft.graph.security.sslCertificate. Without
// $expand only ID is filled.
type SslCertificate struct {
	ID                 string                `json:"id"`
	Sha1               *string               `json:"sha1"`
	Fingerprint        *string               `json:"fingerprint"`
	SerialNumber       *string               `json:"serialNumber"`
	IssueDateTime      *Timestamp            `json:"issueDateTime"`
	ExpirationDateTime *Timestamp            `json:"expirationDateTime"`
	FirstSeenDateTime  *Timestamp            `json:"firstSeenDateTime"`
	LastSeenDateTime   *Timestamp            `json:"lastSeenDateTime"`
	Issuer             *SslCertificateEntity `json:"issuer"`
	Subject            *SslCertificateEntity `json:"subject"`
}

// SslCertificateEntity mirrors microsoft.graph.security.sslCertificateEntity.
type SslCertificateEntity struct {
	CommonName           *string          `json:"commonName"`
	AlternateNames       []string         `json:"alternateNames"`
	Email                *string          `json:"email"`
	GivenName            *string          `json:"givenName"`
	Surname              *string          `json:"surname"`
	OrganizationName     *string          `json:"organizationName"`
	OrganizationUnitName *string          `json:"organizationUnitName"`
	SerialNumber         *string          `json:"serialNumber"`
	Address              *PhysicalAddress `json:"address"`
}

// PhysicalAddress mirrors microsoft.graph.physicalAddress.
type PhysicalAddress struct {
	Street          *string `json:"street"`
	City            *string `json:"city"`
	State           *string `json:"state"`
	PostalCode      *string `json:"postalCode"`
	CountryOrRegion *string `json:"countryOrRegion"`
}
