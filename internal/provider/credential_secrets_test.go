package provider

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/defender-ti/terraform-provider-defender/internal/fakegraph"
)

// newPKCS12 makes a password-protected PKCS#12 bundle of a fresh
// certificate and key, the format client_certificate documents, with the
// algorithms of encoder (pkcs12.Modern is what OpenSSL 3 writes by default).
func newPKCS12(t *testing.T, encoder *pkcs12.Encoder, password string) (*x509.Certificate, []byte) {
	t.Helper()
	cert, key := newSelfSignedCertificate(t)
	bundle, err := encoder.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return cert, bundle
}

// TestCLITraceLogHoldsNoCredentialSecrets signs in, in real plans at TRACE
// level, with a password-protected PKCS#12 certificate and then with an OIDC
// assertion, and searches everything printed for the password, the
// certificate bundle and the assertion.
func TestCLITraceLogHoldsNoCredentialSecrets(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const password = "pfx-password.canary-4e1c"
	const subject = "system:serviceaccount:trace:canary"
	config := `
data "defender_ti_host_ports" "reference" {
  host_id = "8.8.8.8"
}
`
	t.Run("certificate", func(t *testing.T) {
		cert, bundle := newPKCS12(t, pkcs12.Modern, password)
		encoded := base64.StdEncoding.EncodeToString(bundle)
		run := newCLIRun(t, ctx, config, "TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "ARM_CLIENT_SECRET=",
			"ARM_CLIENT_CERTIFICATE="+encoded, "ARM_CLIENT_CERTIFICATE_PASSWORD="+password)
		run.emulator.AddClientCertificate(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, cert)
		result, err := run.runner.Run(ctx, "plan", "-input=false", "-no-color")
		if err != nil {
			t.Fatal(err)
		}
		output := result.Stdout + result.Stderr
		if !strings.Contains(output, "client certificate") || run.emulator.TokenRequests() == 0 {
			t.Fatal("the run did not sign in with the certificate, so the search proves nothing")
		}
		for _, leak := range findLeaks(output, password, encoded[:64]) {
			t.Error(leak)
		}
	})
	t.Run("oidc", func(t *testing.T) {
		run := newCLIRun(t, ctx, config, "TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "ARM_CLIENT_SECRET=", "ARM_USE_OIDC=true")
		run.emulator.AddFederatedCredential(fakegraph.DefaultTenantID, fakegraph.DefaultClientID, run.emulator.IssuerURL(), subject)
		assertion := run.emulator.MintFederatedToken(subject, time.Hour)
		run.runner.Env = append(run.runner.Env, "ARM_OIDC_TOKEN="+assertion)
		result, err := run.runner.Run(ctx, "plan", "-input=false", "-no-color")
		if err != nil {
			t.Fatal(err)
		}
		output := result.Stdout + result.Stderr
		if !strings.Contains(output, "OIDC token") || run.emulator.TokenRequests() == 0 {
			t.Fatal("the run did not sign in with the OIDC token, so the search proves nothing")
		}
		// A JWT's signature is its unforgeable part; its header and claims are
		// not secret on their own, but none of it should appear.
		for _, leak := range findLeaks(output, assertion, assertion[strings.LastIndex(assertion, ".")+1:]) {
			t.Error(leak)
		}
	})
}

// TestParseClientCertificateFormats reads the formats client_certificate
// documents: PEM, and PKCS#12 with today's and legacy algorithms.
func TestParseClientCertificateFormats(t *testing.T) {
	for name, encoder := range map[string]*pkcs12.Encoder{"modern": pkcs12.Modern, "legacy": pkcs12.LegacyRC2, "legacy-des": pkcs12.LegacyDES} {
		want, bundle := newPKCS12(t, encoder, "pw")
		certs, key, err := parseClientCertificate(bundle, "pw")
		if err != nil || key == nil || len(certs) == 0 || !certs[0].Equal(want) {
			t.Errorf("%s PKCS#12: %v", name, err)
		}
		if _, _, err := parseClientCertificate(bundle, "wrong"); err == nil {
			t.Errorf("%s PKCS#12 opened with a wrong password", name)
		}
	}
	want, pemBundle := newCertificatePEM(t)
	certs, key, err := parseClientCertificate(pemBundle, "")
	if err != nil || key == nil || len(certs) == 0 || !certs[0].Equal(want) {
		t.Errorf("PEM: %v", err)
	}
}
