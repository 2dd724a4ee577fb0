// Package fakegraph is an offline HTTPS emulator of Entra ID (client
// credentials) and the Microsoft Graph Defender Threat Intelligence host-port
// API. The client tests, the provider tests (real terraform and tofu binaries
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
// What the emulator enforces, like Graph: a bearer token it issued, the
// documented OData options only ($top, $skip, $count, $select, $expand on
// lists; $select and $expand on a single port; nothing on $count), absolute
// @odata.nextLink URLs carrying every original option plus $skiptoken, and
// Graph's error envelope with request-id and client-request-id. Faults
// (throttling, gateway errors, broken bodies, hostile nextLinks, redirects)
// are scripted per route with AddFault; ThrottleFor throttles every Graph
// request for a span of time. A rate limit (Config.RateLimit, SetRateLimit)
// throttles the way Graph's own limits do: one token bucket over every Graph
// route, a 429 TooManyRequests with Retry-After in seconds, as a date or
// absent for a request finding it empty, counted by RateLimited and marked
// in the request log.
//
// The sample dataset (SampleData, files in data/ plus one generated host):
//
//   - 8.8.8.8: the API reference's example, field by field: port 443/tcp
//     open, observed 15590 times, two http_raw banners, two services
//     ("scaffolding on HTTPServer2" recent, nginx 1.18.0 not recent), an
//     expanded certificate and the host stub 85.13.139.18.
//   - contoso.com: seven ports: 22 (OpenSSH), 53/udp, 80, 443 (with a
//     certificate), 445 filtered (banners and services null), 3389 open
//     (RDP, binary banner), 8080 closed.
//   - 198.51.100.10: nullable fields set to null and the evolvable enum
//     member unknownFutureValue for protocol and status.
//   - empty.example.org: a known host with no ports (an empty list, not 404).
//   - scan.example.net (SamplePagingHost): 250 generated ports, three pages at
//     the default page size of 100.
//
// Run it standalone with cmd/fakegraph.
package fakegraph
