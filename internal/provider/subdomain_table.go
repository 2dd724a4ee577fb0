package provider

import "github.com/defender-ti/terraform-provider-defender/internal/graph"

var subdomainTable = newTable("subdomain",
	textField("id", "The subdomain's name, such as `www.contoso.com`.", func(s *graph.Subdomain) string { return s.ID }),
	timestampField("firstSeenDateTime", "When Defender TI first saw the subdomain.", func(s *graph.Subdomain) *graph.Timestamp { return s.FirstSeenDateTime }),
)
