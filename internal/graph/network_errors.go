package graph

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"
)

// NetworkErrorKind says what kind of network failure a NetworkError is.
type NetworkErrorKind string

// The failures worth a sentence of their own: each has a different fix.
const (
	UntrustedCertificate NetworkErrorKind = "untrusted certificate"
	CertificateNameWrong NetworkErrorKind = "certificate for another name"
	CertificateInvalid   NetworkErrorKind = "invalid certificate"
	NotTLS               NetworkErrorKind = "not TLS"
	HostNotFound         NetworkErrorKind = "host not found"
	LookupFailed         NetworkErrorKind = "lookup failed"
	ConnectionRefused    NetworkErrorKind = "connection refused"
	ConnectTimeout       NetworkErrorKind = "connect timeout"
)

// NetworkError is a request that never reached an HTTP answer, told in one
// sentence that names the host or address and what to do. Its text starts
// in lower case and has no final period, so it reads well after a prefix
// such as "calling Graph: " or "client secret: ".
type NetworkError struct {
	Kind NetworkErrorKind
	// Host is the host name of the URL requested, or of the proxy when the
	// failure is the proxy's.
	Host string
	// Address is host:port of what was dialled.
	Address string
	// Issuer is the distinguished name of the issuer of the certificate
	// that failed verification, when there is one.
	Issuer string
	// ViaProxy is set when the failure is on the connection to the proxy
	// named by HTTPS_PROXY, not to the host itself.
	ViaProxy bool
	// Permanent errors cannot succeed on a retry.
	Permanent bool
	sentence  string
	Err       error
}

func (e *NetworkError) Error() string { return e.sentence }
func (e *NetworkError) Unwrap() error { return e.Err }

// permanentNetworkError marks a NetworkError that azcore's retry policy must
// not retry: a certificate the machine does not trust is as untrusted on the
// fifth attempt, and retrying only hides the cause behind half a minute of
// back-off. NonRetriable is a method, not a flag, because that is what the
// retry policy looks for with errors.As.
type permanentNetworkError struct{ *NetworkError }

func (e permanentNetworkError) Unwrap() error { return e.NetworkError }

// NonRetriable tells azcore's retry policy not to try again.
func (permanentNetworkError) NonRetriable() {}

// explainNetworkError returns err as a NetworkError when it is a failure
// with a fix worth a sentence, wrapped so that permanent ones are not
// retried; any other error is returned as it is.
func explainNetworkError(req *http.Request, err error) error {
	ne := classifyNetworkError(req, err)
	if ne == nil {
		return err
	}
	if ne.Permanent {
		return permanentNetworkError{ne}
	}
	return ne
}

// classifyNetworkError recognises the failures a user can act on. A
// cancelled or timed-out request is left alone: the caller reports its own
// context's error better than the transport can.
func classifyNetworkError(req *http.Request, err error) *NetworkError {
	if err == nil || req.Context().Err() != nil {
		return nil
	}
	var existing *NetworkError
	if errors.As(err, &existing) {
		return existing
	}
	host := req.URL.Hostname()
	address := canonicalHost(req.URL)
	// op is the dial that failed. net/http wraps a failure to reach the
	// proxy in an OpError "proxyconnect" without an address, around the
	// dial's own OpError that has one.
	var op *net.OpError
	errors.As(err, &op)
	viaProxy := op != nil && op.Op == "proxyconnect"
	target := "the host " + address
	if viaProxy {
		var dial *net.OpError
		if errors.As(op.Err, &dial) {
			op = dial
		}
		host, address = "", ""
		if op.Addr != nil {
			address = op.Addr.String()
			host, _, _ = net.SplitHostPort(address)
		}
		target = "the proxy " + address + " (set by HTTPS_PROXY)"
	}
	ne := &NetworkError{Host: host, Address: address, ViaProxy: viaProxy, Err: err}

	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordHeader tls.RecordHeaderError
	var dns *net.DNSError
	switch {
	case errors.As(err, &unknownAuthority):
		ne.Kind, ne.Permanent = UntrustedCertificate, true
		ne.Issuer = issuerOf(unknownAuthority.Cert)
		ne.sentence = fmt.Sprintf("the TLS certificate of %s is issued by %q, a certificate authority this machine does not trust: "+
			"if a proxy or gateway that inspects TLS sits in between, trust its CA certificate; otherwise add the issuing CA to the system's "+
			"certificate store, or set SSL_CERT_FILE to a PEM file that holds it", host, ne.Issuer)
	case errors.As(err, &hostname):
		ne.Kind, ne.Permanent = CertificateNameWrong, true
		ne.Issuer = issuerOf(hostname.Certificate)
		ne.sentence = fmt.Sprintf("the TLS certificate %s presented, issued by %q, is valid for %s but not for %q: "+
			"check the host name of the endpoint (a proxy that inspects TLS presents certificates of its own)",
			address, ne.Issuer, certificateNames(hostname.Certificate), host)
	case errors.As(err, &invalid):
		ne.Kind, ne.Permanent = CertificateInvalid, true
		ne.Issuer = issuerOf(invalid.Cert)
		ne.sentence = fmt.Sprintf("the TLS certificate of %s, issued by %q, %s", host, ne.Issuer, invalidReason(invalid))
	case errors.As(err, &recordHeader):
		ne.Kind, ne.Permanent = NotTLS, true
		ne.sentence = fmt.Sprintf("%s did not answer with TLS: check that the endpoint uses https on a port that serves it", target)
		if string(recordHeader.RecordHeader[:]) == "HTTP/" {
			ne.sentence = fmt.Sprintf("%s answered plain HTTP to an https request: use the https port of that host, or http:// if it serves only plain HTTP", target)
		}
	case errors.As(err, &dns):
		if dns.IsNotFound {
			// A name that does not exist will not exist a few seconds
			// later; a slow or failing resolver (below) may recover.
			ne.Kind, ne.Permanent = HostNotFound, true
			ne.Host = dns.Name
			what := "the host name"
			if viaProxy {
				what = "the proxy's host name (from HTTPS_PROXY)"
			}
			ne.sentence = fmt.Sprintf("%s %q could not be resolved: DNS knows no such host; check its spelling and this machine's DNS settings", what, dns.Name)
		} else {
			ne.Kind = LookupFailed
			ne.Host = dns.Name
			ne.sentence = fmt.Sprintf("looking up the host name %q failed: %s; check this machine's DNS settings", dns.Name, dns.Err)
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		ne.Kind = ConnectionRefused
		if op != nil && op.Addr != nil {
			ne.Address = op.Addr.String()
		}
		if viaProxy {
			ne.sentence = fmt.Sprintf("the proxy at %s (set by HTTPS_PROXY) refused the connection: check that the proxy runs and the address is right", ne.Address)
		} else {
			ne.sentence = fmt.Sprintf("nothing accepted a connection at %s (connection refused): check the host and port, and that the service is running there", ne.Address)
		}
	case op != nil && op.Op == "dial" && op.Timeout():
		ne.Kind = ConnectTimeout
		if op.Addr != nil {
			ne.Address = op.Addr.String()
		}
		ne.sentence = fmt.Sprintf("connecting to %s timed out: a firewall may be dropping the traffic, or this network may need a proxy (HTTPS_PROXY)", ne.Address)
		if viaProxy {
			ne.sentence = fmt.Sprintf("connecting to the proxy at %s (set by HTTPS_PROXY) timed out", ne.Address)
		}
	default:
		return nil
	}
	return ne
}

func issuerOf(cert *x509.Certificate) string {
	if cert == nil {
		return "an unknown issuer"
	}
	return cert.Issuer.String()
}

// certificateNames lists the names a certificate is valid for, as
// x509.HostnameError would, but without its "x509:" prefix.
func certificateNames(cert *x509.Certificate) string {
	if cert == nil {
		return "other names"
	}
	var names []string
	names = append(names, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		if cert.Subject.CommonName != "" {
			return fmt.Sprintf("%q only as a common name, which is no longer accepted", cert.Subject.CommonName)
		}
		return "no names at all"
	}
	const most = 5
	if len(names) > most {
		return strings.Join(names[:most], ", ") + fmt.Sprintf(" and %d more", len(names)-most)
	}
	return strings.Join(names, ", ")
}

func invalidReason(e x509.CertificateInvalidError) string {
	if e.Reason == x509.Expired && e.Cert != nil {
		now := time.Now().UTC().Format(time.RFC3339)
		if time.Now().Before(e.Cert.NotBefore) {
			return fmt.Sprintf("is not valid before %s, and this machine's clock says %s: check the clock", e.Cert.NotBefore.UTC().Format(time.RFC3339), now)
		}
		return fmt.Sprintf("expired at %s (this machine's clock says %s): the server must renew it, or the clock is wrong", e.Cert.NotAfter.UTC().Format(time.RFC3339), now)
	}
	return "is not valid: " + strings.TrimPrefix(e.Error(), "x509: ")
}

// networkErrorRecorderKey carries a NetworkErrorRecorder in a context.
type networkErrorRecorderKey struct{}

// NetworkErrorRecorder keeps the last network failure of the requests sent
// with its context. Some callers in between drop the error chain: MSAL,
// under azidentity, keeps only the text of a failed request, so the typed
// error is lost by the time a sign-in fails. The recorder keeps it, scoped
// to one operation rather than to the shared transport, so concurrent calls
// never see each other's failures.
type NetworkErrorRecorder struct {
	parent *NetworkErrorRecorder
	mu     sync.Mutex
	last   *NetworkError
}

// RecordNetworkErrors returns a context whose requests, when sent through a
// transport from ExplainNetworkErrors, record their network failures in the
// returned recorder. Recorders nest: a failure is recorded in the recorder
// of ctx too, so an operation keeps what its parts recorded even when a
// part (azidentity's chain of credentials) drops their errors.
func RecordNetworkErrors(ctx context.Context) (context.Context, *NetworkErrorRecorder) {
	parent, _ := ctx.Value(networkErrorRecorderKey{}).(*NetworkErrorRecorder)
	recorder := &NetworkErrorRecorder{parent: parent}
	return context.WithValue(ctx, networkErrorRecorderKey{}, recorder), recorder
}

// Last returns the most recent network failure recorded, or nil.
func (r *NetworkErrorRecorder) Last() *NetworkError {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

func recordNetworkError(ctx context.Context, err error) {
	recorder, ok := ctx.Value(networkErrorRecorderKey{}).(*NetworkErrorRecorder)
	var ne *NetworkError
	if !ok || !errors.As(err, &ne) {
		return
	}
	for ; recorder != nil; recorder = recorder.parent {
		recorder.mu.Lock()
		recorder.last = ne
		recorder.mu.Unlock()
	}
}
