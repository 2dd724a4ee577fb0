// Package fakegraph is an offline HTTPS emulator of Entra ID (client
// credentials) and the Microsoft Graph Defender Threat Intelligence host
// API: a host, its ports, reputation, certificates, components, WHOIS
// record, subdomains and passive DNS. The client tests, the provider tests (real terraform and tofu binaries
// launch the provider, which talks to this emulator), the benchmarks and the
// demo all run against it.
//
// It is written independently of internal/graph on purpose: a client bug and
// an emulator bug built from the same code would cancel out.
//
// One listener (URL) serves both Entra ID paths ({tenant}/v2.0/.well-known/
// openid-configuration, {tenant}/oauth2/v2.0/token) and Graph paths
// (/v1.0 and /beta under security/threatIntelligence). A second listener
// (ForeignURL) stands for another origin so tests can prove a client never
// follows a nextLink or redirect there, or leaks its token to it. Both use a
// certificate for 127.0.0.1, ::1 and localhost signed by a CA created at
// Start (CAPEM, CertPool, HTTPClient).
//
// Beyond client secrets and certificates, the listener emulates the other
// ways a workload gets an Entra ID token, each answering exactly the request
// azidentity sends:
//
//   - Workload identity federation. The emulator is an OIDC issuer of its
//     own (IssuerURL, with discovery document and key set under it) and
//     mints RS256 tokens for any subject (MintFederatedToken). The token
//     endpoint accepts such a token as client_assertion when a federated
//     identity credential (AddFederatedCredential) matches its issuer,
//     subject and audience api://AzureADTokenExchange exactly; otherwise it
//     answers AADSTS70021, and AADSTS700027 for a bad signature,
//     AADSTS700024 outside the validity window, AADSTS50166 for another
//     issuer. An assertion whose iss is the client id is a certificate
//     assertion, checked as before.
//   - GitHub Actions (GitHubRequestURL, GitHubRequestToken): GET with the
//     request token as bearer and an audience query parameter answers
//     {"count","value"}, value being an ID token for GitHubSubject.
//   - Azure Pipelines (PipelinesRequestURI, PipelinesAccessToken): POST
//     ?api-version=7.1&serviceConnectionId=ID with the build's token as
//     bearer answers {"oidcToken"} for PipelinesSubject(ID), with Azure
//     DevOps' X-VSS-E2EID and X-MSEdge-Ref headers on every answer.
//   - Managed identity in the App Service form (ManagedIdentityEndpoint,
//     ManagedIdentityHeader for IDENTITY_ENDPOINT and IDENTITY_HEADER): GET
//     ?api-version=2019-08-01&resource=R[&client_id=C] with X-IDENTITY-HEADER
//     answers {"access_token","expires_on" (Unix seconds as a string),
//     "resource","token_type","client_id"}. The system-assigned identity
//     (SystemAssignedClientID) is in DefaultTenantID; AddManagedIdentity adds
//     user-assigned ones. ManagedIdentityIMDSEndpoint serves them with the
//     IMDS protocol instead (Metadata: true, api-version 2018-02-01), for
//     clients given a custom endpoint; azidentity's IMDS address is fixed.
//
// These requests are logged with OriginOIDC or OriginManagedIdentity and
// counted by OIDCRequests and ManagedIdentityRequests, not TokenRequests;
// faults reach them through RouteOIDC and RouteManagedIdentity. An Azure CLI
// stub needs no endpoint: it prints a token from IssueToken.
//
// # Graph routes
//
// Every Graph route comes from one table (routes.go), one row per
// collection of a host: its segment name, the OData options each of its
// routes accepts, the properties $select accepts (SelectableProperties),
// the navigations $expand accepts, and its single-item route. Paths are
// under /{v1.0|beta}/security/threatIntelligence; segment names compare
// case-insensitively, host ids too, entity ids exactly; an id is one
// escaped path segment.
//
//	GET /hosts/{hostId}                    the host (hostname or ipAddress)  $select
//	GET /hosts/{hostId}/ports              hostPort list                     $top $skip $count $select $expand=mostRecentSslCertificate
//	GET /hosts/{hostId}/ports/$count       a bare integer                    none
//	GET /hostPorts/{id}                    one hostPort                      $select $expand=mostRecentSslCertificate
//	GET /hosts/{hostId}/reputation         hostReputation                    $select
//	GET /hosts/{hostId}/sslCertificates    hostSslCertificate list           $top $skip $count $select $expand=sslCertificate $orderby
//	GET /hostSslCertificates/{id}          one hostSslCertificate            $select $expand=sslCertificate
//	GET /sslCertificates/{id}              one sslCertificate                $select
//	GET /hosts/{hostId}/components         hostComponent list                $top $skip $count $select
//	GET /hostComponents/{id}               one hostComponent                 $select
//	GET /hosts/{hostId}/whois              whoisRecord                       $select
//	GET /hosts/{hostId}/subdomains         subdomain list                    $top $skip
//	GET /hosts/{hostId}/passiveDns         passiveDnsRecord list             $top $skip
//	GET /hosts/{hostId}/passiveDnsReverse  passiveDnsRecord list             $top $skip
//
// $orderby takes firstSeenDateTime or lastSeenDateTime, each optionally
// followed by asc or desc, comma-separated; other properties are a 400.
//
// What the emulator enforces, like Graph: a bearer token it issued, a
// route's documented OData options only (any other "$" option is a 400
// BadRequest; parameters without "$" are ignored), absolute
// @odata.nextLink URLs carrying every original option plus $skiptoken on
// every list (pages of the server's page size, or $top if smaller; a page
// may hold no item; @odata.count on the first page with $count=true), and
// Graph's error envelope with request-id and client-request-id. $select
// always keeps id and annotations such as @odata.type; it takes no paths
// (host/id). Unexpanded navigations are stubs {"id": ...}: a port's
// mostRecentSslCertificate, a hostSslCertificate's sslCertificate; the host
// of a hostSslCertificate is always a stub. /sslCertificates/{id} serves
// the certificates of hostSslCertificates and, failing that, those of
// hostPorts. Config.RefuseSslCertificateExpand (SetRefuseSslCertificateExpand,
// the command's -refuse-ssl-certificate-expand) answers
// $expand=sslCertificate with 400 on both hostSslCertificate routes, as
// Graph may, since its reference does not document that expansion.
//
// A host the dataset lacks is a 404 itemNotFound on every route under
// /hosts/{hostId}. A known host without a collection answers an empty list,
// or 404 itemNotFound for reputation and whois; an unknown id on a
// single-item route is a 404 too. Listing a whole collection (/hosts,
// /hostPorts, /hostSslCertificates, /hostComponents, /sslCertificates,
// /subdomains, /passiveDnsRecords, /whoisRecords) is a 400 saying it is
// not supported, as Graph documents.
//
// # Faults
//
// Faults (throttling, gateway errors, broken bodies, hostile nextLinks,
// redirects) are scripted per route with AddFault. Fault.Route is the kind
// of route (RouteList, RouteGet, RouteCount) and Fault.Collection the
// collection, by its Collection constant; "" is ports, so RouteList alone
// is /hosts/{id}/ports, RouteGet alone /hostPorts/{id}, as before there
// were other collections. RouteGet covers every single entity: the host
// (CollectionHost), reputation and whois under a host, and the routes by
// id (/hostSslCertificates/{id} is CollectionSslCertificates,
// /hostComponents/{id} CollectionComponents, /sslCertificates/{id}
// CollectionSslCertificate). Fault.Host is the host id on routes under
// /hosts/{id} and the entity id on routes by id. RouteAny matches every
// Graph route, or with a Collection every route of that collection. So a
// 403 on one host's reputation only is
//
//	Fault{Route: RouteGet, Collection: CollectionReputation, Host: "contoso.com",
//		Kind: KindGraphError, Status: 403, Code: "accessDenied", Times: -1}
//
// ThrottleFor throttles every Graph request for a span of time. A rate
// limit (Config.RateLimit, SetRateLimit) throttles the way Graph's own
// limits do: one token bucket over every Graph route, a 429
// TooManyRequests with Retry-After in seconds, as a date or absent for a
// request finding it empty, counted by RateLimited and marked in the
// request log.
//
// # Fixtures
//
// A dataset is one JSON file per host (LoadDir, WriteDir, AddHostJSON),
// one key per collection, named as Graph names the host's navigation:
//
//	{
//	  "hostId": "contoso.com",
//	  "host": {"@odata.type": "#microsoft.graph.security.hostname", "id": "contoso.com", ...},
//	  "ports": [hostPort, ...],
//	  "reputation": {hostReputation},
//	  "sslCertificates": [hostSslCertificate with "sslCertificate" expanded, ...],
//	  "components": [hostComponent, ...],
//	  "whois": {whoisRecord},
//	  "subdomains": [subdomain, ...],
//	  "passiveDns": [passiveDnsRecord, ...],
//	  "passiveDnsReverse": [passiveDnsRecord, ...]
//	}
//
// Every key but hostId is optional; any other key is an error naming it. A
// missing "host" is {"@odata.type", "id"}, an ipAddress when the id is an
// IP address and a hostname otherwise. Entities are served with the file's
// bytes and property order. The ids of hostPorts, hostSslCertificates and
// hostComponents are unique across the dataset; a certificate may appear on
// several hosts if written identically. WriteDir writes the keys in the
// order above, indented by two spaces: the files in data/ are exactly what
// it writes (cmd/fakegraph -write-data DIR regenerates them). Generate
// builds hosts with ports only; GenerateHosts adds the host entity,
// reputation, certificates, components and (for hostnames) WHOIS.
//
// # Sample data
//
// SampleData is the files in data/ plus one generated host. Today, for
// the samples, is 2026-12-06; every timestamp is a fixed RFC 3339 UTC
// string.
//
//   - contoso.com: a hostname (registrar "MarkMonitor Inc.", registrant
//     "Contoso Ltd."). Seven ports: 22 (OpenSSH), 53/udp, 80, 443 (with a
//     certificate), 445 filtered (banners and services null), 3389 open
//     (RDP, binary banner), 8080 closed. Reputation "suspicious", score 62,
//     two rules, the second of severity "high". Two certificates:
//     a1c3e5f7092b4d6f8a0c2e4f6a8b0d2f4a6c8e01 (contoso.com) expiring
//     2026-12-20T23:59:59Z, seen on 443 and 8443, and
//     b2d4f6a8c0e1f3a5b7c9d1e3f5a7b9c1d3e5f702 (*.contoso.com) expiring
//     2027-09-01T00:00:00Z, seen on 443; hostSslCertificate ids are the
//     base64 of "contoso.com$${certificate id}". Five components, ids the
//     base64 of "contoso.com$${name}$${version}": OpenSSH 7.4 (Remote
//     Access, last seen 2019), Apache HTTP Server 2.4.57, nginx 1.18.0,
//     jQuery 1.12.4 (Framework), Microsoft IIS 10.0. WHOIS expiring
//     2027-01-15T05:00:00Z, all eight contacts (some fields null, zone all
//     null), nameservers ns1 and ns2.contoso.com, a multi-line rawWhoisText.
//     Subdomains www, mail and vpn.contoso.com; passive DNS A 203.0.113.80,
//     AAAA 2001:db8::80, MX mail.contoso.com; reverse: one CNAME from
//     shop.fabrikam.com.
//   - 8.8.8.8: the API reference's example, field by field: port 443/tcp
//     open, observed 15590 times, two http_raw banners, two services
//     ("scaffolding on HTTPServer2" recent, nginx 1.18.0 not recent), an
//     expanded certificate and the host stub 85.13.139.18. An ipAddress
//     (AS15169 GOOGLE, Google LLC, US, netblock 8.8.8.0/24);
//     reputation "neutral", score 0, no rules; one hostSslCertificate
//     holding the port's certificate (7c4f1a1e2b6d3f8a9e0c5b4d2a1f6e8c3b9d7a05),
//     seen on 443; components "scaffolding-on-httpserver2" and
//     "nginx-1.18.0", the ids of its port's services; no WHOIS (404), no
//     subdomains (empty); reverse passive DNS: A records of dns.google and
//     dns.google.com.
//   - 198.51.100.10: nullable fields set to null (an ipAddress without
//     autonomousSystem and countryOrRegion) and the evolvable enum member
//     unknownFutureValue (a port's protocol and status, the severity of
//     its one reputation rule: "malicious", score 95). Components Asterisk
//     with a null version and Net-SNMP with version "" and null timestamps.
//     No certificates, WHOIS, subdomains or passive DNS.
//   - empty.example.org: a known host with nothing else: empty lists (not
//     404), no reputation and no WHOIS (404).
//   - scan.example.net (SamplePagingHost): 250 generated ports and 250
//     subdomains (s001 to s250.scan.example.net), three pages each at the
//     default page size of 100; no other collection.
//
// Run it standalone with cmd/fakegraph.
package fakegraph
