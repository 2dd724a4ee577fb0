package fakegraph

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// signJWT builds an assertion by hand, so each claim can be made wrong on
// purpose.
func signJWT(t *testing.T, key *rsa.PrivateKey, alg string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(map[string]string{"alg": alg, "typ": "JWT"}) + "." + enc(claims)
	digest := sha256.Sum256([]byte(signing))
	var sig []byte
	var err error
	if alg == "PS256" {
		sig, err = rsa.SignPSS(rand.Reader, key, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	} else {
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestVerifyClientAssertion(t *testing.T) {
	t.Parallel()
	cert, key := newClientCert(t)
	_, otherKey := newClientCert(t)
	const client, aud = "client-1", "https://127.0.0.1:1/tenant/oauth2/v2.0/token"
	now := time.Now()
	good := func() map[string]any {
		return map[string]any{"aud": aud, "iss": client, "sub": client, "exp": now.Add(10 * time.Minute).Unix(), "nbf": now.Unix(), "jti": "x"}
	}
	cases := []struct {
		name    string
		key     *rsa.PrivateKey
		alg     string
		edit    func(map[string]any)
		wantErr string
	}{
		{"PS256 as MSAL sends it", key, "PS256", nil, ""},
		{"RS256", key, "RS256", nil, ""},
		{"audience upper-cased", key, "PS256", func(c map[string]any) { c["aud"] = strings.ToUpper(aud) }, ""},
		{"audience array", key, "PS256", func(c map[string]any) { c["aud"] = []string{"other", aud} }, ""},
		{"other key", otherKey, "PS256", nil, "signature"},
		{"expired", key, "PS256", func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() }, "expired"},
		{"no exp", key, "PS256", func(c map[string]any) { delete(c, "exp") }, "exp"},
		{"future nbf", key, "PS256", func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }, "nbf"},
		{"wrong aud", key, "PS256", func(c map[string]any) { c["aud"] = "https://login.microsoftonline.com/x/oauth2/v2.0/token" }, "aud"},
		{"wrong iss", key, "PS256", func(c map[string]any) { c["iss"] = "someone" }, "iss"},
		{"wrong sub", key, "PS256", func(c map[string]any) { c["sub"] = "someone" }, "sub"},
	}
	for _, c := range cases {
		claims := good()
		if c.edit != nil {
			c.edit(claims)
		}
		err := verifyClientAssertion(signJWT(t, c.key, c.alg, claims), []*x509.Certificate{cert}, client, aud, now)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: got %v, want an error about %s", c.name, err, c.wantErr)
		}
	}
	// alg none, or a JWT whose signature is stripped, must never pass.
	unsigned := strings.Join(strings.Split(signJWT(t, key, "RS256", good()), ".")[:2], ".") + "."
	if err := verifyClientAssertion(unsigned, []*x509.Certificate{cert}, client, aud, now); err == nil {
		t.Error("unsigned assertion accepted")
	}
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	p := base64.RawURLEncoding.EncodeToString([]byte(`{}`))
	if err := verifyClientAssertion(h+"."+p+".", []*x509.Certificate{cert}, client, aud, now); err == nil {
		t.Error("alg none accepted")
	}
}
