package graph

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
type HostPort struct {
	ID                       string              `json:"id"`
	Port                     int32               `json:"port"`
	Protocol                 string              `json:"protocol"`
	Status                   string              `json:"status"`
	FirstSeenDateTime        *Timestamp          `json:"firstSeenDateTime"`
	LastSeenDateTime         *Timestamp          `json:"lastSeenDateTime"`
	LastScanDateTime         *Timestamp          `json:"lastScanDateTime"`
	TimesObserved            *int32              `json:"timesObserved"`
	Banners                  []HostPortBanner    `json:"banners"`
	Services                 []HostPortComponent `json:"services"`
	Host                     *HostReference      `json:"host"`
	MostRecentSslCertificate *SslCertificate     `json:"mostRecentSslCertificate"`
}

// HostPortBanner mirrors microsoft.graph.security.hostPortBanner.
type HostPortBanner struct {
	Banner            string     `json:"banner"`
	FirstSeenDateTime *Timestamp `json:"firstSeenDateTime"`
	LastSeenDateTime  *Timestamp `json:"lastSeenDateTime"`
	ScanProtocol      *string    `json:"scanProtocol"`
	TimesObserved     *int32     `json:"timesObserved"`
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
