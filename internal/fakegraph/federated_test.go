package fakegraph

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

const workloadSubject = "system:serviceaccount:defender:terraform"

// graphAccepts asserts that Graph answers a list call made with token.
func graphAccepts(t *testing.T, s *Server, token string) {
	t.Helper()
	if r := get(t, s, "/v1.0/security/threatIntelligence/hosts/8.8.8.8/ports", token); r.status != http.StatusOK {
		t.Fatalf("Graph rejected the token: %d %s", r.status, r.body)
	}
}

// assertionToken runs a ClientAssertionCredential whose assertion is fixed.
func assertionToken(t *testing.T, s *Server, assertion string) (azcore.AccessToken, error) {
	t.Helper()
	cred, err := azidentity.NewClientAssertionCredential(DefaultTenantID, DefaultClientID,
		func(context.Context) (string, error) { return assertion, nil },
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	return cred.GetToken(context.Background(), graphScope)
}

func TestClientAssertionCredentialWithFederatedToken(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	s.AddFederatedCredential(DefaultTenantID, DefaultClientID, s.IssuerURL(), workloadSubject)
	tok, err := assertionToken(t, s, s.MintFederatedToken(workloadSubject, 10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	graphAccepts(t, s, tok.Token)
	if s.TokenRequests() != 1 || s.OIDCRequests() != 0 {
		t.Errorf("TokenRequests %d, OIDCRequests %d; want 1, 0", s.TokenRequests(), s.OIDCRequests())
	}
}

func TestFederatedAssertionRejections(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	s.AddFederatedCredential(DefaultTenantID, DefaultClientID, s.IssuerURL(), workloadSubject)
	s.AddFederatedCredential(DefaultTenantID, DefaultClientID, "https://token.actions.githubusercontent.com", GitHubSubject)
	other := startServer(t, Config{})
	// Another emulator's token, re-labelled with this issuer: well formed,
	// signed, but not by this issuer's key.
	foreignSigned := relabel(t, other.MintFederatedToken(workloadSubject, 10*time.Minute), s.IssuerURL())
	wrongAudience, err := s.mintFederated(workloadSubject, "https://github.com/defender-ti", 10*time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, assertion, want string
	}{
		{"unregistered subject", s.MintFederatedToken("system:serviceaccount:defender:other", 10*time.Minute), "AADSTS70021"},
		{"subject differs in case", s.MintFederatedToken(strings.ToUpper(workloadSubject), 10*time.Minute), "AADSTS70021"},
		{"wrong audience", wrongAudience, "AADSTS70021"},
		{"expired", s.MintFederatedToken(workloadSubject, -time.Minute), "AADSTS700024"},
		{"bad signature", foreignSigned, "AADSTS700027"},
		{"unreachable issuer", relabel(t, s.MintFederatedToken(GitHubSubject, time.Minute), "https://token.actions.githubusercontent.com"), "AADSTS50166"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := assertionToken(t, s, tc.assertion)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want %s, got %v", tc.want, err)
			}
		})
	}
}

// relabel replaces iss in a signed token, keeping the now stale signature.
func relabel(t *testing.T, token, iss string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	var claims map[string]any
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	claims["iss"] = iss
	b, err = json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
}

func TestCertificateAssertionStillUsesCertificates(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	// A federated credential must not make a self-issued assertion (iss is
	// the client id) acceptable: that path needs a registered certificate.
	s.AddFederatedCredential(DefaultTenantID, DefaultClientID, s.IssuerURL(), DefaultClientID)
	forged := relabel(t, s.MintFederatedToken(DefaultClientID, time.Minute), DefaultClientID)
	if _, err := assertionToken(t, s, forged); err == nil || !strings.Contains(err.Error(), "AADSTS700027") {
		t.Fatalf("want AADSTS700027 for a self-issued assertion without a certificate, got %v", err)
	}
}

func TestIssuerDiscoveryAndKeys(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	if s.IssuerURL() != s.URL()+"/_oidc" {
		t.Fatalf("IssuerURL = %s", s.IssuerURL())
	}
	r := getURL(t, s, s.IssuerURL()+"/.well-known/openid-configuration", "")
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &doc) != nil || doc.Issuer != s.IssuerURL() {
		t.Fatalf("discovery: %d %s", r.status, r.body)
	}
	r = getURL(t, s, doc.JWKSURI, "")
	var jwks struct {
		Keys []struct {
			Kty, Alg, Kid, N, E string
		} `json:"keys"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &jwks) != nil || len(jwks.Keys) != 1 || jwks.Keys[0].Kty != "RSA" {
		t.Fatalf("jwks: %d %s", r.status, r.body)
	}

	// The minted token verifies with the published key, independently of
	// the emulator's own verification code.
	k := jwks.Keys[0]
	n, errN := base64.RawURLEncoding.DecodeString(k.N)
	e, errE := base64.RawURLEncoding.DecodeString(k.E)
	if errN != nil || errE != nil {
		t.Fatalf("key encoding: %v %v", errN, errE)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	token := s.MintFederatedToken("subject-1", 5*time.Minute)
	parts := strings.Split(token, ".")
	var header struct{ Alg, Kid string }
	var claims struct {
		Iss, Sub, Aud string
		Iat, Nbf, Exp int64
	}
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil {
		t.Fatalf("token %s does not decode", token)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if header.Alg != "RS256" || header.Kid != k.Kid || rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) != nil {
		t.Fatalf("token header %+v does not verify with the published key %s", header, k.Kid)
	}
	now := time.Now().Unix()
	if claims.Iss != s.IssuerURL() || claims.Sub != "subject-1" || claims.Aud != FederatedAudience ||
		claims.Iat > now || claims.Nbf > now || claims.Exp < now+4*60 || claims.Exp > now+5*60+1 {
		t.Fatalf("claims %+v", claims)
	}
	for _, rq := range s.Requests() {
		if rq.Origin != OriginOIDC {
			t.Errorf("issuer request logged as %q", rq.Origin)
		}
	}
	if s.OIDCRequests() != 0 {
		t.Errorf("discovery counted as %d ID-token requests", s.OIDCRequests())
	}
}

func TestWorkloadIdentityCredentialWithTokenFile(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	s.AddFederatedCredential(DefaultTenantID, DefaultClientID, s.IssuerURL(), workloadSubject)
	file := writeTemp(t, s.MintFederatedToken(workloadSubject, time.Hour))
	cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions:            clientOptions(s),
		DisableInstanceDiscovery: true,
		TenantID:                 DefaultTenantID,
		ClientID:                 DefaultClientID,
		TokenFilePath:            file,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(context.Background(), graphScope)
	if err != nil {
		t.Fatal(err)
	}
	graphAccepts(t, s, tok.Token)
}

// writeTemp writes content to a file in the test's temporary directory.
func writeTemp(t *testing.T, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}
