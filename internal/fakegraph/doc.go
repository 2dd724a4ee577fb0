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
// What the emulator enforces, like Graph: a bearer token it issued, the
// documented OData options only ($top, $skip, $count, $select, $expand on
// lists; $select and $expand on a single port; nothing on $count), absolute
// @odata.nextLink URLs carrying every original option plus $skiptoken, and
// Graph's error envelope with request-id and client-request-id. Faults
// (throttling, gateway errors, broken bodies, hostile nextLinks, redirects)
// are scripted per route with AddFault.
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
