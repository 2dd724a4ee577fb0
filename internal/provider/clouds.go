package provider

import (
	"sort"
)

// cloudEndpoints are the Graph and Entra ID endpoints of one Microsoft cloud.
type cloudEndpoints struct {
	graph     string
	authority string
	// tiDocumented is whether Microsoft documents the Threat Intelligence API
	// in this cloud.
	tiDocumented bool
}

const defaultEnvironment = "public"

// environments maps the `environment` attribute to its endpoints, from
// Microsoft's national cloud deployment tables.
var environments = map[string]cloudEndpoints{
	"public":         {graph: "https://graph.microsoft.com", authority: "https://login.microsoftonline.com/", tiDocumented: true},
	"usgovernment":   {graph: "https://graph.microsoft.us", authority: "https://login.microsoftonline.us/"},
	"usgovernmentl5": {graph: "https://dod-graph.microsoft.us", authority: "https://login.microsoftonline.us/"},
	"dod":            {graph: "https://dod-graph.microsoft.us", authority: "https://login.microsoftonline.us/"},
	"china":          {graph: "https://microsoftgraph.chinacloudapi.cn", authority: "https://login.chinacloudapi.cn/"},
}

func environmentNames() []string {
	names := make([]string, 0, len(environments))
	for name := range environments {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
