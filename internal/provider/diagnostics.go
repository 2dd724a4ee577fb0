package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/defender-ti/terraform-provider-defender/internal/graph"
)

// requiredPermission and licenceNote are what a 401 or 403 from the TI API
// almost always comes down to.
const (
	requiredPermission = "ThreatIntelligence.Read.All"
	licenceNote        = "The tenant also needs a licence that includes Defender Threat Intelligence API access " +
		"(Defender TI with its API add-on, or a Defender XDR or Sentinel plan that includes it)."
)

func notFoundDetail(hostID string, err error) string {
	return fmt.Sprintf("Microsoft Graph has no Defender Threat Intelligence record of host %q (%s). "+
		"The data source returns an empty ports list instead of failing, so configurations iterating over many hosts keep working; "+
		"check the host id if you expected ports.", hostID, err)
}

func readErrorSummary(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "Read Cancelled"
	case isSignInError(err):
		return "Unable To Sign In To Entra ID"
	case graph.IsUnauthorized(err):
		return "Access Denied By Microsoft Graph"
	case graph.IsThrottled(err):
		return "Throttled By Microsoft Graph"
	default:
		return "Unable To Read Host Ports"
	}
}

// readErrorDetail names the host and, through graph.Error's text, the HTTP
// status, Graph error code and request-id that support will ask for.
func readErrorDetail(ctx context.Context, hostID string, err error) string {
	var graphErr *graph.Error
	isGraphErr := errors.As(err, &graphErr)
	switch {
	case ctx.Err() != nil:
		return fmt.Sprintf("Reading the ports of host %q stopped because the operation was cancelled: %s.", hostID, err)
	case isSignInError(err):
		return fmt.Sprintf("The provider could not get a token to read the ports of host %q. %s",
			hostID, signInDetail(err))
	case graph.IsUnauthorized(err):
		return fmt.Sprintf("Microsoft Graph refused to list the ports of host %q: %s. "+
			"The identity the provider signs in with needs the Microsoft Graph application permission %s, with admin consent. %s",
			hostID, err, requiredPermission, licenceNote)
	case graph.IsThrottled(err):
		return fmt.Sprintf("Microsoft Graph kept throttling the requests for host %q after every retry: %s. "+
			"Lower Terraform's -parallelism or raise the provider's max_retries.", hostID, err)
	case isGraphErr:
		return fmt.Sprintf("Microsoft Graph failed to list the ports of host %q: %s.", hostID, graphErr)
	default:
		return fmt.Sprintf("Listing the ports of host %q from Microsoft Graph failed: %s.", hostID, err)
	}
}

// isSignInError reports whether err came from getting a token rather than
// from Graph.
func isSignInError(err error) bool {
	var signIn *signInError
	var failed *azidentity.AuthenticationFailedError
	return errors.As(err, &signIn) || errors.As(err, &failed)
}

// signInDetail lists each method tried and why it failed, one line each.
func signInDetail(err error) string {
	text := err.Error()
	if i := strings.Index(text, "Attempted credentials:"); i >= 0 {
		var lines []string
		for _, line := range strings.Split(text[i+len("Attempted credentials:"):], "\n") {
			if trimmed := strings.TrimSpace(line); trimmed != "" && strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, "\t\t") {
				lines = append(lines, "- "+trimmed)
			}
		}
		if len(lines) > 0 {
			return "Sign-in methods tried, in order:\n" + strings.Join(lines, "\n")
		}
	}
	var signIn *signInError
	if errors.As(err, &signIn) {
		return fmt.Sprintf("Sign-in method tried: %s.", signIn)
	}
	return fmt.Sprintf("Signing in failed: %s.", err)
}
