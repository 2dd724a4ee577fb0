package provider

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// clearProviderEnvironment unsets every variable the provider reads, so a
// machine's own ARM_* settings, or a CI platform's tokens, cannot leak into a
// case. Spacelift's token file is moved to a path that does not exist.
func clearProviderEnvironment(t *testing.T) {
	t.Helper()
	for _, variable := range os.Environ() {
		if name, _, _ := strings.Cut(variable, "="); strings.HasPrefix(name, tfcWorkloadIdentityTokenPrefix) {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	setSpaceliftOIDCTokenFile(t, filepath.Join(t.TempDir(), "no-spacelift.oidc"))
	for _, name := range []string{
		"ARM_TENANT_ID", "AZURE_TENANT_ID", "ARM_CLIENT_ID", "AZURE_CLIENT_ID", "ARM_CLIENT_ID_FILE_PATH", "ARM_CLIENT_SECRET", "ARM_CLIENT_SECRET_FILE_PATH",
		"ARM_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PASSWORD",
		"ARM_USE_OIDC", "ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH", "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL",
		"ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
		"ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_USE_AKS_WORKLOAD_IDENTITY", "ARM_USE_MSI", "ARM_MSI_ENDPOINT",
		"ARM_USE_CLI", "ARM_ENVIRONMENT", "ARM_GRAPH_ENDPOINT", "ARM_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST",
		"ARM_DISABLE_INSTANCE_DISCOVERY", "ARM_TFC_WORKLOAD_IDENTITY_TAG", "SPACELIFT_OIDC_TOKEN", "ENV0_OIDC_TOKEN",
	} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
}

// emptyModel is a provider block with every attribute null.
func emptyModel() providerModel {
	return providerModel{
		TenantID: types.StringNull(), ClientID: types.StringNull(), ClientSecret: types.StringNull(),
		ClientSecretFilePath: types.StringNull(), ClientCertificate: types.StringNull(), ClientCertificatePath: types.StringNull(),
		ClientCertificatePassword: types.StringNull(), UseOIDC: types.BoolNull(), OIDCToken: types.StringNull(),
		OIDCTokenFilePath: types.StringNull(), OIDCRequestURL: types.StringNull(), OIDCRequestToken: types.StringNull(),
		OIDCAzureServiceConnectionID: types.StringNull(), UseAKSWorkloadIdentity: types.BoolNull(), UseMSI: types.BoolNull(),
		MSIEndpoint: types.StringNull(), UseCLI: types.BoolNull(), Environment: types.StringNull(), APIVersion: types.StringNull(),
		GraphEndpoint: types.StringNull(), AuthorityHost: types.StringNull(), DisableInstanceDiscovery: types.BoolNull(),
		MaxRetries: types.Int64Null(), RequestTimeout: types.StringNull(),
	}
}

// TestProviderAttributeEnvironmentPrecedence proves, for every attribute with
// an environment fallback, that the variable is used when the attribute is
// unset, that the attribute wins when both are set, and that secondary
// variables come after the primary one.
func TestProviderAttributeEnvironmentPrecedence(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("secret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(certFile, []byte("certificate-from-file"), 0o600); err != nil {
		t.Fatal(err)
	}
	clientIDAttrFile, clientIDEnvFile := filepath.Join(t.TempDir(), "client-id-attr"), filepath.Join(t.TempDir(), "client-id-env")
	for file, content := range map[string]string{clientIDAttrFile: "client-from-attr-file\n", clientIDEnvFile: "client-from-env-file\n"} {
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		attribute string
		envs      []string // in order of precedence
		set       func(*providerModel, string)
		configVal string
		envVal    string
		get       func(settings) string
	}{
		{"tenant_id", []string{"ARM_TENANT_ID", "AZURE_TENANT_ID"}, func(m *providerModel, v string) { m.TenantID = types.StringValue(v) }, "tenant-attr", "tenant-env", func(s settings) string { return s.tenantID }},
		{"client_id", []string{"ARM_CLIENT_ID", "AZURE_CLIENT_ID"}, func(m *providerModel, v string) { m.ClientID = types.StringValue(v) }, "client-attr", "client-env", func(s settings) string { return s.clientID }},
		{"client_id_file_path", []string{"ARM_CLIENT_ID_FILE_PATH"}, func(m *providerModel, v string) { m.ClientIDFilePath = types.StringValue(v) }, clientIDAttrFile, clientIDEnvFile, func(s settings) string { return s.clientID }},
		{"client_secret", []string{"ARM_CLIENT_SECRET"}, func(m *providerModel, v string) { m.ClientSecret = types.StringValue(v) }, "secret-attr", "secret-env", func(s settings) string { return s.clientSecret }},
		{"client_secret_file_path", []string{"ARM_CLIENT_SECRET_FILE_PATH"}, func(m *providerModel, v string) { m.ClientSecretFilePath = types.StringValue(v) }, secretFile, secretFile, func(s settings) string { return s.clientSecret }},
		{"client_certificate", []string{"ARM_CLIENT_CERTIFICATE"}, func(m *providerModel, v string) { m.ClientCertificate = types.StringValue(v) },
			base64.StdEncoding.EncodeToString([]byte("cert-attr")), base64.StdEncoding.EncodeToString([]byte("cert-env")), func(s settings) string { return string(s.clientCertificate) }},
		{"client_certificate_path", []string{"ARM_CLIENT_CERTIFICATE_PATH"}, func(m *providerModel, v string) { m.ClientCertificatePath = types.StringValue(v) }, certFile, certFile, func(s settings) string { return string(s.clientCertificate) }},
		{"client_certificate_password", []string{"ARM_CLIENT_CERTIFICATE_PASSWORD"}, func(m *providerModel, v string) { m.ClientCertificatePassword = types.StringValue(v) }, "pw-attr", "pw-env", func(s settings) string { return s.clientCertificatePassword }},
		{"use_oidc", []string{"ARM_USE_OIDC"}, func(m *providerModel, v string) { m.UseOIDC = types.BoolValue(v == "true") }, "false", "true", func(s settings) string { return boolText(s.useOIDC) }},
		{"oidc_token", []string{"ARM_OIDC_TOKEN"}, func(m *providerModel, v string) { m.OIDCToken = types.StringValue(v) }, "oidc-attr", "oidc-env", func(s settings) string { return s.oidcToken }},
		{"oidc_token_file_path", []string{"ARM_OIDC_TOKEN_FILE_PATH"}, func(m *providerModel, v string) { m.OIDCTokenFilePath = types.StringValue(v) }, "/attr/token", "/env/token", func(s settings) string { return s.oidcTokenFilePath }},
		{"oidc_request_url", []string{"ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"}, func(m *providerModel, v string) { m.OIDCRequestURL = types.StringValue(v) }, "https://attr.example", "https://env.example", func(s settings) string { return s.oidcRequestURL }},
		{"oidc_request_token", []string{"ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"}, func(m *providerModel, v string) { m.OIDCRequestToken = types.StringValue(v) }, "req-attr", "req-env", func(s settings) string { return s.oidcRequestToken }},
		{"oidc_azure_service_connection_id", []string{"ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"}, func(m *providerModel, v string) { m.OIDCAzureServiceConnectionID = types.StringValue(v) }, "sc-attr", "sc-env", func(s settings) string { return s.oidcServiceConnectionID }},
		{"tfc_workload_identity_tag", []string{"ARM_TFC_WORKLOAD_IDENTITY_TAG"}, func(m *providerModel, v string) { m.TFCWorkloadIdentityTag = types.StringValue(v) }, "ATTR_TAG", "ENV_TAG", func(s settings) string { return s.tfcWorkloadIdentityTag }},
		{"use_aks_workload_identity", []string{"ARM_USE_AKS_WORKLOAD_IDENTITY"}, func(m *providerModel, v string) { m.UseAKSWorkloadIdentity = types.BoolValue(v == "true") }, "false", "true", func(s settings) string { return boolText(s.useAKSWorkloadIdentity) }},
		{"use_msi", []string{"ARM_USE_MSI"}, func(m *providerModel, v string) { m.UseMSI = types.BoolValue(v == "true") }, "false", "true", func(s settings) string { return boolText(s.useMSI) }},
		{"msi_endpoint", []string{"ARM_MSI_ENDPOINT"}, func(m *providerModel, v string) { m.MSIEndpoint = types.StringValue(v) }, "http://127.0.0.1:1/attr", "http://127.0.0.1:1/env", func(s settings) string { return s.msiEndpoint }},
		{"use_cli", []string{"ARM_USE_CLI"}, func(m *providerModel, v string) { m.UseCLI = types.BoolValue(v == "true") }, "true", "false", func(s settings) string { return boolText(s.useCLI) }},
		{"environment", []string{"ARM_ENVIRONMENT"}, func(m *providerModel, v string) { m.Environment = types.StringValue(v) }, "china", "usgovernment", func(s settings) string { return s.environment }},
		{"graph_endpoint", []string{"ARM_GRAPH_ENDPOINT"}, func(m *providerModel, v string) { m.GraphEndpoint = types.StringValue(v) }, "https://attr.example", "https://env.example", func(s settings) string { return s.graphEndpoint }},
		{"authority_host", []string{"ARM_AUTHORITY_HOST", "AZURE_AUTHORITY_HOST"}, func(m *providerModel, v string) { m.AuthorityHost = types.StringValue(v) }, "https://login.attr.example", "https://login.env.example", func(s settings) string { return s.authorityHost }},
		{"disable_instance_discovery", []string{"ARM_DISABLE_INSTANCE_DISCOVERY"}, func(m *providerModel, v string) { m.DisableInstanceDiscovery = types.BoolValue(v == "true") }, "false", "true", func(s settings) string { return boolText(s.disableInstanceDiscovery) }},
	}
	for _, c := range cases {
		t.Run(c.attribute, func(t *testing.T) {
			for i, env := range c.envs {
				clearProviderEnvironment(t)
				t.Setenv(env, c.envVal)
				model := emptyModel()
				s, diags := resolveSettings(&model)
				if diags.HasError() {
					t.Fatalf("%s only: %v", env, diags)
				}
				if got, want := c.get(s), expected(c.attribute, c.envVal); got != want {
					t.Errorf("with only %s set (fallback %d), got %q, want %q", env, i+1, got, want)
				}
			}
			if len(c.envs) > 1 {
				clearProviderEnvironment(t)
				t.Setenv(c.envs[0], c.envVal)
				t.Setenv(c.envs[1], "secondary-"+c.envVal)
				model := emptyModel()
				s, _ := resolveSettings(&model)
				if got, want := c.get(s), expected(c.attribute, c.envVal); got != want {
					t.Errorf("%s should win over %s: got %q, want %q", c.envs[0], c.envs[1], got, want)
				}
			}
			clearProviderEnvironment(t)
			for _, env := range c.envs {
				t.Setenv(env, c.envVal)
			}
			model := emptyModel()
			c.set(&model, c.configVal)
			s, diags := resolveSettings(&model)
			if diags.HasError() {
				t.Fatalf("attribute set: %v", diags)
			}
			if got, want := c.get(s), expected(c.attribute, c.configVal); got != want {
				t.Errorf("the attribute should win over the environment: got %q, want %q", got, want)
			}
		})
	}
}

// expected maps a configured value to the resolved setting: files are read,
// certificates decoded.
func expected(attribute, value string) string {
	switch attribute {
	case "client_secret_file_path":
		return "secret-from-file"
	case "client_id_file_path":
		content, _ := os.ReadFile(value)
		return strings.TrimSpace(string(content))
	case "client_certificate_path":
		return "certificate-from-file"
	case "client_certificate":
		decoded, _ := base64.StdEncoding.DecodeString(value)
		return string(decoded)
	}
	return value
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestProviderEnvironmentSetsEndpoints(t *testing.T) {
	for environment, want := range map[string][2]string{
		"":               {"https://graph.microsoft.com", "https://login.microsoftonline.com/"},
		"public":         {"https://graph.microsoft.com", "https://login.microsoftonline.com/"},
		"usgovernment":   {"https://graph.microsoft.us", "https://login.microsoftonline.us/"},
		"usgovernmentl5": {"https://dod-graph.microsoft.us", "https://login.microsoftonline.us/"},
		"dod":            {"https://dod-graph.microsoft.us", "https://login.microsoftonline.us/"},
		"china":          {"https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn/"},
	} {
		clearProviderEnvironment(t)
		model := emptyModel()
		if environment != "" {
			model.Environment = types.StringValue(environment)
		}
		s, diags := resolveSettings(&model)
		if diags.HasError() {
			t.Fatalf("%s: %v", environment, diags)
		}
		if s.graphEndpoint != want[0] || s.authorityHost != want[1] {
			t.Errorf("environment %q: graph %q, authority %q; want %q, %q", environment, s.graphEndpoint, s.authorityHost, want[0], want[1])
		}
	}
	// An explicit endpoint overrides the environment's.
	clearProviderEnvironment(t)
	model := emptyModel()
	model.Environment = types.StringValue("china")
	model.GraphEndpoint = types.StringValue("https://gateway.example")
	s, _ := resolveSettings(&model)
	if s.graphEndpoint != "https://gateway.example" || s.authorityHost != "https://login.chinacloudapi.cn/" {
		t.Errorf("override: graph %q, authority %q", s.graphEndpoint, s.authorityHost)
	}
}

func TestProviderResolveRejectsBadSettings(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(emptyFile, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		set       func(*providerModel)
		env       map[string]string
		attribute string
		summary   string
	}{
		"secrets differ": {func(m *providerModel) {
			m.ClientSecret = types.StringValue("two")
			m.ClientSecretFilePath = types.StringValue(secretFile)
		}, nil, "client_secret_file_path", "Conflicting Client Secrets"},
		"missing secret file": {func(m *providerModel) { m.ClientSecretFilePath = types.StringValue("/nonexistent/secret") }, nil, "client_secret_file_path", "Unreadable Client Secret File"},
		"client ids differ": {func(m *providerModel) {
			m.ClientID = types.StringValue("two")
			m.ClientIDFilePath = types.StringValue(secretFile)
		}, nil, "client_id_file_path", "Conflicting Client IDs"},
		"client id from env differs": {func(m *providerModel) { m.ClientIDFilePath = types.StringValue(secretFile) },
			map[string]string{"ARM_CLIENT_ID": "two"}, "client_id_file_path", "Conflicting Client IDs"},
		"missing client id file": {func(*providerModel) {}, map[string]string{"ARM_CLIENT_ID_FILE_PATH": "/nonexistent/client-id"}, "client_id_file_path", "Unreadable Client ID File"},
		"empty client id file":   {func(m *providerModel) { m.ClientIDFilePath = types.StringValue(emptyFile) }, nil, "client_id_file_path", "Empty Client ID File"},
		"tag with a hyphen":      {func(m *providerModel) { m.TFCWorkloadIdentityTag = types.StringValue("my-tag") }, nil, "tfc_workload_identity_tag", "Invalid Workload Identity Tag"},
		"tag from env":           {func(*providerModel) {}, map[string]string{"ARM_TFC_WORKLOAD_IDENTITY_TAG": "A B"}, "tfc_workload_identity_tag", "Invalid Workload Identity Tag"},
		"two certificates": {func(m *providerModel) {
			m.ClientCertificate = types.StringValue("Zm9v")
			m.ClientCertificatePath = types.StringValue(secretFile)
		}, nil, "client_certificate", "Conflicting Client Certificates"},
		"certificate not base64":     {func(m *providerModel) { m.ClientCertificate = types.StringValue("not base64!") }, nil, "client_certificate", "Invalid Client Certificate"},
		"plain http endpoint":        {func(m *providerModel) { m.GraphEndpoint = types.StringValue("http://graph.example") }, nil, "graph_endpoint", "Invalid Endpoint"},
		"http endpoint from env":     {func(*providerModel) {}, map[string]string{"ARM_GRAPH_ENDPOINT": "http://graph.example"}, "graph_endpoint", "Invalid Endpoint"},
		"http authority on loopback": {func(m *providerModel) { m.AuthorityHost = types.StringValue("http://127.0.0.1:8080") }, nil, "authority_host", "Invalid Endpoint"},
		"endpoint with credentials":  {func(m *providerModel) { m.GraphEndpoint = types.StringValue("https://user:hunter2@graph.example") }, nil, "graph_endpoint", "Invalid Endpoint"},
		"bad environment env":        {func(*providerModel) {}, map[string]string{"ARM_ENVIRONMENT": "mars"}, "environment", "Invalid Environment"},
		"bad boolean env":            {func(*providerModel) {}, map[string]string{"ARM_USE_MSI": "sometimes"}, "use_msi", "Invalid Environment Variable"},
	} {
		t.Run(name, func(t *testing.T) {
			clearProviderEnvironment(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			model := emptyModel()
			c.set(&model)
			_, diags := resolveSettings(&model)
			if !diags.HasError() {
				t.Fatal("no error")
			}
			found := false
			for _, d := range diags.Errors() {
				withPath, ok := d.(diag.DiagnosticWithPath)
				if ok && d.Summary() == c.summary && withPath.Path().String() == c.attribute {
					found = true
				}
			}
			if !found {
				t.Errorf("want %q naming %s, got %v", c.summary, c.attribute, diags)
			}
			for _, d := range diags {
				if strings.Contains(d.Detail(), "hunter2") {
					t.Errorf("a diagnostic repeats the password: %s", d.Detail())
				}
			}
		})
	}
}
