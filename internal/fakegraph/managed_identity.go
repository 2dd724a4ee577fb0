package fakegraph

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Managed identity in the App Service form (IDENTITY_ENDPOINT and
// IDENTITY_HEADER), the one azidentity (through MSAL) picks whenever both
// variables are set.
const (
	// ManagedIdentityHeader is the value for IDENTITY_HEADER, which the
	// client echoes in the X-IDENTITY-HEADER request header.
	ManagedIdentityHeader = "emulator-identity-header"
	// SystemAssignedClientID is the client id of the system-assigned
	// identity, which exists in DefaultTenantID from Start.
	SystemAssignedClientID = "33333333-3333-4333-8333-333333333333"

	managedIdentityPath       = "/_msi/"
	managedIdentityAPIVersion = "2019-08-01"
	imdsTokenPath             = managedIdentityPath + "metadata/identity/oauth2/token"
	imdsMinAPIVersion         = "2018-02-01"
)

// ManagedIdentityEndpoint is the value for IDENTITY_ENDPOINT. It is HTTPS on
// the emulator's listener: azidentity sends managed identity requests
// through the credential's ClientOptions.Transport, so HTTPClient (or any
// client trusting CAPEM) reaches it.
func (s *Server) ManagedIdentityEndpoint() string { return s.url + managedIdentityPath + "token" }

// ManagedIdentityIMDSEndpoint serves the same identities with the Azure
// Instance Metadata Service protocol (header Metadata: true, api-version
// 2018-02-01 or later), for a client given a custom IMDS-style endpoint
// such as an msi_endpoint setting. azidentity itself cannot be pointed at
// it: its IMDS address is fixed.
func (s *Server) ManagedIdentityIMDSEndpoint() string { return s.url + imdsTokenPath }

// AddManagedIdentity registers a user-assigned identity, selected by
// client_id, whose tokens are for tenantID.
func (s *Server) AddManagedIdentity(tenantID, clientID string) {
	s.mu.Lock()
	s.identities[strings.ToLower(clientID)] = strings.ToLower(tenantID)
	s.mu.Unlock()
}

// ManagedIdentityRequests counts requests to the managed identity endpoint,
// successful or not.
func (s *Server) ManagedIdentityRequests() int { return int(s.managedIdentityRequests.Load()) }

func (s *Server) serveManagedIdentity(w http.ResponseWriter, r *http.Request) {
	e := s.log.add(OriginManagedIdentity, r)
	rec := &statusRecorder{ResponseWriter: w, log: &s.log, entry: e}
	normal := s.managedIdentityResponse
	switch r.URL.Path {
	case managedIdentityPath + "token":
	case imdsTokenPath:
		normal = s.imdsResponse
	default:
		http.NotFound(rec, r)
		return
	}
	s.managedIdentityRequests.Add(1)
	q := r.URL.Query()
	s.log.setScope(e, q.Get("resource"))
	s.answer(rec, r, OriginManagedIdentity, faultTarget{route: RouteManagedIdentity, key: q.Get("client_id")}, func(*Fault) response {
		return normal(r)
	})
}

// managedIdentityResponse validates a request the way the App Service
// identity endpoint (api-version 2019-08-01) does and answers its token
// shape: expires_on is a string of Unix seconds, and the identity's
// client_id is echoed.
func (s *Server) managedIdentityResponse(r *http.Request) response {
	q := r.URL.Query()
	got := r.Header.Get("X-IDENTITY-HEADER")
	resource := q.Get("resource")
	switch {
	case r.Method != http.MethodGet:
		return msiError(http.StatusMethodNotAllowed, "The identity endpoint only accepts GET requests.")
	case got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(ManagedIdentityHeader)) != 1:
		return msiError(http.StatusUnauthorized, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.")
	case q.Get("api-version") != managedIdentityAPIVersion:
		return msiError(http.StatusBadRequest, fmt.Sprintf("The api-version %q is not supported; use %s.", q.Get("api-version"), managedIdentityAPIVersion))
	case resource == "":
		return msiError(http.StatusBadRequest, "The resource parameter is required.")
	case strings.HasSuffix(resource, "/.default"):
		// The identity endpoint takes a v1 resource; a v2 scope here means
		// the client forgot to strip "/.default", as azidentity does.
		return msiError(http.StatusBadRequest, fmt.Sprintf("Resource %q is a scope, not a resource.", resource))
	case q.Has("object_id") || q.Has("mi_res_id") || q.Has("principal_id"):
		return msiError(http.StatusBadRequest, "Unable to load the proper Managed Identity. This emulator selects user-assigned identities by client_id only.")
	}

	clientID, tenant, ok := s.identity(q.Get("client_id"))
	if !ok {
		return msiError(http.StatusBadRequest, fmt.Sprintf("Unable to load the proper Managed Identity. No identity with client_id %s is assigned to this resource.", clientID))
	}

	tok := s.IssueToken(tenant)
	return jsonResponse(http.StatusOK, nil, map[string]any{
		"access_token": tok,
		"expires_on":   strconv.FormatInt(time.Now().Add(s.tokenTTL).Unix(), 10),
		"resource":     resource,
		"token_type":   "Bearer",
		"client_id":    clientID,
	})
}

// msiError is the App Service identity endpoint's error body.
func msiError(status int, msg string) response {
	return jsonResponse(status, nil, map[string]any{
		"statusCode":    status,
		"message":       msg,
		"correlationId": newGUID(),
	})
}

// identity resolves a requested client_id ("" for the system-assigned
// identity) to the identity's client id and tenant.
func (s *Server) identity(requested string) (clientID, tenant string, ok bool) {
	clientID = requested
	if clientID == "" {
		clientID = SystemAssignedClientID
	}
	s.mu.Lock()
	tenant, ok = s.identities[strings.ToLower(clientID)]
	s.mu.Unlock()
	return clientID, tenant, ok
}

// imdsResponse answers like IMDS: errors are OAuth-shaped, and expires_in,
// expires_on and not_before are strings.
func (s *Server) imdsResponse(r *http.Request) response {
	q := r.URL.Query()
	imdsError := func(status int, desc string) response {
		return jsonResponse(status, nil, map[string]any{"error": "invalid_request", "error_description": desc})
	}
	switch {
	case r.Method != http.MethodGet:
		return imdsError(http.StatusMethodNotAllowed, "The request method is not supported.")
	case r.Header.Get("Metadata") != "true":
		return imdsError(http.StatusBadRequest, "Required metadata header not specified")
	case q.Get("api-version") == "":
		return imdsError(http.StatusBadRequest, "Required api-version parameter not specified")
	case q.Get("api-version") < imdsMinAPIVersion:
		return imdsError(http.StatusBadRequest, "Invalid api-version for this request")
	case q.Get("resource") == "":
		return imdsError(http.StatusBadRequest, "Required audience parameter not specified")
	case q.Has("object_id") || q.Has("msi_res_id") || q.Has("mi_res_id"):
		return imdsError(http.StatusBadRequest, "Identity not found. This emulator selects user-assigned identities by client_id only.")
	}
	clientID, tenant, ok := s.identity(q.Get("client_id"))
	if !ok {
		return imdsError(http.StatusBadRequest, "Identity not found")
	}
	now := time.Now()
	secs := int64(s.tokenTTL / time.Second)
	return jsonResponse(http.StatusOK, nil, map[string]any{
		"access_token":   s.IssueToken(tenant),
		"client_id":      clientID,
		"expires_in":     strconv.FormatInt(secs, 10),
		"expires_on":     strconv.FormatInt(now.Unix()+secs, 10),
		"ext_expires_in": strconv.FormatInt(secs, 10),
		"not_before":     strconv.FormatInt(now.Unix(), 10),
		"resource":       q.Get("resource"),
		"token_type":     "Bearer",
	})
}
