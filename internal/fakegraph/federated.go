package fakegraph

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// FederatedAudience is the audience Entra ID expects in a federated
// assertion, and the default audience of a federated identity credential.
const FederatedAudience = "api://AzureADTokenExchange"

// issuerPath is where the emulator's own OIDC issuer lives under URL().
const issuerPath = "/_oidc"

// federatedCredential is one federated identity credential of an app: Entra
// ID trusts tokens from issuer whose subject is subject, for the fixed
// audience FederatedAudience. Matching is case-sensitive, as Entra ID's is.
type federatedCredential struct {
	issuer, subject string
}

// issuerKey is the signing key of the emulator's OIDC issuer. It is created
// on first use: RSA key generation is slow enough to matter in a test suite
// that starts a fresh emulator per test, and most tests never federate.
type issuerKey struct {
	once sync.Once
	key  *rsa.PrivateKey
	kid  string
	err  error
}

func (k *issuerKey) get() (*rsa.PrivateKey, string, error) {
	k.once.Do(func() {
		k.key, k.err = rsa.GenerateKey(rand.Reader, 2048)
		if k.err != nil {
			k.err = fmt.Errorf("fakegraph: issuer key: %w", k.err)
			return
		}
		der, err := x509.MarshalPKIXPublicKey(&k.key.PublicKey)
		if err != nil {
			k.err = fmt.Errorf("fakegraph: issuer key: %w", err)
			return
		}
		sum := sha256.Sum256(der)
		k.kid = base64.RawURLEncoding.EncodeToString(sum[:16])
	})
	return k.key, k.kid, k.err
}

// IssuerURL is the issuer of the emulator's own OIDC provider, which stands
// for GitHub Actions, Azure Pipelines or a Kubernetes cluster in workload
// identity federation. Its discovery document is served at
// IssuerURL()+"/.well-known/openid-configuration".
func (s *Server) IssuerURL() string { return s.url + issuerPath }

// AddFederatedCredential registers a federated identity credential on an
// app, creating the tenant and the app as needed: the token endpoint then
// accepts, as the app's client assertion, a token from issuer whose subject
// is subject and whose audience is FederatedAudience. Only tokens of
// IssuerURL can have their signature checked; a credential for another
// issuer matches but fails as Entra ID does when it cannot reach the issuer.
func (s *Server) AddFederatedCredential(tenantID, clientID, issuer, subject string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.appLocked(tenantID, clientID)
	app.federated = append(app.federated, federatedCredential{issuer: issuer, subject: subject})
}

// MintFederatedToken returns an RS256 JWT from IssuerURL for subject with
// audience FederatedAudience, valid for ttl. A ttl of zero or less yields a
// token that has already expired (valid for the ten minutes before now+ttl),
// to provoke AADSTS700024. It panics only if the issuer key cannot be made,
// which crypto/rand does not allow on supported platforms.
func (s *Server) MintFederatedToken(subject string, ttl time.Duration) string {
	tok, err := s.mintFederated(subject, FederatedAudience, ttl, nil)
	if err != nil {
		panic(err)
	}
	return tok
}

// mintFederated signs a token of the emulator's issuer; extra claims are
// added to the standard ones (and may not replace them).
func (s *Server) mintFederated(subject, audience string, ttl time.Duration, extra map[string]any) (string, error) {
	key, kid, err := s.issuer.get()
	if err != nil {
		return "", err
	}
	now := time.Now()
	exp := now.Add(ttl)
	iat := now
	if ttl <= 0 {
		iat = exp.Add(-10 * time.Minute)
	}
	claims := map[string]any{}
	for k, v := range extra {
		claims[k] = v
	}
	claims["iss"] = s.IssuerURL()
	claims["sub"] = subject
	claims["aud"] = audience
	claims["iat"] = iat.Unix()
	claims["nbf"] = iat.Unix()
	claims["exp"] = exp.Unix()
	claims["jti"] = newGUID()
	header := map[string]string{"typ": "JWT", "alg": "RS256", "kid": kid}
	signingInput := base64.RawURLEncoding.EncodeToString(mustJSON(header)) + "." +
		base64.RawURLEncoding.EncodeToString(mustJSON(claims))
	digest := sha256.Sum256([]byte(signingInput))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("fakegraph: signing a federated token: %w", err)
	}
	return signingInput + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// assertionIssuer reads iss from a JWT without verifying it, to tell a
// certificate assertion (iss is the client id) from a federated one.
func assertionIssuer(assertion string) (string, bool) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return "", false
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	if decodeSegment(parts[1], &claims) != nil {
		return "", false
	}
	return claims.Iss, true
}

// rejection is a refusal of the token endpoint, in AADSTS terms.
type rejection struct {
	status int
	code   string
	aadsts int
	msg    string
}

func (r *rejection) response() response {
	return aadErrorResponse(r.status, r.code, r.aadsts, r.msg, nil)
}

// verifyFederatedAssertion checks a federated client assertion in the order
// that decides which error Entra ID reports: the federated identity record
// (issuer, subject, audience), then the issuer's signature, then the time
// range. It returns nil when the assertion is acceptable.
func (s *Server) verifyFederatedAssertion(assertion string, creds []federatedCredential, now time.Time) *rejection {
	parts := strings.Split(assertion, ".")
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims struct {
		Aud json.RawMessage `json:"aud"`
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Exp *json.Number    `json:"exp"`
		Nbf *json.Number    `json:"nbf"`
	}
	if len(parts) != 3 || decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil {
		return &rejection{http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed."}
	}

	matched := false
	for _, c := range creds {
		if c.issuer == claims.Iss && c.subject == claims.Sub && audienceExact(claims.Aud, FederatedAudience) {
			matched = true
			break
		}
	}
	if !matched {
		return &rejection{http.StatusBadRequest, "invalid_request", 70021, fmt.Sprintf(
			"No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
			claims.Iss, claims.Sub, audienceText(claims.Aud))}
	}
	if claims.Iss != s.IssuerURL() {
		return &rejection{http.StatusBadRequest, "invalid_request", 50166, fmt.Sprintf(
			"Request to External OIDC endpoint failed. The emulator can only reach its own issuer %s, not %s.", s.IssuerURL(), claims.Iss)}
	}
	if err := s.verifyIssuerSignature(parts, header.Alg, header.Kid); err != nil {
		return &rejection{http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed signature validation: " + err.Error()}
	}

	if claims.Exp == nil {
		return &rejection{http.StatusBadRequest, "invalid_client", 700024, "Client assertion contains no expiry time (exp)."}
	}
	exp, err := claims.Exp.Int64()
	if err != nil {
		return &rejection{http.StatusBadRequest, "invalid_client", 700024, "Client assertion expiry time (exp) is not an integer."}
	}
	var nbf int64
	if claims.Nbf != nil {
		if nbf, err = claims.Nbf.Int64(); err != nil {
			return &rejection{http.StatusBadRequest, "invalid_client", 700024, "Client assertion start time (nbf) is not an integer."}
		}
	}
	const skew = 5 * time.Minute
	if !now.Before(time.Unix(exp, 0)) || now.Add(skew).Before(time.Unix(nbf, 0)) {
		const layout = "2006-01-02T15:04:05.0000000Z"
		return &rejection{http.StatusBadRequest, "invalid_client", 700024, fmt.Sprintf(
			"Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s.",
			now.UTC().Format(layout), time.Unix(nbf, 0).UTC().Format(layout), time.Unix(exp, 0).UTC().Format(layout))}
	}
	return nil
}

func (s *Server) verifyIssuerSignature(parts []string, alg, kid string) error {
	key, wantKid, err := s.issuer.get()
	if err != nil {
		return err
	}
	if alg != "RS256" {
		return fmt.Errorf("the issuer signs with RS256, not %q", alg)
	}
	if kid != "" && kid != wantKid {
		return fmt.Errorf("key %q is not in the issuer's key set", kid)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return errors.New("the signature is not base64url")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig) != nil {
		return errors.New("the signature does not verify with the issuer's key")
	}
	return nil
}

// audienceExact is audienceMatches without case folding: Entra ID compares
// a federated credential's audience exactly.
func audienceExact(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, a := range many {
			if a == want {
				return true
			}
		}
	}
	return false
}

// audienceText renders aud for an error message.
func audienceText(raw json.RawMessage) string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return strings.Join(many, ", ")
	}
	return string(raw)
}

// serveIssuer answers the discovery document and key set of the emulator's
// OIDC issuer, which Entra ID would fetch to validate a federated token.
func (s *Server) serveIssuer(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case issuerPath + "/.well-known/openid-configuration":
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                s.IssuerURL(),
			"jwks_uri":                              s.IssuerURL() + "/.well-known/jwks",
			"subject_types_supported":               []string{"public"},
			"response_types_supported":              []string{"id_token"},
			"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"scopes_supported":                      []string{"openid"},
		})
	case issuerPath + "/.well-known/jwks":
		key, kid, err := s.issuer.get()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
			"kty": "RSA",
			"alg": "RS256",
			"use": "sig",
			"kid": kid,
			"n":   base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	default:
		http.NotFound(w, r)
	}
}
