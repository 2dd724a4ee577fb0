package graph

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
)

// The certificates Defender TI saw on a host:
// GET /security/threatIntelligence/hosts/{hostId}/sslCertificates, each with
// the ports it was seen on and a navigation to the certificate itself
// (GET /sslCertificates/{id}). SslCertificate is in hostport.go, where a
// port's most recent certificate holds it too.

// HostSslCertificateProperties are the names $select accepts for a
// hostSslCertificate.
var HostSslCertificateProperties = []string{"id", "firstSeenDateTime", "lastSeenDateTime", "ports", "sslCertificate", "host"}

// SslCertificateProperties are the names $select accepts for an sslCertificate.
var SslCertificateProperties = []string{
	"id", "sha1", "fingerprint", "serialNumber", "issueDateTime", "expirationDateTime",
	"firstSeenDateTime", "lastSeenDateTime", "issuer", "subject",
}

// ExpandSslCertificate is the navigation of a hostSslCertificate that
// $expand fills with the whole certificate.
const ExpandSslCertificate = "sslCertificate"

var hostSslCertificateEntity = entityType{
	name:       "hostSslCertificate",
	properties: HostSslCertificateProperties,
	expandable: []string{ExpandSslCertificate},
}

// HostSslCertificates is a host's certificates as listed, HostSslCertificateByID
// one of them by id, and SslCertificateByID a certificate itself.
var (
	HostSslCertificates    = HostCollection[HostSslCertificate]{Segment: "sslCertificates", entity: hostSslCertificateEntity}
	HostSslCertificateByID = EntityByID[HostSslCertificate]{Collection: "hostSslCertificates", entity: hostSslCertificateEntity}
	SslCertificateByID     = EntityByID[SslCertificate]{
		Collection: "sslCertificates",
		entity:     entityType{name: "sslCertificate", properties: SslCertificateProperties},
	}
)

// HostSslCertificate mirrors microsoft.graph.security.hostSslCertificate.
type HostSslCertificate struct {
	ID                string                   `json:"id"`
	FirstSeenDateTime *Timestamp               `json:"firstSeenDateTime"`
	LastSeenDateTime  *Timestamp               `json:"lastSeenDateTime"`
	Ports             []HostSslCertificatePort `json:"ports"`
	SslCertificate    *SslCertificate          `json:"sslCertificate"`
	Host              *HostReference           `json:"host"`
}

// HostSslCertificatePort mirrors microsoft.graph.security.hostSslCertificatePort.
type HostSslCertificatePort struct {
	Port              *int64     `json:"port"`
	FirstSeenDateTime *Timestamp `json:"firstSeenDateTime"`
	LastSeenDateTime  *Timestamp `json:"lastSeenDateTime"`
}

// ListHostSslCertificatesWithCertificates lists the certificates seen on
// hostID with each one's certificate filled in, in as few requests as Graph
// allows. Graph's reference documents neither way for $expand=sslCertificate
// on this list, so it is asked for first: one request per page. When Graph
// refuses it with 400, the list is read without it and each distinct
// certificate is read once by id, through the client's flow control like
// every other request. opts.Expand is ignored; opts.Select, when set, must
// hold sslCertificate.
//
// The refusal is remembered for the client's life: a fleet asks once, not
// once per host. A 400 that the list without $expand answers too is the
// caller's, and is returned.
func (c *Client) ListHostSslCertificatesWithCertificates(ctx context.Context, hostID string, opts QueryOptions) (*List[HostSslCertificate], error) {
	if !c.sslCertificateExpandRefused.Load() {
		opts.Expand = []string{ExpandSslCertificate}
		list, err := HostSslCertificates.List(ctx, c, hostID, opts)
		if !hasStatus(err, http.StatusBadRequest) {
			return list, err
		}
	}
	opts.Expand = nil
	list, err := HostSslCertificates.List(ctx, c, hostID, opts)
	if err != nil {
		return nil, err
	}
	c.sslCertificateExpandRefused.Store(true)
	return list, c.fillCertificates(ctx, list.Items)
}

// fillCertificates replaces every certificate stub of items by the
// certificate, each distinct one read once, concurrently.
func (c *Client) fillCertificates(ctx context.Context, items []HostSslCertificate) error {
	var ids []string
	for i := range items {
		if stub := items[i].SslCertificate; stub != nil && stub.ID != "" && !slices.Contains(ids, stub.ID) {
			ids = append(ids, stub.ID)
		}
	}
	certificates := make([]*SslCertificate, len(ids))
	errs := make([]error, len(ids))
	var reads sync.WaitGroup
	for i, id := range ids {
		reads.Go(func() {
			certificates[i], errs[i] = SslCertificateByID.Get(ctx, c, id, QueryOptions{})
		})
	}
	reads.Wait()
	for i := range items {
		stub := items[i].SslCertificate
		if stub == nil {
			continue
		}
		at := slices.Index(ids, stub.ID)
		if at < 0 {
			continue
		}
		if err := errs[at]; err != nil {
			if IsNotFound(err) {
				// The host is known, its list names the certificate: a 404
				// here is Graph's inconsistency, not an unknown host, and
				// must not read as one.
				return fmt.Errorf("the certificate %s listed for the host could not be read: %s", stub.ID, err)
			}
			return err
		}
		items[i].SslCertificate = certificates[at]
	}
	return nil
}
