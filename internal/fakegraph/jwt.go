package fakegraph

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// verifyClientAssertion checks a client assertion the way Entra ID does for
// certificate credentials. It is written against the standard library only,
// so the emulator does not share a JWT implementation (or its bugs) with the
// client under test. MSAL Go signs with PS256 (x5t#S256 header) for Entra ID
// authorities and RS256 (x5t) for ADFS; both are accepted.
func verifyClientAssertion(assertion string, certs []*x509.Certificate, clientID, audience string, now time.Time) error {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return errors.New("the assertion is not a JWS compact serialization")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	var claims struct {
		Aud json.RawMessage `json:"aud"`
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Exp *json.Number    `json:"exp"`
		Nbf *json.Number    `json:"nbf"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "="))
	if err != nil {
		return errors.New("signature is not base64url")
	}
	if len(certs) == 0 {
		return errors.New("no certificate is registered for this application")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	verified := false
	for _, c := range certs {
		pub, ok := c.PublicKey.(*rsa.PublicKey)
		if !ok {
			continue
		}
		switch header.Alg {
		case "RS256":
			verified = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
		case "PS256":
			verified = rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil
		default:
			return fmt.Errorf("unsupported signing algorithm %q", header.Alg)
		}
		if verified {
			break
		}
	}
	if !verified {
		return errors.New("signature does not verify with any certificate registered for the application")
	}
	if claims.Iss != clientID || claims.Sub != clientID {
		return fmt.Errorf("iss %q and sub %q must both be the client id %q", claims.Iss, claims.Sub, clientID)
	}
	if !audienceMatches(claims.Aud, audience) {
		return fmt.Errorf("aud %s is not the token endpoint %s", string(claims.Aud), audience)
	}
	if claims.Exp == nil {
		return errors.New("exp claim is missing")
	}
	exp, err := claims.Exp.Int64()
	if err != nil {
		return errors.New("exp claim is not an integer")
	}
	if !now.Before(time.Unix(exp, 0)) {
		return fmt.Errorf("the assertion expired at %s", time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	if claims.Nbf != nil {
		if nbf, err := claims.Nbf.Int64(); err != nil || now.Add(5*time.Minute).Before(time.Unix(nbf, 0)) {
			return errors.New("the assertion is not valid yet (nbf)")
		}
	}
	return nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return errors.New("not base64url")
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	return dec.Decode(v)
}

// audienceMatches accepts aud as a string or an array, compared without
// regard to case because MSAL lower-cases the authority it derives it from.
func audienceMatches(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return strings.EqualFold(one, want)
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, a := range many {
			if strings.EqualFold(a, want) {
				return true
			}
		}
	}
	return false
}
