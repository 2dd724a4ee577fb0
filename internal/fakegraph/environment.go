package fakegraph

// ProviderEnvironment returns the environment variables that point the
// defender provider at this emulator with its default credentials, the same
// variables a user sets for a real tenant. caFile must hold CAPEM(): the
// provider process trusts the emulator through SSL_CERT_FILE.
func (s *Server) ProviderEnvironment(caFile string) []string {
	return []string{
		"ARM_TENANT_ID=" + DefaultTenantID,
		"ARM_CLIENT_ID=" + DefaultClientID,
		"ARM_CLIENT_SECRET=" + DefaultClientSecret,
		"ARM_GRAPH_ENDPOINT=" + s.URL(),
		"ARM_AUTHORITY_HOST=" + s.URL(),
		"ARM_DISABLE_INSTANCE_DISCOVERY=true",
		"SSL_CERT_FILE=" + caFile,
	}
}
