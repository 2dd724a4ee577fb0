package fakegraph

import (
	"crypto/rand"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// application is one registered app (service principal) in one tenant.
type application struct {
	secrets   []string
	certs     []*x509.Certificate
	federated []federatedCredential
}

// accessToken is what the emulator remembers about a token it issued. The
// token itself is opaque: clients must never parse access tokens.
type accessToken struct {
	tenant  string
	expires time.Time
}

const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// MSAL always appends these to the resource scope of a client-credentials
// request; Entra ID ignores them for that grant.
var oidcScopes = map[string]bool{"openid": true, "offline_access": true, "profile": true}

// AddClientSecret registers a secret for an app, creating the tenant and the
// app as needed. An app may hold several secrets, as in Entra ID.
func (s *Server) AddClientSecret(tenantID, clientID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.appLocked(tenantID, clientID)
	app.secrets = append(app.secrets, secret)
}

// AddClientCertificate registers a certificate whose key may sign client
// assertions for the app.
func (s *Server) AddClientCertificate(tenantID, clientID string, cert *x509.Certificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.appLocked(tenantID, clientID)
	app.certs = append(app.certs, cert)
}

func (s *Server) appLocked(tenantID, clientID string) *application {
	t := strings.ToLower(tenantID)
	if s.tenants[t] == nil {
		s.tenants[t] = map[string]*application{}
	}
	c := strings.ToLower(clientID)
	if s.tenants[t][c] == nil {
		s.tenants[t][c] = &application{}
	}
	return s.tenants[t][c]
}

// IssueToken mints a valid access token for tenantID without a token
// request, for client tests that use a static credential.
func (s *Server) IssueToken(tenantID string) string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	tok := "fg." + base64.RawURLEncoding.EncodeToString(b[:])
	s.mu.Lock()
	s.tokens[tok] = accessToken{tenant: strings.ToLower(tenantID), expires: time.Now().Add(s.tokenTTL)}
	s.mu.Unlock()
	return tok
}

// RevokeTokens invalidates every issued token, so the next Graph call
// answers 401 as it would after a token was revoked or expired.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	s.tokens = map[string]accessToken{}
	s.mu.Unlock()
}

func (s *Server) tenantKnown(tenantID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tenants[strings.ToLower(tenantID)] != nil
}

// serveEntra handles the Entra ID paths: OpenID discovery, instance
// discovery and the v2.0 token endpoint.
func (s *Server) serveEntra(w http.ResponseWriter, r *http.Request) {
	e := s.log.add(OriginEntra, r)
	rec := &statusRecorder{ResponseWriter: w, log: &s.log, entry: e}
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	tenant, _ := url.PathUnescape(segs[0])
	rest := strings.Join(segs[1:], "/")
	switch {
	case rest == "oauth2/v2.0/token":
		s.serveToken(rec, r, e, tenant)
	case rest == "v2.0/.well-known/openid-configuration" || rest == ".well-known/openid-configuration":
		s.serveOpenIDConfiguration(rec, r, tenant)
	case tenant == "common" && rest == "discovery/instance":
		s.serveInstanceDiscovery(rec, r)
	default:
		writeAADError(rec, http.StatusNotFound, "invalid_request", 90000, "The requested path is not an Entra ID endpoint of this emulator.")
	}
}

// serveOpenIDConfiguration answers MSAL's tenant discovery. MSAL requires
// authorization_endpoint, token_endpoint and issuer, and refuses an issuer
// whose scheme and host differ from the authority's, so all of them point at
// this listener.
func (s *Server) serveOpenIDConfiguration(w http.ResponseWriter, r *http.Request, tenant string) {
	if r.Method != http.MethodGet {
		writeAADError(w, http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts GET requests.")
		return
	}
	if !s.tenantKnown(tenant) {
		writeAADError(w, http.StatusBadRequest, "invalid_tenant", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
		return
	}
	origin := s.originOf(r)
	base := origin + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              origin + "/" + tenant + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                base + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     origin + "/oidc/userinfo",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "tid"},
		"kerberos_endpoint":                     base + "/kerberos",
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "emulator.local",
		"cloud_graph_host_name":                 strings.TrimPrefix(origin, "https://"),
		"msgraph_host":                          strings.TrimPrefix(origin, "https://"),
		"rbac_url":                              origin,
	})
}

// serveInstanceDiscovery exists for clients that do not disable instance
// discovery but point it here; MSAL itself sends that request to
// login.microsoftonline.com for unknown hosts, so with MSAL the emulator
// needs DisableInstanceDiscovery.
func (s *Server) serveInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	host := strings.TrimPrefix(s.url, "https://")
	tenant := "common"
	if a, err := url.Parse(r.URL.Query().Get("authorization_endpoint")); err == nil {
		if segs := strings.Split(strings.Trim(a.Path, "/"), "/"); segs[0] != "" {
			tenant = segs[0]
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": s.url + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata":                  []map[string]any{{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}}},
	})
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, e *Request, tenant string) {
	if r.Method != http.MethodPost {
		writeAADError(w, http.StatusMethodNotAllowed, "invalid_request", 900561, "The endpoint only accepts POST requests.")
		return
	}
	s.tokenRequests.Add(1)
	_ = r.ParseForm()
	s.log.setScope(e, r.PostForm.Get("scope"))

	s.answer(w, r, OriginEntra, faultTarget{route: RouteToken, key: tenant}, func(*Fault) response { return s.tokenResponse(r, tenant) })
}

// tokenResponse validates a client-credentials request in roughly the order
// Entra ID does and answers a token or an AADSTS error.
func (s *Server) tokenResponse(r *http.Request, tenant string) response {
	scope := r.PostForm.Get("scope")
	s.mu.Lock()
	apps := s.tenants[strings.ToLower(tenant)]
	clientID := r.PostForm.Get("client_id")
	var app *application
	if apps != nil {
		if a := apps[strings.ToLower(clientID)]; a != nil {
			app = &application{
				secrets:   append([]string(nil), a.secrets...),
				certs:     append([]*x509.Certificate(nil), a.certs...),
				federated: append([]federatedCredential(nil), a.federated...),
			}
		}
	}
	s.mu.Unlock()

	switch {
	case apps == nil:
		return aadErrorResponse(http.StatusBadRequest, "invalid_request", 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant), nil)
	case r.PostForm.Get("grant_type") != "client_credentials":
		return aadErrorResponse(http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'. This emulator supports client_credentials only.", r.PostForm.Get("grant_type")), nil)
	case clientID == "":
		return aadErrorResponse(http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.", nil)
	case app == nil:
		return aadErrorResponse(http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenant), nil)
	}
	if msg := checkScope(scope); msg != "" {
		return aadErrorResponse(http.StatusBadRequest, "invalid_scope", 70011, msg, nil)
	}

	secret := r.PostForm.Get("client_secret")
	assertion := r.PostForm.Get("client_assertion")
	switch {
	case secret != "" && assertion != "":
		return aadErrorResponse(http.StatusBadRequest, "invalid_request", 90014, "Only one of 'client_secret' and 'client_assertion' may be sent.", nil)
	case secret != "":
		if !secretMatches(app.secrets, secret) {
			return aadErrorResponse(http.StatusUnauthorized, "invalid_client", 7000215,
				fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID), nil)
		}
	case assertion != "":
		if t := r.PostForm.Get("client_assertion_type"); t != clientAssertionType {
			return aadErrorResponse(http.StatusBadRequest, "invalid_request", 700024,
				fmt.Sprintf("Client assertion type '%s' is not supported; expected '%s'.", t, clientAssertionType), nil)
		}
		// A certificate assertion is issued by the app itself; anything
		// else claims to come from a federated identity provider.
		if iss, ok := assertionIssuer(assertion); ok && !strings.EqualFold(iss, clientID) {
			if rej := s.verifyFederatedAssertion(assertion, app.federated, time.Now()); rej != nil {
				return rej.response()
			}
			break
		}
		audience := s.originOf(r) + "/" + tenant + "/oauth2/v2.0/token"
		if err := verifyClientAssertion(assertion, app.certs, clientID, audience, time.Now()); err != nil {
			return aadErrorResponse(http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed validation: "+err.Error(), nil)
		}
	default:
		return aadErrorResponse(http.StatusUnauthorized, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", nil)
	}

	tok := s.IssueToken(tenant)
	secs := int(s.tokenTTL / time.Second)
	return jsonResponse(http.StatusOK, http.Header{"Cache-Control": {"no-store, no-cache"}}, map[string]any{
		"token_type":     "Bearer",
		"expires_in":     secs,
		"ext_expires_in": secs,
		"access_token":   tok,
	})
}

// checkScope applies Entra ID's rule for client credentials: exactly one
// resource, requested as "{resource}/.default". It returns "" when valid.
func checkScope(scope string) string {
	var resources []string
	for _, sc := range strings.Fields(scope) {
		if !oidcScopes[strings.ToLower(sc)] {
			resources = append(resources, sc)
		}
	}
	switch {
	case len(resources) == 0:
		return "The provided request must include a 'scope' input parameter."
	case len(resources) > 1:
		return fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope '%s' requests more than one resource.", scope)
	case !strings.HasSuffix(resources[0], "/.default"):
		return fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope %s is not valid. A client credentials request must use a scope ending in /.default.", resources[0])
	}
	return ""
}

func secretMatches(secrets []string, got string) bool {
	ok := false
	for _, want := range secrets {
		if subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1 {
			ok = true
		}
	}
	return ok
}

// writeAADError answers in Entra ID's error shape; clients (and azidentity's
// error messages) key on the AADSTS code inside error_description.
func writeAADError(w http.ResponseWriter, status int, code string, aadsts int, msg string) {
	aadErrorResponse(status, code, aadsts, msg, nil).write(w)
}

func aadErrorResponse(status int, code string, aadsts int, msg string, h http.Header) response {
	now := time.Now().UTC()
	trace, corr := newGUID(), newGUID()
	return jsonResponse(status, h, map[string]any{
		"error": code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, msg, trace, corr, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":    []int{aadsts},
		"timestamp":      now.Format("2006-01-02 15:04:05Z"),
		"trace_id":       trace,
		"correlation_id": corr,
		"error_uri":      "https://login.microsoftonline.com/error?code=" + fmt.Sprint(aadsts),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	jsonResponse(status, nil, v).write(w)
}

func jsonResponse(status int, h http.Header, v any) response {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return response{status: status, header: h, body: mustJSON(v)}
}
