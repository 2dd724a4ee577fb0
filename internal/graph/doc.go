// Package graph is a client for the Microsoft Graph Defender Threat
// Intelligence host-port API.
//
// It knows HTTP, JSON, OData paging and Entra ID bearer tokens, and nothing of
// Terraform: the provider package maps its typed results to schema values.
// Requests go through an azcore pipeline so that token caching, retries and
// Retry-After handling are the SDK's well-tested code; the few policies added
// here cover what azcore does not do (see policies.go). Bodies are decoded
// inside the retry loop, so a 200 whose body breaks off mid-stream is
// retried with the same budget and back-off (see request.go).
package graph
