// Command terraform-provider-defender serves the defender Terraform provider.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/defender-ti/terraform-provider-defender/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider under a debugger such as delve")
	flag.Parse()
	if !debug {
		// Under a debugger the provider's own stderr is where its logs are read.
		silenceUnrequestedLogs()
	}

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	newServer := provider.NewServer(version)
	err := tf6server.Serve("registry.terraform.io/defender-ti/defender", func() tfprotov6.ProviderServer {
		server, err := newServer()
		if err != nil {
			log.Fatal(err)
		}
		return server
	}, opts...)
	if err != nil {
		log.Fatal(err)
	}
}

// logLevelVariables are the variables through which Terraform and the plugin
// SDK choose what a provider logs.
var logLevelVariables = []string{
	"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO",
}

// silencedLogVariables are the levels silenceUnrequestedLogs sets to OFF.
// The provider's own logger, which the Graph client writes to, reads
// TF_LOG_PROVIDER_DEFENDER alone; the plugin SDK's loggers read the TF_LOG_SDK
// variables.
var silencedLogVariables = []string{
	"TF_LOG_PROVIDER", "TF_LOG_PROVIDER_DEFENDER", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO",
}

// silenceUnrequestedLogs turns the provider's and the plugin SDK's loggers off
// when no log level is set. Their default is TRACE: every line is formatted
// as JSON and sent to Terraform, which then drops it. Any level set by the
// user is left as it is.
func silenceUnrequestedLogs() {
	for _, name := range logLevelVariables {
		if os.Getenv(name) != "" {
			return
		}
	}
	for _, name := range silencedLogVariables {
		_ = os.Setenv(name, "OFF")
	}
}
