package fakegraph

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The CI systems' ID-token endpoints. Both hand out tokens of the emulator's
// own issuer (IssuerURL), with the subjects the real systems use.
const (
	// GitHubRequestToken is the value for ACTIONS_ID_TOKEN_REQUEST_TOKEN.
	GitHubRequestToken = "emulator-github-request-token"
	// GitHubSubject is the subject of GitHub ID tokens: a push to main of
	// the repository defender-ti/example.
	GitHubSubject = "repo:defender-ti/example:ref:refs/heads/main"
	// PipelinesAccessToken is the value for SYSTEM_ACCESSTOKEN, the build's
	// token that authorizes the Azure Pipelines OIDC request.
	PipelinesAccessToken = "emulator-system-access-token"

	// githubDefaultAudience is what GitHub puts in aud when the request
	// names no audience: the URL of the repository owner.
	githubDefaultAudience = "https://github.com/defender-ti"
	// pipelinesAPIVersion is the only api-version the emulated Azure
	// DevOps endpoint accepts; azidentity sends it.
	pipelinesAPIVersion = "7.1"
	// idTokenTTL is the lifetime of the ID tokens both CI systems mint.
	idTokenTTL = 10 * time.Minute

	githubPath    = "/_github/"
	pipelinesPath = "/_ado/"
)

// GitHubRequestURL is the value for ACTIONS_ID_TOKEN_REQUEST_URL. Like
// GitHub's, it already carries a query, so callers append
// "&audience=api://AzureADTokenExchange".
func (s *Server) GitHubRequestURL() string { return s.url + githubPath + "idtoken?api-version=2.0" }

// PipelinesRequestURI is the value for SYSTEM_OIDCREQUESTURI, to which
// azidentity's AzurePipelinesCredential adds api-version and
// serviceConnectionId.
func (s *Server) PipelinesRequestURI() string { return s.url + pipelinesPath + "oidctoken" }

// PipelinesSubject is the subject of an Azure Pipelines ID token for a
// service connection: "sc://{organization}/{project}/{service connection}".
func PipelinesSubject(serviceConnectionID string) string {
	return "sc://defender-ti/example/" + serviceConnectionID
}

// OIDCRequests counts requests to the GitHub and Azure Pipelines ID-token
// endpoints, successful or not; the issuer's discovery document and key set
// are logged but not counted.
func (s *Server) OIDCRequests() int { return int(s.oidcRequests.Load()) }

func (s *Server) serveOIDC(w http.ResponseWriter, r *http.Request) {
	e := s.log.add(OriginOIDC, r)
	rec := &statusRecorder{ResponseWriter: w, log: &s.log, entry: e}
	switch {
	case strings.HasPrefix(r.URL.Path, issuerPath+"/"):
		s.serveIssuer(rec, r)
	case r.URL.Path == githubPath+"idtoken":
		s.oidcRequests.Add(1)
		s.log.setScope(e, r.URL.Query().Get("audience"))
		s.answer(rec, r, OriginOIDC, faultTarget{route: RouteOIDC, key: "github"}, func(*Fault) response { return s.githubIDToken(r) })
	case r.URL.Path == pipelinesPath+"oidctoken":
		s.oidcRequests.Add(1)
		s.answer(rec, r, OriginOIDC, faultTarget{route: RouteOIDC, key: "pipelines"}, func(*Fault) response { return s.pipelinesIDToken(r) })
	default:
		http.NotFound(rec, r)
	}
}

// bearerIs reports whether the request carries "Bearer want" (the scheme
// compared without regard to case, the token exactly).
func bearerIs(r *http.Request, want string) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "bearer") && subtle.ConstantTimeCompare([]byte(tok), []byte(want)) == 1
}

// githubIDToken answers like the Actions runtime's token service: GET with
// the request token as bearer, 200 {"count": n, "value": jwt}. The audience
// is whatever the caller asked for, so a wrong one fails at Entra ID.
func (s *Server) githubIDToken(r *http.Request) response {
	switch {
	case r.Method != http.MethodGet:
		return jsonResponse(http.StatusMethodNotAllowed, http.Header{"Allow": {http.MethodGet}},
			map[string]any{"message": "The requested resource does not support http method '" + r.Method + "'."})
	case !bearerIs(r, GitHubRequestToken):
		return jsonResponse(http.StatusUnauthorized, nil, map[string]any{"message": "Bad credentials"})
	}
	aud := r.URL.Query().Get("audience")
	if aud == "" {
		aud = githubDefaultAudience
	}
	tok, err := s.mintFederated(GitHubSubject, aud, idTokenTTL, map[string]any{
		"ref":                "refs/heads/main",
		"ref_type":           "branch",
		"repository":         "defender-ti/example",
		"repository_owner":   "defender-ti",
		"event_name":         "push",
		"workflow":           "ci",
		"job_workflow_ref":   "defender-ti/example/.github/workflows/ci.yml@refs/heads/main",
		"runner_environment": "github-hosted",
	})
	if err != nil {
		return jsonResponse(http.StatusInternalServerError, nil, map[string]any{"message": err.Error()})
	}
	return jsonResponse(http.StatusOK, nil, map[string]any{"count": len(tok), "value": tok})
}

// pipelinesIDToken answers like Azure DevOps' oidctoken endpoint as
// azidentity calls it: POST ?api-version=7.1&serviceConnectionId=... with
// the build's access token as bearer, 200 {"oidcToken": jwt}. Every answer
// carries the correlation headers azidentity copies into its errors.
func (s *Server) pipelinesIDToken(r *http.Request) response {
	h := http.Header{}
	h.Set("X-VSS-E2EID", newGUID())
	h.Set("X-MSEdge-Ref", fmt.Sprintf("Ref A: %s Ref B: EMU01EDGE0001 Ref C: %s",
		strings.ToUpper(strings.ReplaceAll(newGUID(), "-", "")), time.Now().UTC().Format("2006-01-02T15:04:05Z")))
	h.Set("ActivityId", newGUID())
	q := r.URL.Query()
	connection := q.Get("serviceConnectionId")
	switch {
	case r.Method != http.MethodPost:
		h.Set("Allow", http.MethodPost)
		return vssError(http.StatusMethodNotAllowed, h, "HttpMethodNotAllowedException",
			"The requested resource does not support http method '"+r.Method+"'.")
	case !bearerIs(r, PipelinesAccessToken):
		// X-TFS-FedAuthRedirect: Suppress (which azidentity sends) is what
		// makes Azure DevOps answer 401 here instead of redirecting to a
		// sign-in page.
		return vssError(http.StatusUnauthorized, h, "UnauthorizedRequestException",
			"TF400813: The user '' is not authorized to access this resource.")
	case q.Get("api-version") != pipelinesAPIVersion:
		return vssError(http.StatusBadRequest, h, "VssVersionNotSupportedException",
			fmt.Sprintf("The requested REST API version of %q is not supported by this emulator; use %s.", q.Get("api-version"), pipelinesAPIVersion))
	case connection == "":
		return vssError(http.StatusBadRequest, h, "ArgumentNullException",
			"Value cannot be null.\r\nParameter name: serviceConnectionId")
	}
	tok, err := s.mintFederated(PipelinesSubject(connection), FederatedAudience, idTokenTTL, nil)
	if err != nil {
		return vssError(http.StatusInternalServerError, h, "InvalidOperationException", err.Error())
	}
	return jsonResponse(http.StatusOK, h, map[string]any{"oidcToken": tok})
}

// vssError is Azure DevOps' error body.
func vssError(status int, h http.Header, typeKey, msg string) response {
	return jsonResponse(status, h, map[string]any{
		"$id":            "1",
		"innerException": nil,
		"message":        msg,
		"typeName":       "Microsoft.VisualStudio.Services.Common." + typeKey + ", Microsoft.VisualStudio.Services.Common",
		"typeKey":        typeKey,
		"errorCode":      0,
		"eventId":        3000,
	})
}
